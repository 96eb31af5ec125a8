"""The one parser for every URL that comes from outside (forms, JSON bodies, other hosts).

`parse_url` either returns the parts of an absolute http(s) URL, checked the way a browser or
an HTTP client would need them (a scheme from the allowed list, a host that is a valid DNS name
or IP literal, a port in 1-65535, no spaces or control characters, a bounded length), or raises
`UrlError` with a `code` for programs and a sentence for people. It never raises anything else:
`urllib.parse.urlsplit` and `.port` raise bare `ValueError` on `https://[::1` or a port of
99999, which is how such input used to turn into a 500.

Whether a URL may be *fetched* (public addresses only) is `fetch.SafeFetcher`'s business; this
module only answers "is this a well-formed URL, and what are its parts".
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit

from microdegree.vc.errors import VcError

MAX_URL = 2000
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")  # controls, space, DEL; a backslash confuses parsers
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_HOSTPORT = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^\[\]:@]+)(?::[0-9]*)?")


class UrlError(VcError):
    """Not a URL this platform accepts; `message` is a sentence to show as it is."""

    def __init__(self, message: str, *, code: str = "URL_INVALID") -> None:
        super().__init__(message, code=code)


@dataclass(frozen=True)
class Url:
    """The parts of a URL `parse_url` accepted (scheme and host lower-cased)."""

    url: str
    scheme: str
    host: str  # a DNS name (IDNA/ASCII) or an IP address without brackets
    port: int | None  # as written; None when absent
    path: str
    query: str
    fragment: str
    has_userinfo: bool
    parts: SplitResult

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else (443 if self.scheme == "https" else 80)

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.effective_port

    @property
    def is_ip(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _host(raw: str, shown: str) -> str:
    if raw.startswith("["):  # an IPv6 literal (urlsplit keeps the brackets in netloc only)
        raise UrlError(f"{shown} has a malformed IPv6 address.")
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        pass
    else:
        return raw.lower()
    try:
        ascii_host = raw.encode("idna").decode("ascii").lower() if not raw.isascii() else (
            raw.lower())
    except UnicodeError as exc:
        raise UrlError(f"{shown} has a host name that is not a valid domain name.") from exc
    name = ascii_host[:-1] if ascii_host.endswith(".") else ascii_host
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(p) for p in name.split(".")):
        raise UrlError(f"{shown} has a host name that is not a valid domain name.")
    return name


def parse_url(
    value: Any,
    *,
    schemes: Collection[str] = ("https", "http"),
    max_length: int = MAX_URL,
    allow_userinfo: bool = False,
    allow_fragment: bool = True,
    what: str = "The address",
) -> Url:
    """The parts of `value` as an absolute URL; UrlError (with a sentence) for anything else.

    `what` starts the sentences ("The redirect URI ..."). The URL itself is shown shortened.
    """
    if not isinstance(value, str) or not value:
        raise UrlError(f"{what} must be a URL (text starting with https://).")
    if len(value) > max_length:
        raise UrlError(f"{what} is longer than {max_length:,} characters.", code="URL_TOO_LONG")
    shown = _shown(value)
    if _FORBIDDEN.search(value):
        raise UrlError(f"{what} {shown} contains spaces, control characters or backslashes.")
    try:
        parts = urlsplit(value)
        raw_host = parts.hostname
        port = parts.port
    except ValueError as exc:  # "Invalid IPv6 URL", "Port out of range 0-65535", ...
        raise UrlError(f"{what} {shown} is not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        allowed = " or ".join(sorted(schemes))
        raise UrlError(f"{what} {shown} must be an absolute {allowed} URL.",
                       code="URL_SCHEME_REFUSED")
    if not raw_host:
        raise UrlError(f"{what} {shown} has no host.")
    if not _HOSTPORT.fullmatch(parts.netloc.rpartition("@")[2]):
        raise UrlError(f"{what} {shown} has a malformed host or port.")
    if port == 0:
        raise UrlError(f"{what} {shown} has port 0, which nothing listens on.")
    has_userinfo = parts.username is not None or parts.password is not None
    if has_userinfo and not allow_userinfo:
        raise UrlError(f"{what} {shown} must not contain a user name or password.")
    if parts.fragment and not allow_fragment:
        raise UrlError(f"{what} {shown} must not contain a fragment (#...).")
    host = _host(raw_host, f"{what} {shown}")
    return Url(url=value, scheme=scheme, host=host, port=port, path=parts.path,
               query=parts.query, fragment=parts.fragment, has_userinfo=has_userinfo,
               parts=parts)
