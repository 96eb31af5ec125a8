"""Every write of the Open Badges API, each in one transaction with an audit entry.

`upsert_credential` keeps a credential pushed by a client in the learner's record: a new one
through the records app's import service (verified, stored verbatim), one with the id of an
earlier import is verified the same way and replaces it. `update_profile` changes the learner's
name. `revoke_client` ends every grant of one client for the learner (Connected apps).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_grant_model, get_refresh_token_model
from oauth2_provider.settings import oauth2_settings

from microdegree.audit.services import log_action
from microdegree.records import record as record_mod
from microdegree.records import services as records
from microdegree.records.models import ImportedCredential
from microdegree.records.services import RecordError

if TYPE_CHECKING:
    from microdegree.vc.extract import Extracted


@dataclass
class Upserted:
    document: str  # the credential as the record keeps it (what GET /credentials returns)
    jws: bool
    created: bool


def _reasons(report: Any) -> list[str]:
    out = [c.message for c in report.errors]
    for child in report.nested:
        out.extend(_reasons(child))
    return out


def _platform_credential(user: Any, credential_id: str) -> Any:
    if not credential_id:
        return None
    return next((c for c in record_mod.platform_credentials(user)
                 if c.credential_id == credential_id), None)


def upsert_credential(user: Any, text: str, *, client_id: str = "") -> Upserted:
    """Create or replace (same credential `id`) an imported credential; RecordError when the
    credential does not verify (nothing changes)."""
    from microdegree.vc.extract import ExtractError, extract
    from microdegree.verification.services import tools

    try:
        extracted = extract(text, resolver=tools().resolver)
    except ExtractError as exc:
        raise RecordError(exc.message, code=exc.code, reasons=[exc.message]) from exc
    credential_id = str(extracted.document.get("id") or "")[:500]
    issued_here = _platform_credential(user, credential_id)
    if issued_here is not None:
        # issued on this platform and already in the record: the same credential is a no-op,
        # anything else with its id is refused (the issuer's copy is never replaced)
        if json.loads(issued_here.document) != extracted.document:
            raise RecordError("A credential with this id was issued on this platform and is "
                              "in the record already; it cannot be replaced.",
                              code="ISSUED_HERE")
        return Upserted(issued_here.document, False, False)
    from microdegree.verification.services import verify_document

    # once, for whichever path stores it; as for any import, an unknown status is kept as such
    verification = verify_document(extracted, accept_unknown_status=True)
    if not verification.report.verified:
        raise RecordError("This credential did not verify, so it was not added.",
                          code="NOT_VERIFIED", reasons=_reasons(verification.report))
    # the look-up and the insert race another upsert of the same id: the unique constraint
    # (user, credential_id) lets one insert win; the other is refused as DUPLICATE and replaces
    # the winner's row instead (200, not a second import); a row removed between the look-up
    # and the lock is looked up again
    for _attempt in range(3):
        if not records.import_exists(user, credential_id):
            try:
                imported = records.import_credential(user, text, source_url="",
                                                     extracted=extracted,
                                                     verification=verification)
            except RecordError as exc:
                if exc.code != "DUPLICATE":
                    raise
            else:
                with transaction.atomic():
                    log_action(user, "obapi.credential_upserted", imported,
                               after={"credential_id": credential_id, "created": True,
                                      "client_id": client_id})
                return Upserted(imported.document, imported.format == "jwt", True)
        replaced = _replace(user, extracted, verification, text, credential_id,
                            client_id=client_id)
        if replaced is not None:
            return replaced
    raise RecordError("The credential changed in the record while it was being saved; "
                      "send it again.", code="CONFLICT", status=409)


def _replace(user: Any, extracted: Extracted, verification: Any, text: str,
             credential_id: str, *, client_id: str) -> Upserted | None:
    """Replace the learner's import with this credential id by `extracted` (verified); None
    when there is none (any more)."""
    document = extracted.document
    issuer = document.get("issuer")
    summary = verification.summary
    with transaction.atomic():
        locked = (ImportedCredential.objects.select_for_update()
                  .filter(user=user, credential_id=credential_id).first())
        if locked is None:
            return None
        before = {"format": locked.format, "status": locked.status}
        locked.document = extracted.text if extracted.text is not None else text
        locked.format = "jwt" if extracted.jws else extracted.format
        locked.decoded = document
        locked.issuer_id = str(issuer.get("id") if isinstance(issuer, dict)
                               else issuer or "")[:500]
        locked.name = ((summary.name if summary else None) or "")[:300]
        locked.status = records.state_of(verification.report)
        locked.checked_at = timezone.now()
        locked.addressed = record_mod.addressed_to(user, document)
        locked.save()
        log_action(user, "obapi.credential_upserted", locked, before=before,
                   after={"credential_id": credential_id, "created": False,
                          "client_id": client_id, "format": locked.format})
    return Upserted(locked.document, locked.format == "jwt", False)


PROFILE_FIELDS = ("name", "givenName", "familyName")


def update_profile(user: Any, data: dict[str, Any], *, client_id: str = "") -> Any:
    """Set the learner's name from an OB Profile (`name`, or `givenName` / `familyName`)."""
    given = data.get("givenName")
    family = data.get("familyName")
    name = data.get("name")
    for label, value in (("name", name), ("givenName", given), ("familyName", family)):
        if value is not None and (not isinstance(value, str) or len(value) > 150):
            raise RecordError(f"{label} must be a string of at most 150 characters.",
                              code="INVALID")
    if given is None and family is None:
        if name is None:
            raise RecordError("Give name, givenName or familyName.", code="INVALID")
        given, family = name, ""
    with transaction.atomic():
        before = {"first_name": user.first_name, "last_name": user.last_name}
        user.first_name = (given or "").strip()
        user.last_name = (family or "").strip()
        user.save(update_fields=["first_name", "last_name"])
        log_action(user, "obapi.profile_updated", user, object_type="auth.User",
                   before=before, after={"first_name": user.first_name,
                                         "last_name": user.last_name, "client_id": client_id})
    return user


def connected_clients(user: Any) -> list[dict[str, Any]]:
    """The clients holding a live token or grant for the learner, with their scopes."""
    now = timezone.now()
    apps: dict[int, dict[str, Any]] = {}
    for token in (get_access_token_model().objects.select_related("application")
                  .filter(user=user, expires__gt=now, application__isnull=False)):
        entry = apps.setdefault(token.application_id, {"application": token.application,
                                                       "scopes": set(), "since": token.created})
        entry["scopes"].update(token.scope.split())
        entry["since"] = min(entry["since"], token.created)
    live = get_refresh_token_model().objects.filter(user=user, revoked__isnull=True)
    lifetime = oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS
    if lifetime:
        live = live.filter(created__gt=now - timedelta(seconds=lifetime))
    for refresh in live.select_related("application"):
        entry = apps.setdefault(refresh.application_id, {"application": refresh.application,
                                                         "scopes": set(),
                                                         "since": refresh.created})
        entry["since"] = min(entry["since"], refresh.created)
    return sorted(apps.values(), key=lambda e: e["since"])


def revoke_client(user: Any, application_id: int) -> int:
    """End every token and pending grant the learner gave one client; the count ended."""
    with transaction.atomic():
        access = get_access_token_model().objects.filter(user=user,
                                                         application_id=application_id)
        refresh = get_refresh_token_model().objects.filter(user=user,
                                                           application_id=application_id,
                                                           revoked__isnull=True)
        grants = get_grant_model().objects.filter(user=user, application_id=application_id)
        count = access.count() + refresh.count() + grants.count()
        if count == 0:
            raise RecordError("This app has no access to your record.", code="NOT_FOUND",
                              status=404)
        refresh.update(revoked=timezone.now())
        access.delete()
        grants.delete()
        log_action(user, "obapi.client_revoked", object_type="oauth2_provider.Application",
                   object_id=str(application_id), after={"ended": count})
    return count
