"""The verification pipeline: one `Report` per document, one `Check` per step, never an exception.

Order follows the Open Badges 3.0 verification section: input limits, structure, JSON Schema, each
proof and its key's binding to the issuer, the validity window, status, the issuer registry, the
recipient; then nested credentials (CLR envelopes, presentations, endorsements) get their own
reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc import proofs as proofs_mod
from microdegree.vc import related as related_mod
from microdegree.vc import schema as schema_mod
from microdegree.vc import status as status_mod
from microdegree.vc.errors import VcError
from microdegree.vc.fetch import Fetcher
from microdegree.vc.registry import IssuerRegistry
from microdegree.vc.report import Outcome, Report

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_SCHEMA_TYPE = "1EdTechJsonSchemaValidator2019"

# Warnings a caller may make fatal with `fatal=`.
STATUS_UNKNOWN = "STATUS_UNKNOWN"
ISSUER_UNKNOWN = "ISSUER_UNKNOWN"
ISSUER_NAME_MISMATCH = "ISSUER_NAME_MISMATCH"
# Bitstring Status List 1.0, section 3.2: the list could not be fetched, or failed its own
# verification. Failures unless the caller accepts an unknown status (`accept_unknown_status`).
STATUS_RETRIEVAL_ERROR = "STATUS_RETRIEVAL_ERROR"
STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
#: Every code that means "the status could not be determined" (not "the status is bad").
STATUS_UNDETERMINED = frozenset({STATUS_UNKNOWN, STATUS_RETRIEVAL_ERROR,
                                 STATUS_VERIFICATION_ERROR})

#: What the issuer's own records say of a credential beyond its status entries: "revoked",
#: "suspended", or None (nothing more, or a credential those records do not hold). A platform
#: passes one for its own credentials (ADR 0006: a suspension is not always in the credential).
IssuerRecords = Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what the verifier reads before doing any work on it."""

    max_bytes: int = 2_000_000
    max_depth: int = 64
    max_nodes: int = 50_000
    max_nested_credentials: int = 200


@dataclass(frozen=True, slots=True)
class Options:
    now: datetime
    resolver: did_mod.Resolver
    status_fetcher: Fetcher | None
    registry: IssuerRegistry | None
    challenge: str | None
    domain: str | None
    recipient: str | None
    recipient_type: str | None
    clock_skew: timedelta
    fatal: frozenset[str]
    limits: Limits
    check_status: bool
    accept_unknown_status: bool = False
    issuer_records: IssuerRecords | None = None
    depth: int = 0


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
        parsed = _parse_input(document, report, opts.limits)
        if parsed is not None:
            _verify_document(parsed, report, opts)
    except Exception as exc:
        report.add(
            "internal",
            Outcome.FAIL,
            "VERIFIER_INTERNAL_ERROR",
            f"The verifier could not finish checking this document ({type(exc).__name__}).",
        )
    _apply_fatal(report, opts.fatal)
    return report


# --- input ----------------------------------------------------------------------------------


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _parse_input(document: Any, report: Report, limits: Limits) -> dict[str, Any] | None:
    if isinstance(document, bytes | bytearray | str):
        size = len(document)
        if size > limits.max_bytes:
            report.add(
                "input",
                Outcome.FAIL,
                "DOCUMENT_TOO_LARGE",
                f"The document is {size:,} bytes; the limit is {limits.max_bytes:,}.",
            )
            return None
        try:
            document = json.loads(document, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            report.add(
                "input",
                Outcome.FAIL,
                "JSON_MALFORMED",
                f"The document is not valid JSON: {exc}.",
            )
            return None
    if not isinstance(document, dict):
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_NOT_OBJECT",
            "A credential or presentation must be a JSON object.",
        )
        return None
    depth, nodes = _measure(document, limits)
    if depth > limits.max_depth:
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_TOO_DEEP",
            f"The document nests more than {limits.max_depth} levels deep.",
        )
        return None
    if nodes > limits.max_nodes:
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_TOO_LARGE",
            f"The document has more than {limits.max_nodes:,} values.",
        )
        return None
    return document


def _measure(document: Any, limits: Limits) -> tuple[int, int]:
    """Maximum depth and number of values, iteratively (no recursion on hostile input)."""
    max_depth = 0
    nodes = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        max_depth = max(max_depth, depth)
        if depth > limits.max_depth or nodes > limits.max_nodes:
            return max_depth, nodes
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return max_depth, nodes


# --- documents ------------------------------------------------------------------------------


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    return []


def _issuer_id(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return str(issuer["id"])
    return None


def _verify_document(document: dict[str, Any], report: Report, opts: Options) -> None:
    types = _types(document)
    report.credential_id = document.get("id") if isinstance(document.get("id"), str) else None
    if "VerifiablePresentation" in types:
        report.document_type = "VerifiablePresentation"
        _verify_presentation(document, report, opts)
    elif "VerifiableCredential" in types:
        report.document_type = next(
            (t for t in types if t != "VerifiableCredential"), "VerifiableCredential"
        )
        report.issuer = _issuer_id(document)
        _verify_credential(document, report, opts)
    else:
        report.add(
            "structure",
            Outcome.FAIL,
            "TYPE_MISSING",
            "The document's type names neither VerifiableCredential nor VerifiablePresentation.",
        )


def _verify_credential(document: dict[str, Any], report: Report, opts: Options) -> None:
    structure_ok = _check_structure(document, report)
    _check_schema(document, report)
    _check_related(document, report)
    _check_proofs(document, report, opts, purpose="assertionMethod", bind_issuer=True)
    _check_validity(document, report, opts)
    if opts.check_status:
        _check_status(document, report, opts)
        _check_issuer_records(document, report, opts)
    if structure_ok:
        _check_registry(document, report, opts)
        _check_recipient(document, report, opts)
    _verify_nested_credentials(document, report, opts)


# --- structure and schema -------------------------------------------------------------------


def _check_structure(document: dict[str, Any], report: Report) -> bool:
    problems: list[str] = []
    context = document.get("@context")
    if not isinstance(context, list) or not context:
        problems.append("@context must be a non-empty list")
    elif context[0] not in (VC_V2, VC_V1):
        problems.append(f"@context must start with {VC_V2}")
    issuer = document.get("issuer")
    if _issuer_id(document) is None:
        problems.append("issuer must be a URL or an object with an id")
    elif isinstance(issuer, str) and ":" not in issuer:
        problems.append("issuer id must be a URL")
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict | list) or not subject:
        problems.append("credentialSubject is missing")
    doc_id = document.get("id")
    if doc_id is not None and (not isinstance(doc_id, str) or ":" not in doc_id):
        problems.append("id must be a URL")
    for field in (
        "credentialStatus",
        "evidence",
        "termsOfUse",
        "refreshService",
        "credentialSchema",
    ):
        for item in _as_list(document.get(field)):
            if not isinstance(item, dict) or "type" not in item:
                problems.append(f"each {field} entry needs a type")
                break
    if problems:
        report.add(
            "structure",
            Outcome.FAIL,
            "STRUCTURE_INVALID",
            "The credential is malformed: " + "; ".join(problems) + ".",
            problems=problems,
        )
        return False
    report.add("structure", Outcome.PASS, "STRUCTURE_VALID", "The credential is well formed.")
    return True


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_schema(document: dict[str, Any], report: Report) -> None:
    schemas = [
        s
        for s in _as_list(document.get("credentialSchema"))
        if isinstance(s, dict) and s.get("type") == OB_SCHEMA_TYPE
    ]
    if not schemas:
        return
    for entry in schemas:
        url = entry.get("id")
        if not isinstance(url, str) or not schema_mod.is_known(url):
            report.add(
                "schema",
                Outcome.WARN,
                "SCHEMA_UNKNOWN",
                f"The credential names a JSON Schema ({url}) that is not bundled, so it was not "
                "checked.",
            )
            continue
        problems = schema_mod.validate(document, url)
        if problems:
            shown = "; ".join(str(p) for p in problems[:3])
            report.add(
                "schema",
                Outcome.FAIL,
                "SCHEMA_INVALID",
                f"The credential does not match its JSON Schema: {shown}.",
                schema=url,
                problems=[str(p) for p in problems[:20]],
            )
        else:
            report.add(
                "schema",
                Outcome.PASS,
                "SCHEMA_VALID",
                "The credential matches its 1EdTech JSON Schema.",
                schema=url,
            )


def _check_related(document: dict[str, Any], report: Report) -> None:
    """`relatedResource` (VCDM 2.0 section 5.3): well formed, and digests of what we hold match."""
    if "relatedResource" not in document:
        return
    found = related_mod.problems(document)
    if found:
        report.add(
            "related",
            Outcome.FAIL,
            found[0][0],
            "The credential's related resources do not check out: "
            + "; ".join(message.rstrip(".") for _, message, _ in found[:3]) + ".",
            problems=[{"code": c, "message": m, "path": p} for c, m, p in found[:20]],
        )
        return
    held = related_mod.checked(document)
    message = "The credential's related resources are well formed"
    if held:
        message += f"; {len(held)} held here match their digests."
    else:
        message += " (none is held here, so their digests were not checked)."
    report.add("related", Outcome.PASS, "RELATED_RESOURCES_OK", message, checked=held)


# --- proofs and issuer binding --------------------------------------------------------------


def _check_proofs(
    document: dict[str, Any],
    report: Report,
    opts: Options,
    *,
    purpose: str,
    bind_issuer: bool,
) -> bool:
    proofs = proofs_mod.proofs_of(document)
    if not proofs:
        report.add(
            "proof",
            Outcome.FAIL,
            "PROOF_MISSING",
            "The document carries no proof, so nobody can tell who issued it.",
        )
        return False
    all_ok = True
    signers: list[tuple[int, did_mod.VerificationMethod]] = []
    for index, proof in enumerate(proofs):
        method = _check_one_proof(document, proof, index, report, opts, purpose)
        if method is None:
            all_ok = False
        else:
            signers.append((index, method))
    if bind_issuer and signers:
        all_ok = _check_issuer_proofs(signers, report, purpose, _issuer_id(document)) and all_ok
    return all_ok


def _check_issuer_proofs(
    signers: list[tuple[int, did_mod.VerificationMethod]],
    report: Report,
    purpose: str,
    issuer: str | None,
) -> bool:
    """The issuer binding needs the issuer's own proof, not every proof (Data Integrity 2.1:
    a proof set or chain may add proofs by others, e.g. a notary's with `previousProof`)."""
    own = [(i, m) for i, m in signers if issuer is not None and m.controller == issuer]
    if not own:  # nobody speaks for the issuer: each proof is reported as not the issuer's
        for index, method in signers:
            _check_binding(method, index, report, purpose, issuer)
        return False
    ok = True
    for index, method in signers:
        if issuer is not None and method.controller == issuer:
            ok = _check_binding(method, index, report, purpose, issuer) and ok
        else:
            report.add(
                f"proof.party[{index}]",
                Outcome.PASS,
                "PROOF_BY_OTHER_PARTY",
                f"This proof is by {method.controller}, not the issuer (a notary or an "
                "endorser, for example); the issuer's own proof is what binds the credential "
                "to the issuer.",
                controller=method.controller,
            )
    return ok


def _check_one_proof(
    document: dict[str, Any],
    proof: Any,
    index: int,
    report: Report,
    opts: Options,
    purpose: str,
) -> did_mod.VerificationMethod | None:
    """The proof's verification method if its signature is valid, else None (reported)."""
    name = "proof" if index == 0 else f"proof[{index}]"
    if not isinstance(proof, dict):
        report.add(name, Outcome.FAIL, "PROOF_MALFORMED", "A proof must be a JSON object.")
        return None
    if proof.get("proofPurpose") != purpose:
        report.add(
            name,
            Outcome.FAIL,
            "PROOF_PURPOSE_MISMATCH",
            f"The proof's purpose is {proof.get('proofPurpose')!r}; {purpose!r} is required.",
        )
        return None
    vm_id = proof.get("verificationMethod")
    if not isinstance(vm_id, str):
        report.add(name, Outcome.FAIL, "PROOF_MALFORMED", "The proof names no verification method.")
        return None
    try:
        method = did_mod.resolve_verification_method(vm_id, opts.resolver)
    except VcError as exc:
        report.add(
            name,
            Outcome.FAIL,
            exc.code,
            f"The signing key {vm_id} could not be resolved: {exc.message}",
        )
        return None
    result = proofs_mod.verify_proof(document, proof, method.public_key)
    if not result.valid:
        report.add(name, Outcome.FAIL, result.code, result.message, verificationMethod=vm_id)
        return None
    report.add(
        name,
        Outcome.PASS,
        "PROOF_VALID",
        f"The {proof.get('cryptosuite') or proof.get('type')} signature is valid.",
        verificationMethod=vm_id,
    )
    return method


def _check_binding(
    method: did_mod.VerificationMethod,
    index: int,
    report: Report,
    purpose: str,
    controller: str | None,
) -> bool:
    name = "issuer.key" if index == 0 else f"issuer.key[{index}]"
    if controller is None or method.controller != controller:
        report.add(
            name,
            Outcome.FAIL,
            "KEY_NOT_ISSUERS",
            f"The signing key belongs to {method.controller}, not to the issuer {controller}.",
        )
        return False
    if purpose not in method.purposes:
        report.add(
            name,
            Outcome.FAIL,
            "KEY_NOT_AUTHORIZED",
            f"The issuer's DID document does not authorise this key for {purpose}.",
        )
        return False
    report.add(
        name,
        Outcome.PASS,
        "KEY_BOUND_TO_ISSUER",
        "The signing key belongs to the issuer and is authorised for issuing.",
    )
    return True


# --- dates ----------------------------------------------------------------------------------


def parse_datetime(value: Any) -> datetime | None:
    """An XML Schema dateTimeStamp (zone required) as an aware datetime, or None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _check_validity(document: dict[str, Any], report: Report, opts: Options) -> None:
    v1 = _as_list(document.get("@context"))[:1] == [VC_V1]
    start_key, end_key = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    start_raw, end_raw = document.get(start_key), document.get(end_key)
    start = parse_datetime(start_raw)
    end = parse_datetime(end_raw)
    if start_raw is not None and start is None:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATE_MALFORMED",
            f"{start_key} {start_raw!r} is not a date-time with a time zone.",
        )
        return
    if end_raw is not None and end is None:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATE_MALFORMED",
            f"{end_key} {end_raw!r} is not a date-time with a time zone.",
        )
        return
    if start is not None and end is not None and end < start:
        report.add(
            "validity",
            Outcome.FAIL,
            "DATES_INVERTED",
            f"{end_key} is before {start_key}.",
        )
        return
    if start is not None and start > opts.now + opts.clock_skew:
        report.add(
            "validity",
            Outcome.FAIL,
            "NOT_YET_VALID",
            f"The credential is not valid before {start_raw}.",
        )
        return
    if end is not None and end < opts.now - opts.clock_skew:
        report.add(
            "validity",
            Outcome.FAIL,
            "EXPIRED",
            f"The credential expired on {end_raw}.",
        )
        return
    if end is None:
        message = "The credential is valid now and does not expire."
    else:
        message = f"The credential is valid now, until {end_raw}."
    report.add("validity", Outcome.PASS, "VALIDITY_OK", message)


# --- status ---------------------------------------------------------------------------------


def _check_status(document: dict[str, Any], report: Report, opts: Options) -> None:
    entries = _as_list(document.get("credentialStatus"))
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
    if _issuer_id(list_credential) != _issuer_id(document):
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
    parsed = _parse_input(list_credential, inner, opts.limits)
    if parsed is None:
        return inner
    if "BitstringStatusListCredential" not in _types(parsed):
        inner.add(
            "structure",
            Outcome.FAIL,
            "STATUS_LIST_WRONG_TYPE",
            "The document at the status list URL is not a BitstringStatusListCredential.",
        )
        return inner
    _check_proofs(parsed, inner, nested_opts, purpose="assertionMethod", bind_issuer=True)
    _check_validity(parsed, inner, nested_opts)
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


def _check_issuer_records(document: dict[str, Any], report: Report, opts: Options) -> None:
    """A revocation or suspension the issuer's records know and the status entries do not show."""
    if opts.issuer_records is None:
        return
    state = opts.issuer_records(document)
    if state not in ("revoked", "suspended"):
        return
    code = "STATUS_REVOKED" if state == "revoked" else "STATUS_SUSPENDED"
    if any(c.code == code and c.outcome is Outcome.FAIL for c in report.checks):
        return  # the credential's own status entry already says so
    if _as_list(document.get("credentialStatus")):
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


# --- registry and recipient -----------------------------------------------------------------


def _check_registry(document: dict[str, Any], report: Report, opts: Options) -> None:
    issuer = _issuer_id(document)
    if opts.registry is None or issuer is None:
        return
    entry = opts.registry.lookup(issuer)
    if entry is None:
        report.add(
            "issuer.registry",
            Outcome.WARN,
            ISSUER_UNKNOWN,
            f"The issuer {issuer} is not in any registry this verifier trusts. The signature can "
            "still be valid: it only means nobody here vouches for who the issuer is.",
        )
    else:
        report.add(
            "issuer.registry",
            Outcome.PASS,
            "ISSUER_KNOWN",
            f"The issuer is known: {entry.name} (registry: {entry.registry}).",
            registry=entry.registry,
            issuerName=entry.name,
        )
        claimed = claimed_issuer_name(document)
        if claimed is not None and entry.name != issuer and _plain(claimed) != _plain(entry.name):
            report.add(
                "issuer.name",
                Outcome.WARN,
                ISSUER_NAME_MISMATCH,
                f"The document calls its issuer {claimed}; the registry ({entry.registry}) "
                f"knows this DID as {entry.name}.",
                claimedName=claimed,
                issuerName=entry.name,
                registry=entry.registry,
            )


def claimed_issuer_name(document: dict[str, Any]) -> str | None:
    """The issuer's name as the document states it (a string, or a language map's first)."""
    issuer = document.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if isinstance(name, dict):
        name = next((v for v in name.values() if isinstance(v, str)), None)
    return name if isinstance(name, str) and name.strip() else None


def _plain(name: str) -> str:
    return " ".join(name.split())


def _check_recipient(document: dict[str, Any], report: Report, opts: Options) -> None:
    if opts.recipient is None:
        return
    from microdegree.vc.builders import identity_matches

    for subject in _as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        if subject.get("id") == opts.recipient:
            report.add("recipient", Outcome.PASS, "RECIPIENT_MATCH", "The credential names you.")
            return
        for identity in _as_list(subject.get("identifier")):
            if not isinstance(identity, dict):
                continue
            if opts.recipient_type and identity.get("identityType") != opts.recipient_type:
                continue
            if identity_matches(identity, opts.recipient):
                report.add(
                    "recipient",
                    Outcome.PASS,
                    "RECIPIENT_MATCH",
                    "The credential's recipient identifier matches.",
                )
                return
    report.add(
        "recipient",
        Outcome.FAIL,
        "RECIPIENT_MISMATCH",
        "The credential was not issued to the given recipient.",
    )


# --- nested documents -----------------------------------------------------------------------


def _verify_nested_credentials(document: dict[str, Any], report: Report, opts: Options) -> None:
    nested: list[Any] = []
    for subject in _as_list(document.get("credentialSubject")):
        if isinstance(subject, dict):
            nested.extend(_as_list(subject.get("verifiableCredential")))
    nested.extend(_as_list(document.get("endorsement")))
    for subject in _as_list(document.get("credentialSubject")):
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        if isinstance(achievement, dict):
            nested.extend(_as_list(achievement.get("endorsement")))
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
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] not in (VC_V2, VC_V1):
        report.add(
            "structure",
            Outcome.FAIL,
            "STRUCTURE_INVALID",
            f"A presentation's @context must be a list starting with {VC_V2}.",
        )
    else:
        report.add("structure", Outcome.PASS, "STRUCTURE_VALID", "The presentation is well formed.")
    holder = document.get("holder")
    holder_id = holder.get("id") if isinstance(holder, dict) else holder
    proofs = proofs_mod.proofs_of(document)
    if proofs:
        ok = _check_proofs(document, report, opts, purpose="authentication", bind_issuer=False)
        if ok:
            _check_presentation_binding(
                proofs, holder_id if isinstance(holder_id, str) else None, report, opts
            )
    elif opts.challenge is not None or opts.domain is not None:
        report.add(
            "proof",
            Outcome.FAIL,
            "PRESENTATION_UNSIGNED",
            "A challenge was required, but the presentation is not signed by its holder.",
        )
    else:
        report.add(
            "proof",
            Outcome.WARN,
            "PRESENTATION_UNSIGNED",
            "The presentation is not signed by its holder; only the credentials inside it were "
            "checked.",
        )
    _verify_children(_as_list(document.get("verifiableCredential")), report, opts)


def _check_presentation_binding(
    proofs: list[dict[str, Any]], holder: str | None, report: Report, opts: Options
) -> None:
    for proof in proofs:
        if opts.challenge is not None and proof.get("challenge") != opts.challenge:
            report.add(
                "presentation.challenge",
                Outcome.FAIL,
                "CHALLENGE_MISMATCH",
                "The presentation was made for a different challenge (a replay?).",
            )
            return
        if opts.domain is not None and proof.get("domain") != opts.domain:
            report.add(
                "presentation.domain",
                Outcome.FAIL,
                "DOMAIN_MISMATCH",
                "The presentation was made for a different domain.",
            )
            return
        if holder is not None:
            vm = str(proof.get("verificationMethod", ""))
            if vm.split("#", 1)[0] != holder:
                report.add(
                    "presentation.holder",
                    Outcome.FAIL,
                    "HOLDER_MISMATCH",
                    "The presentation is signed by a key that is not the holder's.",
                )
                return
    if opts.challenge is not None or opts.domain is not None:
        report.add(
            "presentation.challenge",
            Outcome.PASS,
            "CHALLENGE_MATCH",
            "The presentation answers this verifier's challenge.",
        )


# --- policy ---------------------------------------------------------------------------------


def _apply_fatal(report: Report, fatal: frozenset[str]) -> None:
    if not fatal:
        return
    report.checks[:] = [
        replace(c, outcome=Outcome.FAIL) if c.outcome is Outcome.WARN and c.code in fatal else c
        for c in report.checks
    ]


Verifier = Callable[..., Report]
