"""BitstringStatusListCredential (unsigned): publish a status list."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from microdegree.vc.builders import _common as c
from microdegree.vc.builders.profile import Profile, profile_ref
from microdegree.vc.contexts import VC_V2_CONTEXT
from microdegree.vc.errors import BuildError
from microdegree.vc.status import STATUS_PURPOSES, BitstringStatusList


def status_list_credential(
    *,
    issuer: Profile | Mapping[str, Any] | str,
    list_url: str,
    status_list: BitstringStatusList | str,
    purpose: str | Sequence[str] = "revocation",
    valid_from: Any = None,
    valid_until: Any = None,
    ttl: int | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListCredential whose `id` is `list_url` (the URL it is served at).

    `status_list` is a `BitstringStatusList` or an already encoded list; `ttl` in milliseconds.
    """
    c.check_iri(list_url, "status list URL")
    purposes = [purpose] if isinstance(purpose, str) else list(purpose)
    if not purposes or any(p not in STATUS_PURPOSES for p in purposes):
        raise BuildError(f"statusPurpose must be among {sorted(STATUS_PURPOSES)} "
                         f"(got {purpose!r}).", code="BUILD_INVALID_VALUE")
    encoded = status_list.encode() if isinstance(status_list, BitstringStatusList) \
        else status_list
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise BuildError("encodedList must be multibase base64url (starting with 'u').",
                         code="BUILD_INVALID_VALUE")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int) or ttl < 0):
        raise BuildError("ttl is a number of milliseconds.", code="BUILD_INVALID_VALUE")
    start = c.check_datetime(valid_from if valid_from is not None else c.now(), "validFrom")
    until = None
    if valid_until is not None:
        until = c.check_datetime(valid_until, "validUntil")
        if c.parse_datetime(until) <= c.parse_datetime(start):
            raise BuildError("validUntil must be after validFrom.", code="BUILD_INVALID_DATE")
    subject = c.drop_none({
        "id": f"{list_url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purposes[0] if len(purposes) == 1 else purposes,
        "encodedList": encoded,
        "ttl": ttl,
    })
    return c.drop_none({
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile_ref(issuer, "issuer"),
        "validFrom": start,
        "validUntil": until,
        "credentialSubject": subject,
    })
