"""Bitstring Status Lists: random index allocation, bit flips under a row lock, signed publication.

- `allocate_indices` hands out RANDOM free indices (W3C Bitstring Status List §7: sequential
  indices let an observer correlate issuance order) and never hands one out twice, even after
  revocation. A list is closed for allocation once `FULL_THRESHOLD` of it is used (random draws in
  an almost full list get slow); the next list is opened.
- `set_status` flips a bit under `SELECT ... FOR UPDATE` on the list row, so parallel revocations
  serialise on PostgreSQL and none is lost (on SQLite the IMMEDIATE transaction does the same).
- `publish` returns the signed BitstringStatusListCredential, re-signed with the institution's key
  only when `version` moved since the cached copy: the very next request after a change sees it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import transaction

from microdegree.audit.services import log_action
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution, SigningKey
from microdegree.issuing import doctext
from microdegree.issuing.errors import Conflict, Invalid
from microdegree.issuing.models import StatusList
from microdegree.vc import proofs
from microdegree.vc.builders import status_list_credential
from microdegree.vc.status import MIN_ENTRIES, BitstringStatusList

FULL_THRESHOLD = 0.9  # stop allocating from a list once 90% of its entries are used
TTL_SECONDS = 60  # Cache-Control max-age and the list credential's `ttl` (in ms there)



def random_indices(size: int, count: int) -> list[int]:
    """`count` independent uniform draws from range(size), from ONE read of the system's CSPRNG
    (`secrets.token_bytes`; a read per index was a syscall per index). Each draw takes the
    fewest whole bytes covering size - 1, masks to the bits needed and rejects values >= size
    (rejection sampling: uniform for any size); rejected draws are simply fewer results."""
    bits = max(1, (size - 1).bit_length())
    width = (bits + 7) // 8
    mask = (1 << bits) - 1
    pool = secrets.token_bytes(width * count)
    out = []
    for start in range(0, len(pool), width):
        value = int.from_bytes(pool[start:start + width], "big") & mask
        if value < size:
            out.append(value)
    return out


def _bitstring(data: bytes | memoryview, status_size: int = 1) -> BitstringStatusList:
    return BitstringStatusList._from_bytes(bytes(data), status_size)


def _empty_bits(size: int, status_size: int = 1) -> bytes:
    return bytes((size * status_size + 7) // 8)


def list_size() -> int:
    """Entries of each new list: the spec's minimum, 131,072 (herd privacy: a list shows which
    of its entries are set, so each must hide an entry among many). `STATUS_LIST_SIZE` in the
    settings changes it for tests only, so that a list fills up after a few awards and the next
    one opens (a million credentials take eight lists of each purpose at the minimum size, 90%
    used each)."""
    return int(getattr(settings, "STATUS_LIST_SIZE", 0) or MIN_ENTRIES)


def _capacity(status_list: StatusList) -> int:
    return int(status_list.size * FULL_THRESHOLD)


# Allocation reads and writes only `allocated` and `used`: not loading the published bits and the
# signed list credential (16 KiB and ~22 KB per list) saves most of each allocation's cost.
_NOT_FOR_ALLOCATION = ("bits", "signed_json")


def _bound_key(inst: Institution) -> SigningKey | None:
    """The key new lists are bound to: the active key of a did:key issuer, else none."""
    if inst.did_method != Institution.DidMethod.KEY:
        return None
    return inst_services.active_key(inst)


def _open_list(inst: Institution, purpose: str, status_size: int = 1) -> StatusList:
    """The list currently taking new entries, locked; opens the next one when it is full.
    Lists of one purpose are numbered together whatever their `status_size` and key."""
    bound = _bound_key(inst)
    current = (
        StatusList.objects.select_for_update(no_key=True)
        .filter(institution=inst, purpose=purpose, status_size=status_size, signing_key=bound)
        .defer(*_NOT_FOR_ALLOCATION)
        .order_by("-sequence")
        .first()
    )
    if current is not None and current.used < _capacity(current):
        return current
    # Serialise the creation of the next list on the institution row. Row locks here are FOR NO
    # KEY UPDATE: they serialise writers as FOR UPDATE would, but do not block the FOR KEY SHARE
    # that PostgreSQL's (deferred) foreign-key checks take at COMMIT of every transaction that
    # inserts a row naming this institution or list; with FOR UPDATE, concurrent first awards
    # deadlocked (a committing award waiting on the institution row held by a list opener that
    # waited on the committing award's list).
    Institution.objects.select_for_update(no_key=True).filter(pk=inst.pk).first()
    current = (
        StatusList.objects.select_for_update(no_key=True)
        .filter(institution=inst, purpose=purpose, status_size=status_size, signing_key=bound)
        .order_by("-sequence")
        .first()
    )
    if current is not None and current.used < _capacity(current):
        return current
    last = (StatusList.objects.filter(institution=inst, purpose=purpose)
            .order_by("-sequence").values_list("sequence", flat=True).first())
    size = list_size()
    return StatusList.objects.create(
        institution=inst,
        purpose=purpose,
        sequence=(last or 0) + 1,
        size=size,
        status_size=status_size,
        signing_key=bound,
        bits=_empty_bits(size, status_size),
        allocated=_empty_bits(size),
    )


def allocate_indices(inst: Institution, purpose: str, count: int, status_size: int = 1
                     ) -> list[tuple[StatusList, int]]:
    """`count` fresh random indices for `purpose`, spread over as many lists as needed.

    Runs in its own transaction (a savepoint if the caller already has one); the list rows stay
    locked until the outermost transaction ends, so call it outside a long transaction when
    throughput matters (bulk issuance): indices allocated by a transaction that later fails are
    simply never used, which is harmless.
    """
    if purpose not in StatusList.Purpose.values:
        raise Invalid(f"Unknown status purpose {purpose!r}.", code="STATUS_PURPOSE_INVALID")
    out: list[tuple[StatusList, int]] = []
    with transaction.atomic():
        # One lock order for every allocator: the institution row, then its lists. Locking the
        # open list first deadlocked once lists extend under concurrent workers: a worker
        # holding the full list N and the institution (opening list N+1) waited for list N+1,
        # held by a worker that had already allocated from it and, needing more, waited for
        # the institution (tests/bulk/test_scale.py, concurrent allocations).
        Institution.objects.select_for_update(no_key=True).filter(pk=inst.pk).values_list(
            "pk", flat=True).first()
        while len(out) < count:
            status_list = _open_list(inst, purpose, status_size)
            allocated = bytearray(status_list.allocated)
            take = min(count - len(out), _capacity(status_list) - status_list.used)
            picked: list[int] = []
            while len(picked) < take:
                for index in random_indices(status_list.size, take - len(picked)):
                    byte, mask = index // 8, 0x80 >> (index % 8)
                    if allocated[byte] & mask:
                        continue
                    allocated[byte] |= mask
                    picked.append(index)
            status_list.allocated = bytes(allocated)
            status_list.used += len(picked)
            status_list.save(update_fields=["allocated", "used", "updated_at"])
            out.extend((status_list, index) for index in picked)
    return out


def set_status(status_list: StatusList, index: int, value: int) -> bool:
    """Set entry `index` to `value` (1 or 0; up to 2**status_size - 1 in a message list); True
    if the entry changed (then `version` is bumped)."""
    with transaction.atomic():
        locked = StatusList.objects.select_for_update(no_key=True).get(pk=status_list.pk)
        bits = _bitstring(locked.bits, locked.status_size)
        if bits.get(index) == value:
            return False
        bits.set(index, value)
        locked.bits = bits.to_bytes()
        locked.version += 1
        locked.save(update_fields=["bits", "version", "updated_at"])
        status_list.bits, status_list.version = locked.bits, locked.version
        return True


def get_status(status_list: StatusList, index: int) -> int:
    return _bitstring(status_list.bits, status_list.status_size).get(index)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def list_credential(status_list: StatusList, *, valid_from: datetime) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential of `status_list` as it is now."""
    return status_list_credential(
        issuer=list_issuer(status_list),
        list_url=status_list.url,
        status_list=_bitstring(status_list.bits, status_list.status_size),
        purpose=status_list.purpose,
        valid_from=_iso(valid_from),
        ttl=TTL_SECONDS * 1000,
    )


def list_issuer(status_list: StatusList) -> str:
    """The list's issuer id: its key's did:key when bound to one, else the did:web (the id the
    credentials in it carry, so that a verifier sees one issuer for both)."""
    if status_list.signing_key_id is not None:
        return str(status_list.signing_key.did_key)
    return status_list.institution.web_did


def _list_signer(status_list: StatusList) -> tuple[Any, str]:
    """The private key and verification method that sign the list under `list_issuer`."""
    inst = status_list.institution
    bound = status_list.signing_key
    if bound is not None and bound.revoked_at is None:
        key, _ = inst_services.key_signer(bound)
        return key, f"{bound.did_key}#{bound.public_multibase}"
    active = inst_services.active_key(inst)
    key, _ = inst_services.key_signer(active)
    # A revoked key signs nothing more: a list bound to it then fails its own verification, so
    # the status of its did:key credentials is unknown (docs/adr/0016-did-key-issuers.md).
    return key, f"{inst.web_did}#{active.fragment}"


def publish(status_list: StatusList) -> dict[str, Any]:
    """The signed BitstringStatusListCredential (re-signed only if the bits changed)."""
    text, _ = published(status_list)
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def published(status_list: StatusList) -> tuple[str, str]:
    """The signed list credential as JSON text and its ETag, re-signed only if bits changed.

    Lock-free: concurrent publishers of the same version both sign, and the cache write is
    conditional on the version still being current, so a stale copy never overwrites a newer one.
    """
    fresh = StatusList.objects.select_related("institution", "signing_key").get(
        pk=status_list.pk)
    if fresh.signed_version == fresh.version and fresh.signed_json:
        return fresh.signed_json, fresh.etag
    inst = fresh.institution
    key, verification_method = _list_signer(fresh)
    signed = proofs.sign(
        list_credential(fresh, valid_from=datetime.now(UTC)), key,
        verification_method=verification_method, suite=inst.suite,
    )
    text = doctext.stored_text(signed)
    etag = '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'
    StatusList.objects.filter(pk=fresh.pk, version=fresh.version).update(
        signed_json=text, signed_version=fresh.version, etag=etag
    )
    return text, etag


def find_list(inst_slug: str, purpose: str, sequence: int) -> StatusList | None:
    return (
        StatusList.objects.select_related("institution")
        .filter(institution__slug=inst_slug, purpose=purpose, sequence=sequence)
        .first()
    )


def move_to(locked: Any, state: str) -> None:
    """Move a credential row to `state` ("revoked", "suspended" or "active") and set or clear
    its bit; the caller holds the row locked (select_for_update) and saves it.

    One state machine for every stored credential (issued here or through the VC API): revoked
    is final; suspend only what is not suspended; unsuspend only what is. A row issued without
    the entry the change needs (the VC API can leave one out) is a Conflict, as is any change
    the machine refuses.

    The bits are a function of the state (docs/adr/0006, amendment): active (0, 0), suspended
    (0, 1), revoked (1, 1) as (revocation, suspension). Revoking sets the suspension bit too
    (when the row has that entry) and nothing ever clears it: a revoked credential reads "not
    valid" in every list it is in, and a verifier holding a stale copy of one list never sees a
    suspended-then-revoked credential as valid.
    """
    if locked.state == "revoked":
        raise Conflict("This credential is revoked; revocation is permanent.",
                       code="ALREADY_REVOKED")
    if state == "revoked":
        status_list, index, bit = locked.status_list, locked.status_index, 1
        if status_list is None:
            raise Conflict("This credential was issued without a revocation entry.",
                           code="STATUS_NOT_AVAILABLE")
    else:
        status_list, index = locked.suspension_list, locked.suspension_index
        if status_list is None:
            raise Conflict("This credential was issued without a suspension entry.",
                           code="STATUS_NOT_AVAILABLE")
        if state == "suspended":
            if locked.state == "suspended":
                raise Conflict("This credential is already suspended.", code="ALREADY_SUSPENDED")
            bit = 1
        elif locked.state != "suspended":
            raise Conflict("This credential is not suspended.", code="NOT_SUSPENDED")
        else:
            bit = 0
    set_status(status_list, index, bit)
    if state == "revoked" and locked.suspension_list is not None:
        set_status(locked.suspension_list, locked.suspension_index, 1)
    locked.state = state


def _entry_holders() -> list[Any]:
    """Every model holding suspension entries with a state (IssuedCredential, the VC API's
    ApiCredential): found by its `suspension_list` foreign key, so issuing names no app above."""
    return [field.related_model for field in StatusList._meta.get_fields(include_hidden=True)
            if field.auto_created and not field.concrete and field.field.name == "suspension_list"]


def repair_revoked(actor: Any = "repair_status_lists", *, dry_run: bool = False) -> int:
    """Set the suspension bit of every revoked credential whose bit is clear (credentials
    revoked before the bits followed the state, see `move_to`); returns how many were (or, with
    `dry_run`, would be) set. One locked write and one audit entry per list changed."""
    wanted: dict[int, set[int]] = {}
    for model in _entry_holders():
        rows = (model.objects.filter(state="revoked", suspension_list__isnull=False)
                .values_list("suspension_list_id", "suspension_index"))
        for list_id, index in rows:
            wanted.setdefault(list_id, set()).add(index)
    total = 0
    for list_id, indices in sorted(wanted.items()):
        with transaction.atomic():
            locked = StatusList.objects.select_for_update(no_key=True).get(pk=list_id)
            bits = _bitstring(locked.bits)
            clear = sorted(i for i in indices if bits.get(i) == 0)
            if not clear:
                continue
            total += len(clear)
            if dry_run:
                continue
            for index in clear:
                bits.set(index, 1)
            locked.bits = bits.to_bytes()
            locked.version += 1
            locked.save(update_fields=["bits", "version", "updated_at"])
            log_action(actor, "statuslist.repaired", locked, institution_id=locked.institution_id,
                       after={"purpose": locked.purpose, "set": len(clear)},
                       note="suspension bits of revoked credentials set (ADR 0006 amendment)")
    return total
