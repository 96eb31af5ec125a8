"""Bitstring Status List entries with `statusPurpose: "message"` for the VC API.

An issue request may ask for one (`options.credentialStatus: {statusPurpose: "message",
statusSize: 2, statusMessage: [...], statusReference: ...}`): the entry gets a random index in
one of the institution's message lists of that `statusSize` (`/status/<slug>/message/<n>`,
`issuing.StatusList` with `status_size` bits per entry), and the credential keeps its place
(`ApiCredential.message_list`, `message_index`). `POST /credentials/status` with
`{statusPurpose: "message", status: "0x2"}` sets the entry's value; a verifier reads the value
and shows the issuer's message for it. The value starts at 0x0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from microdegree.institutions.errors import Conflict, Invalid
from microdegree.institutions.models import Institution
from microdegree.issuing import statuslists
from microdegree.vc.errors import StatusListError
from microdegree.vc.status import status_entry


@dataclass(frozen=True)
class MessageStatus:
    """What the request asked for: bits per entry and the message of each value."""

    status_size: int = 1
    status_message: tuple[dict[str, str], ...] | None = None


def message_entry(inst: Institution, wanted: MessageStatus) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """The credential's message entry and the ApiCredential fields that remember its place."""
    messages = list(wanted.status_message) if wanted.status_message is not None else None
    try:  # checked before an index is taken
        status_entry("https://example.invalid/list", 0, "message", wanted.status_size, messages)
    except StatusListError as exc:
        raise Invalid(exc.message, code=exc.code) from exc
    [(status_list, index)] = statuslists.allocate_indices(inst, "message", 1,
                                                          wanted.status_size)
    entry = status_entry(status_list.url, index, "message", wanted.status_size, messages)
    return entry, {"message_list": status_list, "message_index": index}


def parse_value(text: str, status_size: int) -> int:
    """A status value as the API receives it ("0x2", as in statusMessage) within the size."""
    try:
        value = int(text, 16) if text.lower().startswith("0x") else int(text, 10)
    except ValueError:
        value = -1
    if not 0 <= value < 1 << status_size:
        raise Invalid(f"The message status {text!r} is not a value from 0x0 to "
                      f"{hex((1 << status_size) - 1)} (statusSize {status_size}).",
                      code="STATUS_INVALID")
    return value


def set_message(cred: Any, text: str) -> int:
    """Set the message entry of a stored ApiCredential (locked by the caller) to `text`."""
    if cred.message_list_id is None:
        raise Conflict("This credential was issued without a message status entry.",
                       code="STATUS_NOT_AVAILABLE")
    status_list = cred.message_list
    value = parse_value(text, status_list.status_size)
    with transaction.atomic():
        statuslists.set_status(status_list, cred.message_index, value)
    return value


def current(cred: Any) -> str | None:
    """The message entry's value as "0x..", or None without one."""
    if cred.message_list_id is None:
        return None
    return hex(statuslists.get_status(cred.message_list, cred.message_index))
