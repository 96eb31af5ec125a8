"""Status: Bitstring Status List entries (the list fetched and verified itself), the 1EdTech
revocation list, and what the issuer's own records add."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from microdegree.vc import status as status_mod
from microdegree.vc._verify.common import (
    STATUS_RETRIEVAL_ERROR,
    STATUS_UNKNOWN,
    STATUS_VERIFICATION_ERROR,
    Options,
    as_list,
    issuer_id,
    types_of,
)
from microdegree.vc._verify.dates import check_validity
from microdegree.vc._verify.input import parse_input
from microdegree.vc._verify.proofs import check_proofs
from microdegree.vc.errors import VcError
from microdegree.vc.report import Outcome, Report


def check_status(document: dict[str, Any], report: Report, opts: Options) -> None:
    entries = as_list(document.get("credentialStatus"))
    if not entries:
        return
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        kind = entry.get("type")
        if kind == "BitstringStatusListEntry":
            _check_bitstring_status(document, entry, report, opts)
        elif kind == "1EdTechRevocationList":
            _check_revocation_list(document, entry, report, opts)
        else:
            report.add(
                "status",
                Outcome.WARN,
                STATUS_UNKNOWN,
                f"The status method {kind!r} is not supported, so revocation could not be checked.",
            )


def _status_unknown(report: Report, message: str, **details: Any) -> None:
    report.add("status", Outcome.WARN, STATUS_UNKNOWN, message, **details)


def _status_undetermined(
    report: Report, opts: Options, code: str, message: str, **details: Any
) -> None:
    """The list could not be read or trusted: a failure, or a warning if the caller accepts."""
    if opts.accept_unknown_status:
        outcome = Outcome.WARN
        message += " The status is unknown; it was accepted as unknown, as asked."
    else:
        outcome = Outcome.FAIL
        message += " The status is unknown, so the credential cannot be verified."
    report.add("status", outcome, code, message, **details)


def _fetch_json(opts: Options, url: str) -> Any:
    assert opts.status_fetcher is not None
    return opts.status_fetcher.get(url, accept="application/vc+ld+json, application/json").json()


def _check_bitstring_status(
    document: dict[str, Any], entry: dict[str, Any], report: Report, opts: Options
) -> None:
    list_url = entry.get("statusListCredential")
    purpose = entry.get("statusPurpose")
    if not isinstance(list_url, str):
        report.add(
            "status",
            Outcome.FAIL,
            "STATUS_ENTRY_MALFORMED",
            "The status entry names no status list credential.",
        )
        return
    if opts.status_fetcher is None:
        _status_unknown(
            report,
            f"The status list at {list_url} was not fetched (fetching is off), so revocation "
            "is unknown.",
            statusListCredential=list_url,
        )
        return
    try:
        list_credential = _fetch_json(opts, list_url)
    except (VcError, ValueError) as exc:
        _status_undetermined(
            report,
            opts,
            STATUS_RETRIEVAL_ERROR,
            f"The status list at {list_url} could not be fetched ({exc}).",
            statusListCredential=list_url,
            statusPurpose=purpose,
        )
        return
    if opts.depth > 2:
        _status_unknown(report, "Status lists nest too deeply to be checked.")
        return
    list_report = _verify_status_list_credential(list_credential, opts)
    if not list_report.verified:
        _status_undetermined(
            report,
            opts,
            STATUS_VERIFICATION_ERROR,
            f"The status list at {list_url} failed its own verification.",
            statusListCredential=list_url,
            statusPurpose=purpose,
            problems=[c.code for c in list_report.errors],
        )
        return
    if issuer_id(list_credential) != issuer_id(document):
        report.add(
            "status",
            Outcome.WARN,
            "STATUS_LIST_OTHER_ISSUER",
            "The status list is published by a different issuer than the credential.",
        )
    result = status_mod.check_entry(entry, list_credential)
    details = {"statusPurpose": purpose, "statusListCredential": list_url}
    if result.code == "STATUS_OK":
        report.add("status", Outcome.PASS, result.code, result.message, **details)
    elif result.code in ("STATUS_REVOKED", "STATUS_SUSPENDED"):
        report.add("status", Outcome.FAIL, result.code, result.message, **details)
    elif result.code == "STATUS_MESSAGE":  # the issuer's message for a value: told, not a failure
        report.add("status", Outcome.WARN, result.code, result.message, status=hex(result.status),
                   **details)
    else:
        _status_unknown(report, result.message, reason=result.code, **details)


def _verify_status_list_credential(list_credential: Any, opts: Options) -> Report:
    inner = Report()
    nested_opts = replace(
        opts,
        check_status=False,
        depth=opts.depth + 1,
        recipient=None,
        registry=None,
        fatal=frozenset(),
    )
    parsed = parse_input(list_credential, inner, opts.limits)
    if parsed is None:
        return inner
    if "BitstringStatusListCredential" not in types_of(parsed):
        inner.add(
            "structure",
            Outcome.FAIL,
            "STATUS_LIST_WRONG_TYPE",
            "The document at the status list URL is not a BitstringStatusListCredential.",
        )
        return inner
    check_proofs(parsed, inner, nested_opts, purpose="assertionMethod", bind_issuer=True)
    check_validity(parsed, inner, nested_opts)
    return inner


def _check_revocation_list(
    document: dict[str, Any], entry: dict[str, Any], report: Report, opts: Options
) -> None:
    url = entry.get("id")
    if not isinstance(url, str) or opts.status_fetcher is None:
        _status_unknown(report, "The 1EdTech revocation list could not be checked.")
        return
    try:
        data = _fetch_json(opts, url)
    except (VcError, ValueError) as exc:
        _status_undetermined(
            report,
            opts,
            STATUS_RETRIEVAL_ERROR,
            f"The revocation list at {url} could not be fetched ({exc}).",
        )
        return
    revoked = data.get("revokedCredential") if isinstance(data, dict) else None
    if not isinstance(revoked, list):
        _status_unknown(report, f"The revocation list at {url} is malformed.")
        return
    cred_id = document.get("id")
    for item in revoked:
        if isinstance(item, dict) and item.get("id") == cred_id and item.get("revoked", True):
            reason = item.get("revocationReason")
            message = "The issuer has revoked this credential" + (f": {reason}." if reason else ".")
            report.add("status", Outcome.FAIL, "STATUS_REVOKED", message)
            return
    report.add(
        "status", Outcome.PASS, "STATUS_OK", "The issuer's revocation list does not list it."
    )


def check_issuer_records(document: dict[str, Any], report: Report, opts: Options) -> None:
    """A revocation or suspension the issuer's records know and the status entries do not show."""
    if opts.issuer_records is None:
        return
    state = opts.issuer_records(document)
    if state not in ("revoked", "suspended"):
        return
    code = "STATUS_REVOKED" if state == "revoked" else "STATUS_SUSPENDED"
    if any(c.code == code and c.outcome is Outcome.FAIL for c in report.checks):
        return  # the credential's own status entry already says so
    if as_list(document.get("credentialStatus")):
        outside = (
            "Outside verifiers that read only the credential's status entry see it as not "
            "revoked."
        )
        seen = "not revoked"
    else:
        outside = "The credential names no status list, so outside verifiers cannot see this."
        seen = "no status"
    report.add(
        "status",
        Outcome.FAIL,
        code,
        f"The issuer has {state} this credential (the issuer's own records on this platform). "
        + outside,
        statusPurpose="revocation" if state == "revoked" else "suspension",
        source="issuer-records",
        outsideVerifiersSee=seen,
    )
