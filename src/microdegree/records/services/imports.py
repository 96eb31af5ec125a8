"""Imports: outside credentials verified and kept verbatim in the learner's record, checked
again on demand."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from microdegree.audit.services import log_action
from microdegree.records import record as record_mod
from microdegree.records.models import (
    ImportedCredential,
)
from microdegree.records.services.accounts import RecordError, owned
from microdegree.vc.report import Report


@dataclass
class ImportResult:
    imported: ImportedCredential | None
    report: Report
    reasons: list[str]


def _reasons(report: Report) -> list[str]:
    out = [c.message for c in report.errors]
    for child in report.nested:
        out.extend(_reasons(child))
    return out


def state_of(report: Report) -> str:
    """A record state from a verification report: revoked, suspended, expired, not yet valid,
    status unknown, valid, or not verified (any other failure)."""
    for code, state in (("STATUS_REVOKED", "revoked"), ("STATUS_SUSPENDED", "suspended"),
                        ("EXPIRED", "expired"), ("NOT_YET_VALID", "not yet valid")):
        if any(c.code == code for c in report.checks):
            return state
    from microdegree.vc.verify import STATUS_UNDETERMINED

    if not report.verified:
        only_status = (all(c.code in STATUS_UNDETERMINED for c in report.errors)
                       and all(r.verified for r in report.nested))
        return "status unknown" if only_status else "not verified"
    if any(c.code in STATUS_UNDETERMINED for c in report.checks):
        return "status unknown"
    return "valid"


def recheck_import(user: Any, item_key: str) -> ImportedCredential:
    """Verify an imported credential again (status lists, expiry, keys) and keep the outcome."""
    from microdegree.verification.services import verify_for_people

    _, imported = owned(user, item_key)
    if imported is None:
        raise RecordError(gettext("Platform credentials are always shown with their live state."),
                          code="NOT_IMPORTED", status=409)
    state = state_of(verify_for_people(imported.document))
    with transaction.atomic():
        before = imported.status
        imported.status = state
        imported.checked_at = timezone.now()
        imported.save(update_fields=["status", "checked_at"])
        log_action(user, "records.import_checked", imported, before={"status": before},
                   after={"status": state})
    return imported


def import_credential(user: Any, data: bytes | str, *, source_url: str = "",
                      extracted: Any = None, verification: Any = None) -> ImportedCredential:
    """Verify a credential (JSON, VC-JWT, baked PNG/SVG) and keep it verbatim in the record.

    RecordError with the verifier's reasons when it does not verify (nothing is stored). A
    caller that has already extracted `data` (and verified it) passes `extracted` (and
    `verification`), so neither is done twice.
    """
    from microdegree.vc.extract import ExtractError, extract
    from microdegree.verification.services import tools, verify_document

    if extracted is None:
        try:
            extracted = extract(data, resolver=tools().resolver)
        except ExtractError as exc:
            raise RecordError(exc.message, code=exc.code, reasons=[exc.message]) from exc
    if verification is None:
        # the learner's own record: a credential whose status cannot be determined now is kept,
        # shown as "status unknown" (and checked again on request)
        verification = verify_document(extracted, accept_unknown_status=True)
    if not verification.report.verified:
        reasons = _reasons(verification.report)
        raise RecordError(gettext("This credential did not verify, so it was not added."),
                          code="NOT_VERIFIED", reasons=reasons)
    document = extracted.document
    text = extracted.text if extracted.text is not None else json.dumps(document)
    credential_id = str(document.get("id") or "")[:500]
    issuer = document.get("issuer")
    issuer_id = str(issuer.get("id") if isinstance(issuer, dict) else issuer or "")[:500]
    summary = verification.summary
    duplicate = RecordError(gettext("This credential is already in your record."),
                            code="DUPLICATE", status=409)
    with transaction.atomic():
        if import_exists(user, credential_id):
            raise duplicate
        try:
            # a savepoint: an import of the same id committed meanwhile (two requests at once)
            # fails the unique constraint and leaves this transaction usable
            with transaction.atomic():
                imported = ImportedCredential.objects.create(
                    user=user, document=text,
                    format=extracted.format if not extracted.jws else "jwt",
                    decoded=document, credential_id=credential_id, issuer_id=issuer_id,
                    name=((summary.name if summary else None) or "")[:300],
                    source_url=source_url[:2000],
                    status=state_of(verification.report), checked_at=timezone.now(),
                    addressed=record_mod.addressed_to(user, document),
                )
        except IntegrityError:
            if import_exists(user, credential_id):
                raise duplicate from None  # what a moment later would have answered
            raise
        log_action(user, "records.credential_imported", imported,
                   after={"credential_id": credential_id, "issuer": issuer_id,
                          "format": imported.format, "addressed": imported.addressed,
                          "warnings": [c.code for c in verification.report.warnings]})
    return imported


def import_exists(user: Any, credential_id: str) -> bool:
    """Whether the record holds an import with this credential id (never for a blank id):
    after an IntegrityError, whether it was the `one_import_per_credential_id` constraint."""
    return bool(credential_id) and ImportedCredential.objects.filter(
        user=user, credential_id=credential_id).exists()


def import_from_url(user: Any, url: str) -> ImportedCredential:
    from microdegree.vc.extract import ExtractError
    from microdegree.verification.services import fetch_credential

    try:
        data = fetch_credential(url)
    except ExtractError as exc:
        raise RecordError(exc.message, code=exc.code, reasons=[exc.message]) from exc
    return import_credential(user, data, source_url=url)


def remove_import(user: Any, item_key: str) -> None:
    _, imported = owned(user, item_key)
    if imported is None:
        raise RecordError(gettext("Only imported credentials can be removed from the record."),
                          code="NOT_IMPORTED", status=409)
    with transaction.atomic():
        log_action(user, "records.import_removed", imported,
                   before={"credential_id": imported.credential_id})
        imported.delete()
