"""Bitstring Status List v1.0 (W3C REC 2025-05-15): the list, its encoding, entries and checks.

Index 0 is the most significant bit of byte 0; entry `i` with `status_size` `s` occupies bit
positions `i*s .. i*s+s-1`, read most significant bit first. The encoded form is GZIP then
multibase base64url without padding (prefix `u`). A list holds at least 131,072 entries.

Fetching the list credential and verifying its proof is the verification pipeline's job;
`check_entry` only reads an already-verified list credential and never raises for bad data.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from microdegree.vc.errors import StatusListError

__all__ = [
    "MIN_ENTRIES",
    "STATUS_PURPOSES",
    "BitstringStatusList",
    "StatusCheck",
    "check_entry",
    "decode",
    "status_entry",
]

MIN_ENTRIES = 131_072
STATUS_PURPOSES = frozenset({"revocation", "suspension", "refresh", "message"})
_MAX_STATUS_SIZE = 8  # statusMessage needs 2**statusSize items; keep that list bounded
_MAX_DECODED_BYTES = 16 * 1024 * 1024  # gzip-bomb guard: 128 Mi one-bit entries


class BitstringStatusList:
    """A mutable list of `length` entries of `status_size` bits each, all 0 at first."""

    def __init__(self, length: int = MIN_ENTRIES, status_size: int = 1) -> None:
        _check_status_size(status_size)
        if length < MIN_ENTRIES:
            raise StatusListError(
                f"A status list must hold at least {MIN_ENTRIES} entries (got {length}), so a "
                "credential's index reveals little about who holds it.",
                code="STATUS_LIST_LENGTH_ERROR",
            )
        self.length = length
        self.status_size = status_size
        self._bits = bytearray((length * status_size + 7) // 8)

    @classmethod
    def _from_bytes(cls, data: bytes, status_size: int) -> BitstringStatusList:
        bits = cls.__new__(cls)
        bits.length = len(data) * 8 // status_size
        bits.status_size = status_size
        bits._bits = bytearray(data)
        return bits

    def _check_index(self, index: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < self.length:
            raise StatusListError(
                f"Status index {index!r} is outside the list (0 to {self.length - 1}).",
                code="STATUS_RANGE_ERROR",
            )

    def get(self, index: int) -> int:
        """The status value of entry `index` (0 .. 2**status_size - 1)."""
        self._check_index(index)
        value = 0
        start = index * self.status_size
        for position in range(start, start + self.status_size):
            bit = (self._bits[position // 8] >> (7 - position % 8)) & 1
            value = (value << 1) | bit
        return value

    def set(self, index: int, value: int = 1) -> None:
        """Set entry `index` to `value` (for one-bit lists: 1 = revoked/suspended, 0 = clear)."""
        self._check_index(index)
        if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value < 1 << self.status_size
        ):
            raise StatusListError(
                f"Status value {value!r} does not fit in {self.status_size} bit(s).",
                code="STATUS_RANGE_ERROR",
            )
        start = index * self.status_size
        for offset in range(self.status_size):
            position = start + offset
            mask = 0x80 >> (position % 8)
            if (value >> (self.status_size - 1 - offset)) & 1:
                self._bits[position // 8] |= mask
            else:
                self._bits[position // 8] &= ~mask & 0xFF

    def set_indices(self) -> list[int]:
        """Every index whose status is not 0, ascending."""
        if self.status_size == 1:
            out: list[int] = []
            for byte_index, byte in enumerate(self._bits):
                if byte:
                    base = byte_index * 8
                    out.extend(base + b for b in range(8) if byte & (0x80 >> b))
            return [i for i in out if i < self.length]
        return [i for i in range(self.length) if self.get(i)]

    def to_bytes(self) -> bytes:
        """The uncompressed bitstring."""
        return bytes(self._bits)

    def encode(self) -> str:
        """GZIP (mtime 0, so the output is deterministic) then multibase base64url, no padding."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitstringStatusList):
            return NotImplemented
        return (self.length, self.status_size, self._bits) == (
            other.length,
            other.status_size,
            other._bits,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"BitstringStatusList(length={self.length}, status_size={self.status_size})"


def _check_status_size(status_size: int) -> None:
    if isinstance(status_size, bool) or not isinstance(status_size, int) or not (
        1 <= status_size <= _MAX_STATUS_SIZE
    ):
        raise StatusListError(
            f"statusSize must be an integer from 1 to {_MAX_STATUS_SIZE} (got {status_size!r}).",
            code="STATUS_SIZE_ERROR",
        )


def decode(encoded: str, status_size: int = 1) -> BitstringStatusList:
    """Parse an `encodedList`; raises `StatusListError` (DECODE or LENGTH error codes)."""
    _check_status_size(status_size)
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError(
            "The encoded status list is not multibase base64url (it must start with 'u').",
            code="STATUS_LIST_DECODE_ERROR",
        )
    body = encoded[1:]
    try:
        if "=" in body or "+" in body or "/" in body:
            raise ValueError("padding or non-url-safe characters")
        compressed = base64.b64decode(
            body + "=" * (-len(body) % 4), altchars=b"-_", validate=True
        )
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip container only
        data = inflater.decompress(compressed, _MAX_DECODED_BYTES)
        if inflater.unconsumed_tail:
            raise ValueError("the list is larger than this verifier accepts")
        if not inflater.eof:
            raise ValueError("truncated gzip data")
    except (ValueError, binascii.Error, zlib.error) as exc:
        raise StatusListError(
            f"The encoded status list could not be decoded ({exc}).",
            code="STATUS_LIST_DECODE_ERROR",
        ) from exc
    entries = len(data) * 8 // status_size
    if entries < MIN_ENTRIES:
        raise StatusListError(
            f"The status list holds {entries} entries of {status_size} bit(s); at least "
            f"{MIN_ENTRIES} are required.",
            code="STATUS_LIST_LENGTH_ERROR",
        )
    return BitstringStatusList._from_bytes(data, status_size)


def status_entry(
    list_url: str,
    index: int,
    purpose: str,
    status_size: int = 1,
    status_messages: Mapping[int, str] | Sequence[Any] | None = None,
    *,
    entry_id: str | None = None,
) -> dict[str, Any]:
    """A `BitstringStatusListEntry` for `credentialStatus` (index as a base-10 string).

    `status_messages` gives a message for each status value 0 .. 2**status_size - 1 (a mapping
    value -> message, `(value, message)` pairs, or the spec's `{"status": "0x..", "message"}`
    objects); it is required when `status_size` > 1. `entry_id` defaults to `<list_url>#<index>`.
    """
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(
            f"statusPurpose must be one of {sorted(STATUS_PURPOSES)} (got {purpose!r}).",
            code="STATUS_PURPOSE_ERROR",
        )
    _check_status_size(status_size)
    if not isinstance(list_url, str) or ":" not in list_url or any(c.isspace() for c in list_url):
        raise StatusListError(
            f"statusListCredential must be an absolute URL (got {list_url!r}).",
            code="STATUS_ENTRY_ERROR",
        )
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(
            f"statusListIndex must be a non-negative integer (got {index!r}).",
            code="STATUS_RANGE_ERROR",
        )
    entry: dict[str, Any] = {
        "id": entry_id or f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }
    if status_size > 1 or status_messages is not None:
        items = _message_items(status_messages)
        expected = set(range(1 << status_size))
        if set(items) != expected:
            raise StatusListError(
                f"A statusSize of {status_size} needs a statusMessage for each of the "
                f"{1 << status_size} values 0 to {(1 << status_size) - 1}.",
                code="STATUS_MESSAGE_ERROR",
            )
        entry["statusSize"] = status_size
        entry["statusMessage"] = [
            {"status": hex(value), "message": str(items[value])} for value in sorted(items)
        ]
    return entry


def _message_items(messages: Mapping[int, str] | Sequence[Any] | None) -> dict[int, str]:
    if isinstance(messages, Mapping):
        return dict(messages)
    items: dict[int, str] = {}
    for item in messages or ():
        if isinstance(item, Mapping):
            try:
                items[int(str(item.get("status")), 16)] = str(item.get("message"))
            except ValueError as exc:
                raise StatusListError(f"statusMessage status {item.get('status')!r} is not hex.",
                                      code="STATUS_MESSAGE_ERROR") from exc
        else:
            value, message = item
            items[int(value)] = str(message)
    return items


@dataclass(frozen=True)
class StatusCheck:
    """The outcome of reading one status entry from a list (code STATUS_OK when valid)."""

    status: int
    purpose: str
    code: str
    message: str

    @property
    def ok(self) -> bool:
        return self.code == "STATUS_OK"


def _fail(code: str, message: str, purpose: str = "", status: int = 0) -> StatusCheck:
    return StatusCheck(status=status, purpose=purpose, code=code, message=message)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_entry(entry: Mapping[str, Any], list_credential: Mapping[str, Any]) -> StatusCheck:
    """Read the status that `entry` points to in an (already verified) list credential."""
    if not isinstance(entry, Mapping) or not isinstance(list_credential, Mapping):
        return _fail("STATUS_ENTRY_MALFORMED", "The status entry or the list is not an object.")
    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str):
        return _fail("STATUS_ENTRY_MALFORMED", "The status entry has no statusPurpose.")
    raw_index = entry.get("statusListIndex")
    if isinstance(raw_index, bool) or not isinstance(raw_index, (str, int)):
        return _fail("STATUS_ENTRY_MALFORMED", "The status entry has no statusListIndex.", purpose)
    text = str(raw_index)
    if not text.isascii() or not text.isdigit():
        return _fail(
            "STATUS_RANGE_ERROR",
            f"statusListIndex {raw_index!r} is not a non-negative base-10 integer.",
            purpose,
        )
    index = int(text)
    raw_size = entry.get("statusSize", 1)
    if isinstance(raw_size, str) and raw_size.isascii() and raw_size.isdigit():
        raw_size = int(raw_size)
    if isinstance(raw_size, bool) or not isinstance(raw_size, int) or not (
        1 <= raw_size <= _MAX_STATUS_SIZE
    ):
        return _fail("STATUS_ENTRY_MALFORMED", f"statusSize {raw_size!r} is not supported.",
                     purpose)
    size: int = raw_size
    messages = _status_messages(entry, size)
    if messages is None:
        return _fail(
            "STATUS_ENTRY_MALFORMED",
            f"A statusSize of {size} needs a statusMessage list of {1 << size} items.",
            purpose,
        )

    subjects = [s for s in _as_list(list_credential.get("credentialSubject"))
                if isinstance(s, Mapping)]
    subject = next((s for s in subjects if purpose in _as_list(s.get("statusPurpose"))), None)
    if subject is None:
        listed = sorted({p for s in subjects for p in _as_list(s.get("statusPurpose"))
                         if isinstance(p, str)})
        return _fail(
            "STATUS_PURPOSE_MISMATCH",
            f"The entry's purpose {purpose!r} is not among the list's purposes {listed}.",
            purpose,
        )
    try:
        bits = decode(subject.get("encodedList"), size)  # type: ignore[arg-type]
    except StatusListError as exc:
        return _fail(exc.code, exc.message, purpose)
    if index >= bits.length:
        return _fail(
            "STATUS_RANGE_ERROR",
            f"statusListIndex {index} is beyond the end of the list ({bits.length} entries).",
            purpose,
        )
    status = bits.get(index)
    return _interpret(status, purpose, messages)


def _status_messages(entry: Mapping[str, Any], size: int) -> dict[int, str] | None:
    raw = entry.get("statusMessage")
    if raw is None:
        return {} if size == 1 else None
    out: dict[int, str] = {}
    for item in _as_list(raw):
        if not isinstance(item, Mapping):
            return None
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not isinstance(message, str):
            return None
        try:
            out[int(status, 16)] = message
        except ValueError:
            return None
    if size > 1 and set(out) != set(range(1 << size)):
        return None
    return out


def _interpret(status: int, purpose: str, messages: dict[int, str]) -> StatusCheck:
    message = messages.get(status)
    if status == 0:
        text = "The credential's status is clear"
        return StatusCheck(status, purpose, "STATUS_OK",
                           text + (f" ({message})." if message else "."))
    if purpose == "revocation":
        return StatusCheck(status, purpose, "STATUS_REVOKED", "The issuer has revoked this "
                           "credential" + (f": {message}." if message else "."))
    if purpose == "suspension":
        return StatusCheck(status, purpose, "STATUS_SUSPENDED", "The issuer has suspended this "
                           "credential" + (f": {message}." if message else "."))
    if purpose == "refresh":
        return StatusCheck(status, purpose, "STATUS_REFRESH", "The issuer asks holders to "
                           "refresh this credential.")
    shown = message if message is not None else hex(status)
    return StatusCheck(status, purpose, "STATUS_MESSAGE",
                       f"The status list reports {hex(status)} for this credential: {shown}.")
