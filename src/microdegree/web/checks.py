"""System checks that refuse to run production (DEBUG off) with development defaults.

Run by every management command (`migrate`, `runserver`, `db_worker`, `check`) and by
`microdegree.wsgi` before it serves, so a production server does not start with:

- E001/E002: the secret key or the master key not given explicitly (`MICRODEGREE_SECRET_KEY` or
  `MICRODEGREE_SECRET_KEY_FILE`, the same for `MASTER_KEY`): the data-folder copies are
  generated for development and would be lost, or differ, between machines;
- E003: a public URL that is not https (cookies, reset and sign-in links would travel in clear),
  unless it names this machine (a production-like run on loopback, e.g. the benchmarks);
- E004: DEBUG on for a public URL that is not this machine (the debug page lists the settings);
- E005: no mail configured (`MICRODEGREE_EMAIL_HOST` or `MICRODEGREE_EMAIL_BACKEND`): the console
  backend would swallow every sign-in and reset e-mail;
- E006: `*` among the allowed hosts (any Host header accepted again).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

from microdegree import config


def _production() -> bool:
    return not settings.DEBUG


def _secret_errors() -> list[Error]:
    errors = []
    for name, check_id in (("SECRET_KEY", "microdegree.E001"), ("MASTER_KEY", "microdegree.E002")):
        try:
            source = config.secret_source(name)
            if name == "MASTER_KEY" and source != config.DATA_FOLDER:
                config.master_key()  # 32 bytes of base64, or ValueError
        except ValueError as exc:
            errors.append(Error(str(exc), id=check_id))
            continue
        if source == config.DATA_FOLDER:
            errors.append(Error(
                f"MICRODEGREE_{name} is not set: production needs it from the environment or a "
                f"file (MICRODEGREE_{name}_FILE), not the copy generated in the data folder "
                "for development.",
                hint="See docs/operations.md, section Production.", id=check_id))
    return errors


@register(Tags.security)
def production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    public_host = config.public_host(settings.PUBLIC_URL)
    errors: list[Error] = []
    if settings.DEBUG and not config.is_local_host(public_host):
        errors.append(Error(
            f"DEBUG is on for the public host {public_host}: its error pages show settings and "
            "code to anyone.", hint="Unset MICRODEGREE_DEBUG (it is off by default).",
            id="microdegree.E004"))
    if not _production():
        return errors
    errors += _secret_errors()
    if not settings.PUBLIC_URL.startswith("https://") and not config.is_local_host(public_host):
        errors.append(Error(
            f"MICRODEGREE_PUBLIC_URL is {settings.PUBLIC_URL!r}: production needs an https URL.",
            hint="Serve the platform behind a TLS-terminating proxy (docs/operations.md).",
            id="microdegree.E003"))
    if not getattr(settings, "MICRODEGREE_EMAIL_CONFIGURED", True):
        errors.append(Error(
            "No mail server is configured: sign-in, reset and award e-mails would only be "
            "printed to the console.",
            hint="Set MICRODEGREE_EMAIL_HOST (SMTP) or MICRODEGREE_EMAIL_BACKEND.",
            id="microdegree.E005"))
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(Error(
            "'*' in MICRODEGREE_ALLOWED_HOSTS accepts any Host header.",
            hint="List the extra host names, or none: the public URL's host is always allowed.",
            id="microdegree.E006"))
    return errors
