"""Links that leave the request: every e-mailed link is built here, from the public URL.

Never from the request (`build_absolute_uri`, `get_host`): the Host header is the client's to
choose, and a reset or sign-in link pointing at an attacker's host hands them the token
(issue 12, point 1). Low in the layers on purpose: it imports nothing of the platform.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def public_link(path: str) -> str:
    """`/me/login/abc` -> `https://credentials.uni.example/me/login/abc` (settings.PUBLIC_URL)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(_("public_link takes a path starting with one '/', not %(path)s")
                         % {"path": repr(path)})
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}"


def public_domain() -> str:
    """The public URL's host (and port): what Django's password reset e-mail calls `domain`."""
    return urlsplit(settings.PUBLIC_URL).netloc


def public_uses_https() -> bool:
    return urlsplit(settings.PUBLIC_URL).scheme == "https"
