"""The VC API's writes and checks: issue, change status, verify credentials and presentations.

- `issue(token, credential, ...)`: fill in issuer (the token's institution DID), `id` and
  `validFrom` when absent, hold an issuer profile to the registered one (`issuer_profile`),
  check the credential (`validation.problems`), add Bitstring status entries from the
  institution's own lists when asked, sign with the institution's key and store the exact text
  (`ApiCredential`), all in one transaction with an audit entry.
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
from django.db import IntegrityError, transaction
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
from microdegree.vc import claims, proofs
from microdegree.vc.report import Report
from microdegree.vc.status import status_entry
from microdegree.vc.verify import verify as core_verify
from microdegree.vcapi import caching, issuer_profile, messages, v11, validation
from microdegree.vcapi.messages import MessageStatus
from microdegree.vcapi.models import ApiCredential
from microdegree.verification import services as verification_services
from microdegree.verification.registry import platform_registry
from microdegree.webhooks import payloads as hooks
from microdegree.webhooks.outbox import emit

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


def _claim_problems(document: dict[str, Any]) -> list[validation.Problem]:
    """Credits earned above the credits its achievement offers, and results outside the result
    description they name, refused as the awarding service refuses them (issuing `limits`)."""
    out = []
    for problem in claims.credential_problems(document):
        path = ("$.credentialSubject.creditsEarned" if problem.field == "creditsEarned"
                else f"$.credentialSubject.result[{problem.index}].value")
        subject = document.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        name = achievement.get("name") if isinstance(achievement, dict) else None
        out.append(validation.Problem(problem.code, issuing_services.claim_sentence(
            problem, name if isinstance(name, str) else "?", label=""), path))
    return out


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


def check_can_issue(token: ApiToken) -> Institution:
    """The token's institution, if the token may issue there (before any replay is answered)."""
    inst = token.institution
    if token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied("This token cannot issue (it needs the issuer role).")
    if not inst.is_approved:
        raise PermissionDenied("The institution is not approved yet, so it cannot issue.",
                               code="INSTITUTION_NOT_APPROVED")
    return inst


def issue(
    token: ApiToken,
    credential: dict[str, Any],
    *,
    cryptosuite: str = "eddsa-rdfc-2022",
    status_purposes: Sequence[str] = (),
    created: str | None = None,
    message_status: MessageStatus | None = None,
    status_reference: Any = None,
) -> ApiCredential:
    """Sign and store `credential` for the token's institution; raises a DomainError (4xx).

    The credential is issued in the data model it names: VCDM 2.0 (`validFrom`), or VCDM 1.1
    when its first context is `https://www.w3.org/2018/credentials/v1` (`issuanceDate`; the Data
    Integrity and status contexts are added for the proof and status terms, `v11.py`).
    """
    inst = check_can_issue(token)
    if cryptosuite not in SUITES:
        raise Invalid(f"Unsupported cryptosuite {cryptosuite!r}; use one of {', '.join(SUITES)}.",
                      code="CRYPTOSUITE_UNSUPPORTED")
    if not isinstance(credential, dict):
        raise Invalid("credential must be a JSON object.", code="CREDENTIAL_INVALID")
    document = copy.deepcopy(credential)
    issuer_did = inst.did
    if "issuer" not in document:
        document["issuer"] = issuer_did
    document.setdefault("id", f"urn:uuid:{uuid_mod.uuid4()}")
    if v11.is_v11(document):
        document.setdefault("issuanceDate", _iso(timezone.now()))
    else:
        document.setdefault("validFrom", _iso(timezone.now()))
    found = validation.structure_problems(document)
    if not found and _issuer_id(document) != issuer_did:
        found = [validation.Problem(
            "ISSUER_MISMATCH", f"The issuer must be this institution's DID, {issuer_did}.",
            "$.issuer")]
    if not found:
        found = issuer_profile.reconcile(document, issuer_profile.registered(inst))
    if not found:
        found = _claim_problems(document)
    if found:
        raise CredentialInvalid(found)
    credential_id = document["id"]
    if len(credential_id) > 500:
        raise CredentialInvalid([validation.Problem("ID_INVALID", "id is too long.", "$.id")])
    with transaction.atomic():
        _check_id_free(inst, credential_id)
        entries, fields = _status_entries(inst, status_purposes)
        if message_status is not None:
            entry, message_fields = messages.message_entry(inst, message_status)
            entries.append(entry)
            fields.update(message_fields)
        if status_reference is not None:
            for entry in entries:
                entry["statusReference"] = status_reference
        if entries:
            existing = validation._as_list(document.get("credentialStatus"))
            combined = [*existing, *entries]
            document["credentialStatus"] = combined[0] if len(combined) == 1 else combined
        if v11.is_v11(document):
            v11.add_contexts(document)
        found = (validation.jsonld_problems(document, cryptosuite)
                 or validation.schema_problems(document))
        if found:
            raise CredentialInvalid(found)
        key, verification_method = inst_services.signer_for(inst)
        signed = proofs.sign(document, key, verification_method=verification_method,
                             suite=cryptosuite, created=created)
        stored = _store(inst, credential_id, cryptosuite=cryptosuite,
                        document=doctext.stored_text(signed), token=token, **fields)
        log_action(_actor(token), "vcapi.credential_issued", stored, institution_id=inst.pk,
                   after={"credential_id": credential_id, "cryptosuite": cryptosuite,
                          "status": [*status_purposes,
                                     *(["message"] if message_status else [])],
                          "data_model": "1.1" if v11.is_v11(document) else "2.0"})
        emit("credential.issued", inst, lambda: hooks.api_credential(stored))
    return stored


def _id_taken(credential_id: str) -> Conflict:
    return Conflict(f"This institution already issued a credential with id {credential_id}.",
                    code="CREDENTIAL_ID_TAKEN")


def _check_id_free(inst: Institution, credential_id: str) -> None:
    if (ApiCredential.objects.filter(institution=inst, credential_id=credential_id).exists()
            or IssuedCredential.objects.filter(institution=inst,
                                               credential_id=credential_id).exists()):
        raise _id_taken(credential_id)


def _store(inst: Institution, credential_id: str, **fields: Any) -> ApiCredential:
    """Insert the credential in a savepoint: a concurrent request that stored the same `id`
    after our existence check makes the insert fail on the unique constraint (it waits for
    that request to commit), and that is the same 409 as the check's, not a 500."""
    try:
        with transaction.atomic():
            return ApiCredential.objects.create(institution=inst, credential_id=credential_id,
                                                **fields)
    except IntegrityError:
        if ApiCredential.objects.filter(institution=inst, credential_id=credential_id).exists():
            raise _id_taken(credential_id) from None
        raise


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
        emit(hooks.vcapi_event(action), locked.institution_id, lambda: hooks.api_credential(locked))
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


def change_message(token: ApiToken, credential_id: str, status: str,
                   reason: str = "Changed through the VC API") -> ApiCredential:
    """Set the value of a VC API credential's `message` status entry (e.g. "0x2"), audited."""
    if token.role != ApiToken.Role.ISSUER:
        raise PermissionDenied("This token cannot change status (it needs the issuer role).")
    found = ApiCredential.objects.filter(institution=token.institution,
                                         credential_id=credential_id).first()
    if found is None:
        if IssuedCredential.objects.filter(institution=token.institution,
                                           credential_id=credential_id).exists():
            raise Conflict("This credential was issued without a message status entry.",
                           code="STATUS_NOT_AVAILABLE")
        raise NotFound("No such credential.")
    with transaction.atomic():
        cred = ApiCredential.objects.select_for_update().get(pk=found.pk)
        before = {"message": messages.current(cred)}
        value = messages.set_message(cred, status)
        log_action(_actor(token), "vcapi.credential_message", cred,
                   institution_id=cred.institution_id, before=before,
                   after={"message": hex(value)}, note=reason)
    return cred


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
