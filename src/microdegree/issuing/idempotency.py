"""`Idempotency-Key` for the APIs that issue (the issuing API and the VC API's issue).

`run(inst, key, fingerprint, produce)` decides inside ONE transaction whether a request is new
or a replay: it inserts an `IdempotentRequest` row for (institution, key) first, then calls
`produce()` (which issues, in the same transaction) and stores its response on that row. A
concurrent request with the same key blocks on the unique constraint until the first one ends:
if it committed, the loser reads the stored response (a replay); if it rolled back, the loser
goes on as the first. So N simultaneous requests with one key issue one credential, one answer
201 and the others 200 with `Idempotent-Replayed: true` and the same body. The same key with a
different request (another endpoint or body: `fingerprint`) is a 422 `IDEMPOTENCY_KEY_REUSED`.
Failed requests (4xx) store nothing: the key can be used again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from microdegree.institutions.errors import DomainError, Invalid
from microdegree.institutions.models import Institution
from microdegree.issuing.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_KEY = 200


class KeyReused(DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    status = 422


@dataclass(frozen=True)
class Stored:
    """A response to keep (status, JSON text, Location) and whether it replays an earlier one."""

    status: int
    body: str
    location: str = ""
    replayed: bool = False

    def http(self, content_type: str = "application/json") -> HttpResponse:
        """As an HTTP response: a replay answers 200 with `Idempotent-Replayed: true`."""
        response = HttpResponse(self.body, status=200 if self.replayed else self.status,
                                content_type=content_type)
        if self.replayed:
            response[REPLAYED] = "true"
        if self.location:
            response["Location"] = self.location
        return response


def key_of(headers: Any) -> str | None:
    """The request's `Idempotency-Key` (None when absent); 400 when it is not a usable key."""
    raw = headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # a structured-field string (the IETF draft)
        key = key[1:-1]
    if not key or len(key) > MAX_KEY or not all(" " <= c <= "~" for c in key):
        raise Invalid(_("%(HEADER)s must be 1 to %(MAX_KEY)s printable ASCII characters.")
                      % {"HEADER": HEADER, "MAX_KEY": MAX_KEY},
                      code="IDEMPOTENCY_KEY_INVALID")
    return key


def fingerprint(endpoint: str, body: bytes) -> str:
    """SHA-256 of the endpoint and the request body as canonical JSON (sorted keys, no spaces),
    so that key order and spacing do not matter; a body that is not JSON is hashed as its bytes.
    (Not RFC 8785: that refuses integers beyond 2^53, which a request may well hold.)"""
    try:
        data = json.dumps(json.loads(body or b"{}"), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode()
    except (ValueError, TypeError, RecursionError):
        data = bytes(body)
    return hashlib.sha256(endpoint.encode() + b"\n" + data).hexdigest()


def run(inst: Institution, key: str | None, print_: str, produce: Callable[[], Stored]
        ) -> Stored:
    """`produce()` once per (institution, key); a replay gets the first response back."""
    if key is None:
        return produce()
    with transaction.atomic():
        record, first = _claim(inst, key, print_)
        if not first:
            if record.fingerprint != print_:
                raise KeyReused(f"The {HEADER} {key!r} was already used for a different "
                                "request; use a new key for a new request.")
            return Stored(record.status, record.body, record.location, replayed=True)
        outcome = produce()
        record.status, record.body, record.location = (outcome.status, outcome.body,
                                                       outcome.location)
        record.save(update_fields=["status", "body", "location"])
    return outcome


def _claim(inst: Institution, key: str, print_: str) -> tuple[IdempotentRequest, bool]:
    """Insert the key's row (waiting for a concurrent holder of the key to finish), or read
    the row the holder committed."""
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(institution=inst, key=key,
                                                    fingerprint=print_), True
    except IntegrityError:
        return IdempotentRequest.objects.get(institution=inst, key=key), False
