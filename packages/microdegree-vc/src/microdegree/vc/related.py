"""`relatedResource` (VC Data Model 2.0, section 5.3): integrity of the resources a credential
names.

Each item is an object with an `id` (a URL, unique in the list) and at least one digest:
`digestSRI` (Subresource Integrity: `sha256-`, `sha384-` or `sha512-` and standard base64) or
`digestMultibase` (a multibase multihash: base64url `u` or base58btc `z`, sha2-256 / sha2-384 /
sha2-512). When the resource is one this code holds (a bundled JSON-LD context, whose bytes are
the published ones), the digests are checked against those bytes; others cannot be checked
without fetching them, and nothing is fetched here.

`problems(document)` lists every problem as `(code, message, path)`; empty means the list is
well formed and every digest that could be checked matches.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable
from typing import Any

from microdegree.vc import contexts, multibase
from microdegree.vc.errors import VcError

__all__ = ["checked", "held_bytes", "multibase_digest", "problems", "sri_digest"]

_SRI_ALGORITHMS = {"sha256": hashlib.sha256, "sha384": hashlib.sha384, "sha512": hashlib.sha512}
_SRI = re.compile(r"^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?\S*)?$")
# multihash code -> (name, digest length, hash function)
_MULTIHASH: dict[int, tuple[str, int, Callable[[bytes], Any]]] = {
    0x12: ("sha2-256", 32, hashlib.sha256),
    0x20: ("sha2-384", 48, hashlib.sha384),
    0x13: ("sha2-512", 64, hashlib.sha512),
}
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+\-.]*:[^\s]+$")

Problem = tuple[str, str, str]


def held_bytes(url: str) -> bytes | None:
    """The published bytes of a resource this code holds (a bundled context), else None."""
    return contexts.context_bytes(url) if contexts.is_bundled(url) else None


def sri_digest(data: bytes, algorithm: str = "sha384") -> str:
    """`digestSRI` of `data` (the form an issuer writes)."""
    return f"{algorithm}-" + base64.b64encode(_SRI_ALGORITHMS[algorithm](data).digest()).decode()


def multibase_digest(data: bytes) -> str:
    """`digestMultibase` of `data`: base64url (no padding) of the sha2-256 multihash."""
    digest = bytes([0x12, 0x20]) + hashlib.sha256(data).digest()
    return "u" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _check_sri(value: Any, data: bytes | None) -> str | None:
    """None if `value` is a well-formed SRI string matching `data` (when given), else why not."""
    if not isinstance(value, str) or not value.strip():
        return "digestSRI must be a Subresource Integrity string such as sha384-<base64>"
    matched = False
    for token in value.split():
        found = _SRI.match(token)
        if found is None:
            return (f"digestSRI {token[:80]!r} is not sha256-, sha384- or sha512- followed by "
                    "base64")
        algorithm, encoded = found.group(1), found.group(2)
        try:
            digest = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return f"digestSRI {token[:80]!r} is not valid base64"
        if len(digest) != _SRI_ALGORITHMS[algorithm]().digest_size:
            return f"digestSRI {token[:80]!r} has the wrong length for {algorithm}"
        if data is None or _SRI_ALGORITHMS[algorithm](data).digest() == digest:
            matched = True
    if not matched:
        return "digestSRI does not match the published resource"
    return None


def _check_multibase(value: Any, data: bytes | None) -> str | None:
    if not isinstance(value, str) or len(value) < 2:
        return "digestMultibase must be a multibase-encoded multihash"
    try:
        raw = multibase.decode_u(value) if value[0] == "u" else multibase.decode_z(value)
    except (VcError, ValueError):
        return f"digestMultibase {value[:80]!r} is not multibase (base64url 'u' or base58btc 'z')"
    if len(raw) < 2 or raw[0] not in _MULTIHASH:
        return f"digestMultibase {value[:80]!r} is not a sha2-256, sha2-384 or sha2-512 multihash"
    name, length, function = _MULTIHASH[raw[0]]
    if raw[1] != length or len(raw) != 2 + length:
        return f"digestMultibase {value[:80]!r} has the wrong length for {name}"
    if data is not None and function(data).digest() != raw[2:]:
        return "digestMultibase does not match the published resource"
    return None


def problems(document: Any) -> list[Problem]:
    """Every problem of `document["relatedResource"]` (none when the property is absent)."""
    if not isinstance(document, dict) or "relatedResource" not in document:
        return []
    value = document["relatedResource"]
    items = value if isinstance(value, list) else [value]
    path = "$.relatedResource"
    if not items:
        return [("RELATED_RESOURCE_INVALID", "relatedResource must not be empty.", path)]
    out: list[Problem] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{path}[{index}]" if isinstance(value, list) else path
        if not isinstance(item, dict):
            out.append(("RELATED_RESOURCE_INVALID",
                        "Each relatedResource item must be an object with an id and a digest.",
                        where))
            continue
        resource_id = item.get("id")
        if not isinstance(resource_id, str) or not _URL.match(resource_id):
            out.append(("RELATED_RESOURCE_INVALID",
                        "Each relatedResource item needs an id that is a URL.", where))
            continue
        if resource_id in seen:
            out.append(("RELATED_RESOURCE_DUPLICATE",
                        f"relatedResource names {resource_id} more than once.", where))
            continue
        seen.add(resource_id)
        if "digestSRI" not in item and "digestMultibase" not in item:
            out.append(("RELATED_RESOURCE_NO_DIGEST",
                        f"The relatedResource {resource_id} has neither digestSRI nor "
                        "digestMultibase.", where))
            continue
        data = held_bytes(resource_id)
        for field, check in (("digestSRI", _check_sri), ("digestMultibase", _check_multibase)):
            if field not in item:
                continue
            reason = check(item[field], data)
            if reason is None:
                continue
            mismatch = reason.endswith("does not match the published resource")
            out.append(("RELATED_RESOURCE_MISMATCH" if mismatch else "RELATED_RESOURCE_INVALID",
                        f"{reason}: {resource_id}." if mismatch
                        else f"{reason} ({resource_id}).", f"{where}.{field}"))
    return out


def checked(document: Any) -> list[str]:
    """The related resources whose digests were checked against bytes held here."""
    value = document.get("relatedResource") if isinstance(document, dict) else None
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [item["id"] for item in items
            if isinstance(item, dict) and isinstance(item.get("id"), str)
            and held_bytes(item["id"]) is not None]
