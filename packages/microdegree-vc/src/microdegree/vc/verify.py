"""The verification pipeline: one `Report` per document, one `Check` per step, never an exception.

Order follows the Open Badges 3.0 verification section: input limits, structure, JSON Schema, each
proof and its key's binding to the issuer, the validity window, status, the issuer registry, the
recipient; then nested credentials (CLR envelopes, presentations, endorsements) get their own
reports. The checks themselves, one module per concern, are in `microdegree.vc._verify`; this
module runs them in that order and keeps the public names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc._verify.common import (
    ISSUER_NAME_MISMATCH,
    ISSUER_UNKNOWN,
    OB_SCHEMA_TYPE,
    STATUS_RETRIEVAL_ERROR,
    STATUS_UNDETERMINED,
    STATUS_UNKNOWN,
    STATUS_VERIFICATION_ERROR,
    VC_V1,
    VC_V2,
    IssuerRecords,
    Limits,
    Options,
    as_list,
    issuer_id,
    types_of,
)
from microdegree.vc._verify.dates import check_validity, parse_datetime
from microdegree.vc._verify.input import parse_input
from microdegree.vc._verify.issuer import check_recipient, check_registry, claimed_issuer_name
from microdegree.vc._verify.presentations import check_presentation
from microdegree.vc._verify.proofs import check_proofs
from microdegree.vc._verify.related import check_related
from microdegree.vc._verify.status import check_issuer_records, check_status
from microdegree.vc._verify.structure import check_schema, check_structure
from microdegree.vc.errors import VerifierUnavailable
from microdegree.vc.fetch import Fetcher
from microdegree.vc.registry import IssuerRegistry
from microdegree.vc.report import Outcome, Report

__all__ = [
    "ISSUER_NAME_MISMATCH",
    "ISSUER_UNKNOWN",
    "OB_SCHEMA_TYPE",
    "STATUS_RETRIEVAL_ERROR",
    "STATUS_UNDETERMINED",
    "STATUS_UNKNOWN",
    "STATUS_VERIFICATION_ERROR",
    "VC_V1",
    "VC_V2",
    "IssuerRecords",
    "Limits",
    "Options",
    "Verifier",
    "claimed_issuer_name",
    "parse_datetime",
    "verify",
]

log = logging.getLogger(__name__)


def verify(
    document: Any,
    *,
    now: datetime | None = None,
    resolver: did_mod.Resolver | None = None,
    status_fetcher: Fetcher | None = None,
    registry: IssuerRegistry | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    recipient: str | None = None,
    recipient_type: str | None = None,
    clock_skew: timedelta = timedelta(minutes=5),
    fatal: Collection[str] = (),
    limits: Limits | None = None,
    check_status: bool = True,
    accept_unknown_status: bool = False,
    issuer_records: IssuerRecords | None = None,
) -> Report:
    """Verify a credential or presentation (a dict, or JSON text/bytes) and return its report.

    `resolver` resolves DIDs and key URLs (default: did:key only, offline); `status_fetcher` fetches
    status list credentials (none given: status is reported unknown, never silently ok); `registry`
    says whether the issuer is known; `recipient` is an email (or other identifier) or a DID the
    credential must name; `fatal` lists warning codes (e.g. STATUS_UNKNOWN, ISSUER_UNKNOWN) that
    should count as failures.

    A status list that cannot be fetched or fails its own verification is a failure
    (STATUS_RETRIEVAL_ERROR / STATUS_VERIFICATION_ERROR, as the Bitstring Status List algorithm
    says) unless `accept_unknown_status` makes it a warning. Without a `status_fetcher` the
    status is a STATUS_UNKNOWN warning (the caller chose not to fetch; add it to `fatal` to
    fail). `issuer_records` (see `IssuerRecords`) adds what the issuer's own records know.

    The one exception it raises is `VerifierUnavailable`, from a resolver, fetcher or registry
    whose own infrastructure failed: that is no verdict about the document, and the caller says
    "try again" instead. Any other unexpected error is logged with its traceback and reported as
    a failed `VERIFIER_INTERNAL_ERROR` check.
    """
    report = Report()
    opts = Options(
        now=(now or datetime.now(UTC)),
        resolver=resolver or did_mod.KeyResolver(),
        status_fetcher=status_fetcher,
        registry=registry,
        challenge=challenge,
        domain=domain,
        recipient=recipient,
        recipient_type=recipient_type,
        clock_skew=clock_skew,
        fatal=frozenset(fatal),
        limits=limits or Limits(),
        check_status=check_status,
        accept_unknown_status=accept_unknown_status,
        issuer_records=issuer_records,
    )
    if opts.now.tzinfo is None:
        opts = replace(opts, now=opts.now.replace(tzinfo=UTC))
    try:
        parsed = parse_input(document, report, opts.limits)
        if parsed is not None:
            _verify_document(parsed, report, opts)
    except VerifierUnavailable:
        raise
    except Exception as exc:
        log.exception("verifier internal error on %s", report.credential_id or "a document")
        report.add(
            "internal",
            Outcome.FAIL,
            "VERIFIER_INTERNAL_ERROR",
            f"The verifier could not finish checking this document ({type(exc).__name__}).",
        )
    _apply_fatal(report, opts.fatal)
    return report


def _verify_document(document: dict[str, Any], report: Report, opts: Options) -> None:
    types = types_of(document)
    report.credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    if "VerifiablePresentation" in types:
        report.document_type = "VerifiablePresentation"
        _verify_presentation(document, report, opts)
    elif "VerifiableCredential" in types:
        report.document_type = next(
            (t for t in types if t != "VerifiableCredential"), "VerifiableCredential"
        )
        report.issuer = issuer_id(document)
        _verify_credential(document, report, opts)
    else:
        report.add(
            "structure",
            Outcome.FAIL,
            "TYPE_MISSING",
            "The document's type names neither VerifiableCredential nor VerifiablePresentation.",
        )


def _verify_credential(document: dict[str, Any], report: Report, opts: Options) -> None:
    structure_ok = check_structure(document, report)
    check_schema(document, report)
    check_related(document, report)
    check_proofs(document, report, opts, purpose="assertionMethod", bind_issuer=True)
    check_validity(document, report, opts)
    if opts.check_status:
        check_status(document, report, opts)
        check_issuer_records(document, report, opts)
    if structure_ok:
        check_registry(document, report, opts)
        check_recipient(document, report, opts)
    _verify_nested_credentials(document, report, opts)


# --- nested documents -----------------------------------------------------------------------


def _verify_nested_credentials(document: dict[str, Any], report: Report, opts: Options) -> None:
    nested: list[Any] = []
    for subject in as_list(document.get("credentialSubject")):
        if isinstance(subject, dict):
            nested.extend(as_list(subject.get("verifiableCredential")))
    nested.extend(as_list(document.get("endorsement")))
    for subject in as_list(document.get("credentialSubject")):
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(achievement, dict):
            nested.extend(as_list(achievement.get("endorsement")))
    _verify_children(nested, report, opts)


def _verify_children(children: list[Any], report: Report, opts: Options) -> None:
    if len(children) > opts.limits.max_nested_credentials:
        report.add(
            "nested",
            Outcome.FAIL,
            "TOO_MANY_NESTED_CREDENTIALS",
            f"More than {opts.limits.max_nested_credentials} nested credentials.",
        )
        return
    child_opts = replace(opts, depth=opts.depth + 1, recipient=None, challenge=None, domain=None)
    for child in children:
        child_report = Report()
        if opts.depth >= 4:
            child_report.add(
                "nested", Outcome.FAIL, "NESTING_TOO_DEEP", "Credentials are nested too deeply."
            )
        elif isinstance(child, dict):
            _verify_document(child, child_report, child_opts)
        else:
            child_report.add(
                "input",
                Outcome.FAIL,
                "NESTED_NOT_OBJECT",
                "A nested credential must be a JSON object (enveloped JWTs are not supported).",
            )
        _apply_fatal(child_report, opts.fatal)
        report.nested.append(child_report)


def _verify_presentation(document: dict[str, Any], report: Report, opts: Options) -> None:
    check_presentation(document, report, opts)
    _verify_children(as_list(document.get("verifiableCredential")), report, opts)


# --- policy ---------------------------------------------------------------------------------


def _apply_fatal(report: Report, fatal: frozenset[str]) -> None:
    if not fatal:
        return
    report.checks[:] = [
        replace(c, outcome=Outcome.FAIL) if c.outcome is Outcome.WARN and c.code in fatal else c
        for c in report.checks
    ]


Verifier = Callable[..., Report]
