"""The VC API's writes and checks: issue, change status, verify credentials and presentations.

- `issue(token, credential, ...)`: fill in issuer (the token's institution DID), `id` and
  `validFrom` when absent, check the credential (`validation.problems`), add Bitstring status
  entries from the institution's own lists when asked, sign with the institution's key and store
  the exact text (`ApiCredential`), all in one transaction with an audit entry.
- `change_status(token, credential_id, status)`: revoke, suspend or unsuspend a credential of the
  token's institution, whichever way it was issued (platform award or VC API); another
  institution's credential is the same 404 as a missing one.
- `verify(document, ...)`: the core pipeline with the verification app's platform-aware resolver,
  status fetcher and issuer registry (`verification.services.tools`), behind the bounded caches
  of `caching.py` (a status change made here is seen by the next verification at once); an
  unknown status fails unless the caller accepts it (`acceptUnknownStatus`).
"""

from __future__ import annotations

import copy
import threading
import uuid as uuid_mod
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from microdegree.audit.services import log_action
from microdegree.institutions import services as inst_services
from microdegree.institutions.errors import Conflict, Invalid, NotFound, PermissionDenied
from microdegree.institutions.models import Institution, SigningKey
from microdegree.issuing import doctext, statuslists
from microdegree.issuing import services as issuing_services
from microdegree.issuing.models import ApiToken, IssuedCredential, StatusList
from microdegree.vc import proofs
from microdegree.vc.report import Report
from microdegree.vc.status import status_entry
from microdegree.vc.verify import verify as core_verify
from microdegree.vcapi import caching, validation
from microdegree.vcapi.models import ApiCredential
from microdegree.verification import services as verification_services
from microdegree.verification.registry import platform_registry

SUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")
PURPOSES = ("revocation", "suspension")
STATUS_TYPES = ("BitstringStatusListEntry", "BitstringStatusListCredential")
STATUS_ACTIONS = {"revoked": "revoke", "suspended": "suspend", "unsuspended": "unsuspend",
                  "active": "unsuspend"}


class CredentialInvalid(Invalid):
    """A credential the issue endpoint will not sign; `problems` says why."""

    code = "CREDENTIAL_INVALID"

    def __init__(self, found: Sequence[validation.Problem]) -> None:
        first = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        super().__init__(f"{first.path}: {first.message}{more}", code=first.code)
        self.problems = list(found)


def _actor(token: ApiToken) -> str:
    return f"api-token:{token.prefix} ({token.name})"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _status_entries(inst: Any, purposes: Sequence[str]) -> tuple[list[dict[str, Any]],
                                                                  dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    fields: dict[str, Any] = {}
    for purpose in purposes:
        [(status_list, index)] = statuslists.allocate_indices(inst, purpose, 1)
        entries.append(status_entry(status_list.url, index, purpose))
        prefix = "status" if purpose == "revocation" else "suspension"
        fields[f"{prefix}_list"] = status_list
        fields[f"{prefix}_index"] = index
    return entries, fields


def issue(
    token: ApiToken,
    credential: dict[str, Any],
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    status_purposes: Sequence[str] = (),
    created: str | None = None,
) -> ApiCredential:
    """Sign and store `credential` for the token's institution; raises a DomainError (4xx)."""
    inst = token.institution
    if token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied("This token cannot issue (it needs the issuer role).")
    if not inst.is_approved:
        raise PermissionDenied("The institution is not approved yet, so it cannot issue.",
                               code="INSTITUTION_NOT_APPROVED")
    if cryptosuite not in SUITES:
        raise Invalid(f"Unsupported cryptosuite {cryptosuite!r}; use one of {', '.join(SUITES)}.",
                      code="CRYPTOSUITE_UNSUPPORTED")
    if not isinstance(credential, dict):
        raise Invalid("credential must be a JSON object.", code="CREDENTIAL_INVALID")
    document = copy.deepcopy(credential)
    if "issuer" not in document:
        document["issuer"] = inst.did
    document.setdefault("id", f"urn:uuid:{uuid_mod.uuid4()}")
    document.setdefault("validFrom", _iso(timezone.now()))
    found = validation.structure_problems(document)
    if not found and _issuer_id(document) != inst.did:
        found = [validation.Problem(
            "ISSUER_MISMATCH", f"The issuer must be this institution's DID, {inst.did}.",
            "$.issuer")]
    if found:
        raise CredentialInvalid(found)
    credential_id = document["id"]
    if len(credential_id) > 500:
        raise CredentialInvalid([validation.Problem("ID_INVALID", "id is too long.", "$.id")])
    with transaction.atomic():
        if (ApiCredential.objects.filter(institution=inst, credential_id=credential_id).exists()
                or IssuedCredential.objects.filter(institution=inst,
                                                   credential_id=credential_id).exists()):
            raise Conflict(f"This institution already issued a credential with id "
                           f"{credential_id}.", code="CREDENTIAL_ID_TAKEN")
        entries, fields = _status_entries(inst, status_purposes)
        if entries:
            existing = validation._as_list(document.get("credentialStatus"))
            combined = [*existing, *entries]
            document["credentialStatus"] = combined[0] if len(combined) == 1 else combined
        found = (validation.jsonld_problems(document, cryptosuite)
                 or validation.schema_problems(document))
        if found:
            raise CredentialInvalid(found)
        key, verification_method = inst_services.signer_for(inst)
        signed = proofs.sign(document, key, verification_method=verification_method,
                             suite=cryptosuite, created=created)
        stored = ApiCredential.objects.create(
            institution=inst, credential_id=credential_id, cryptosuite=cryptosuite,
            document=doctext.stored_text(signed),
            token=token, **fields,
        )
        log_action(_actor(token), "vcapi.credential_issued", stored, institution_id=inst.pk,
                   after={"credential_id": credential_id, "cryptosuite": cryptosuite,
                          "status": list(status_purposes)})
    return stored


# --- status -----------------------------------------------------------------------------------


def _change_api_credential(token: ApiToken, cred: ApiCredential, action: str,
                           reason: str) -> str:
    with transaction.atomic():
        locked = ApiCredential.objects.select_for_update().get(pk=cred.pk)
        before = {"state": locked.state}
        statuslists.move_to(locked, {"revoke": "revoked", "suspend": "suspended",
                                     "unsuspend": "active"}[action])
        locked.state_reason = reason
        locked.state_changed_at = timezone.now()
        locked.save(update_fields=["state", "state_reason", "state_changed_at"])
        log_action(_actor(token), f"vcapi.credential_{action}", locked,
                   institution_id=locked.institution_id, before=before,
                   after={"state": locked.state}, note=reason)
    return str(locked.state)


def change_status(token: ApiToken, credential_id: str, status: str,
                  reason: str = "Changed through the VC API") -> str:
    """Apply `status` (revoked, suspended, unsuspended/active); returns the new state."""
    if token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied("This token cannot change status (it needs the issuer role).")
    action = STATUS_ACTIONS.get(status)
    if action is None:
        raise Invalid(f"Unknown status {status!r}; use one of {', '.join(STATUS_ACTIONS)}.",
                      code="STATUS_INVALID")
    inst = token.institution
    issued = IssuedCredential.objects.filter(institution=inst, credential_id=credential_id).first()
    if issued is not None:
        changed = {"revoke": issuing_services.revoke, "suspend": issuing_services.suspend,
                   "unsuspend": issuing_services.unsuspend}[action](_actor(token), issued, reason)
        return str(changed.state)
    cred = ApiCredential.objects.filter(institution=inst, credential_id=credential_id).first()
    if cred is None:
        raise NotFound("No such credential.")
    return _change_api_credential(token, cred, action, reason)


# --- verification ------------------------------------------------------------------------------


_kit: caching.Kit | None = None
_kit_lock = threading.Lock()


def kit() -> caching.Kit:
    """The verification app's resolver, status fetcher and registry, behind bounded caches."""
    global _kit
    with _kit_lock:
        if _kit is None:
            tools = verification_services.tools()
            _kit = caching.build_kit(tools.resolver, tools.status_fetcher, platform_registry())
        return _kit


def use_kit(new: caching.Kit | None) -> None:
    """Replace the kit (tests: injected clock and fetchers); None rebuilds it on next use."""
    global _kit
    with _kit_lock:
        _kit = new


def verify(document: Any, *, challenge: str | None = None, domain: str | None = None,
           now: datetime | None = None, accept_unknown_status: bool = False) -> Report:
    """The core's report with this platform's resolver, status fetcher and registry.

    A status that cannot be determined (STATUS_RETRIEVAL_ERROR, ...) fails verification unless
    `accept_unknown_status`; this platform's own suspensions are reported even when the
    credential carries no suspension entry (`verification.services.platform_state`).
    """
    tools = kit()
    options = verification_services.verify_options(accept_unknown_status=accept_unknown_status)
    options["issuer_records"] = tools.records
    return core_verify(document, now=now, resolver=tools.resolver,
                       status_fetcher=tools.status_fetcher, registry=tools.registry,
                       challenge=challenge, domain=domain, **options)


@receiver(post_save, sender=StatusList)
def _status_list_changed(**kwargs: Any) -> None:
    if _kit is not None:
        _kit.status_fetcher.clear()


@receiver(post_save, sender=IssuedCredential)
def _award_changed(**kwargs: Any) -> None:
    if _kit is not None:
        _kit.records.clear()


@receiver(post_save, sender=SigningKey)
@receiver(post_save, sender=Institution)
def _issuer_changed(**kwargs: Any) -> None:
    if _kit is not None:
        _kit.resolver.clear()
        _kit.registry.clear()


@receiver(setting_changed)
def _setting_changed(setting: str, **kwargs: Any) -> None:
    if setting.startswith("MICRODEGREE_") or setting == "PUBLIC_URL":
        use_kit(None)
