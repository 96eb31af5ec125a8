"""Verifying the credentials of an application (or of a "What is it worth?" question) with the
platform's verifier, and turning each into `CredentialFacts`.

Verification is the platform's full pipeline (`verification.services.verify_input`: proof, key
bound to the issuer, dates, status lists, registry). The recipient check is ours: a credential
counts for an applicant only if it names one of their *verified* e-mail addresses (salted
identity hash) or the DID bound to their record.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from microdegree import config
from microdegree.institutions.errors import Invalid
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition.facts import CredentialFacts, Verdict, facts_of
from microdegree.records.models import LearnerDid
from microdegree.records.record import names_recipient, verified_emails
from microdegree.vc.credits import CreditsInvalid
from microdegree.vc.extract import Extracted, ExtractError, extract
from microdegree.vc.report import Outcome, Report
from microdegree.verification.services import Verification, verify_document
from microdegree.verification.services import tools as verification_tools

# Per application or question, counting each credential inside a presentation: bounds the
# verification work of one request (each is checked in full: proof, keys, status lists).
MAX_CREDENTIALS = 50
DEFAULT_MAX_FILES = 10  # files uploaded at once to /worth (MICRODEGREE_WORTH_MAX_FILES)


def _is_presentation(document: dict[str, Any] | None) -> bool:
    types = document.get("type") if document else None
    types = types if isinstance(types, list) else [types]
    return "VerifiablePresentation" in types


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return "urn:sha256:" + hashlib.sha256(data).hexdigest()


class Applicant:
    """Who the credentials must name: verified e-mail addresses and a bound DID."""

    def __init__(self, user: Any) -> None:
        self.emails = verified_emails(user)
        bound = LearnerDid.objects.filter(user=user).first()
        self.did = bound.did if bound else None

    def named_in(self, document: dict[str, Any]) -> bool:
        if self.did:
            subjects = document.get("credentialSubject")
            for subject in subjects if isinstance(subjects, list) else [subjects]:
                if isinstance(subject, dict) and subject.get("id") == self.did:
                    return True
        return names_recipient(document, self.emails)


def _facts(verification: Verification, key: str, position: int,
           applicant: Applicant | None) -> CredentialFacts:
    try:
        facts = facts_of(verification.document, verification.report, key=key,
                         position=position)
    except CreditsInvalid as exc:  # NaN, Infinity, negative: refused, never counted or shown
        raise Invalid(_("Credential %(value)s: %(message)s")
                      % {"value": position + 1, "message": exc.message}, code=exc.code) from exc
    if (applicant is not None and facts.verdict == Verdict.OK
            and verification.document is not None
            and not applicant.named_in(verification.document)):
        facts.verdict = Verdict.NOT_APPLICANT
        facts.verdict_message = "The credential names someone else."
    return facts


def _platform_states(facts: list[CredentialFacts]) -> None:
    """This platform's own credentials: the database knows a suspension even when the credential
    carries only its revocation entry (the default, see issuing.services.embed_suspension)."""
    keys = [f.key for f in facts if f.verdict == Verdict.OK and f.key.startswith("urn:uuid:")]
    if not keys:
        return
    states = dict(IssuedCredential.objects.filter(credential_id__in=keys)
                  .values_list("credential_id", "state"))
    for item in facts:
        state = states.get(item.key)
        if item.verdict == Verdict.OK and state == IssuedCredential.State.SUSPENDED:
            item.verdict = Verdict.SUSPENDED
            item.verdict_message = "The issuer has suspended it."
        elif item.verdict == Verdict.OK and state == IssuedCredential.State.REVOKED:
            item.verdict = Verdict.REVOKED
            item.verdict_message = "The issuer has revoked it."


def max_files() -> int:
    """Files uploaded to one "What is it worth?" question (MICRODEGREE_WORTH_MAX_FILES)."""
    value = getattr(settings, "MICRODEGREE_WORTH_MAX_FILES", None)
    if value is None:
        value = config.env("WORTH_MAX_FILES") or DEFAULT_MAX_FILES
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return DEFAULT_MAX_FILES


def _read(text: str | bytes | dict[str, Any]) -> Extracted | Report:
    """The credential in one item, read once: a dict as it is, text or bytes through the
    extraction; unreadable input is a failed report (never read again)."""
    if isinstance(text, dict):
        return Extracted(document=text, format="json")
    try:
        return extract(text, resolver=verification_tools().resolver)
    except ExtractError as exc:
        report = Report()
        report.add("input", Outcome.FAIL, exc.code, exc.message)
        return report


def _weight(item: Extracted | Report) -> int:
    """The credentials one item makes the verifier check: a presentation, each one inside."""
    if isinstance(item, Report):
        return 0
    if not _is_presentation(item.document):
        return 1
    inner = item.document.get("verifiableCredential")
    return max(1, len(inner) if isinstance(inner, list) else 1)


def count_credentials(items: Sequence[Extracted | Report]) -> int:
    return sum(_weight(item) for item in items)


def check_all(texts: Sequence[str | bytes | dict[str, Any]], *, applicant: Any = None,
              now: datetime | None = None) -> list[CredentialFacts]:
    """Facts for each given credential (a presentation gives one per credential inside).

    Every item is read once and the credentials are counted (those inside presentations too)
    before anything is verified: more than MAX_CREDENTIALS is refused with Invalid
    TOO_MANY_CREDENTIALS, so one request never verifies more than that.
    """
    items = [_read(text) for text in texts]
    total = count_credentials(items)
    if total > MAX_CREDENTIALS:
        raise Invalid(
            _("These hold %(total)s credentials (counting each one inside a presentation); at "
              "most %(MAX_CREDENTIALS)s are checked at once.")
            % {"total": total, "MAX_CREDENTIALS": MAX_CREDENTIALS},
            code="TOO_MANY_CREDENTIALS")
    who = Applicant(applicant) if applicant is not None else None
    out: list[CredentialFacts] = []
    for text, item in zip(texts, items, strict=True):
        if isinstance(item, Report):
            verification = Verification(report=item, document=None, format="unknown")
        else:
            verification = verify_document(item, now=now)
        raw = json.dumps(text, sort_keys=True) if isinstance(text, dict) else text
        if _is_presentation(verification.document):
            for index, inner in enumerate(verification.nested):
                key = _digest(f"{_digest(raw)}#{index}")
                out.append(_facts(inner, key, len(out), who))
        else:
            out.append(_facts(verification, _digest(raw), len(out), who))
    out = out[:MAX_CREDENTIALS]
    _platform_states(out)
    return out
