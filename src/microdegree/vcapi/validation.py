"""What `POST /credentials/issue` checks before it signs: VCDM 2.0 shape, then JSON-LD safe mode.

`problems(credential)` returns every `Problem` (code, message, JSON path) of an unsigned
credential; empty means it can be signed. The JSON-LD check runs the core's canonicalisation
(bundled contexts only, jsonld.js-style safe mode), so a term no context defines
(JSONLD_UNDEFINED_TERM) or a relative IRI (JSONLD_RELATIVE_IRI) is caught whichever cryptosuite
signs; checks that only concern RDF run only for eddsa-rdfc-2022 (`jsonld_problems(..., suite)`).
`relatedResource` is checked too (`vc.related`). No Django here: the API maps problems to 400
responses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from microdegree.vc import canon, jsonld, related
from microdegree.vc import schema as schema_mod
from microdegree.vc.contexts import is_bundled
from microdegree.vc.errors import VcError
from microdegree.vc.verify import OB_SCHEMA_TYPE, VC_V1, VC_V2, parse_datetime

# A URL for VCDM purposes: a scheme, a colon, something, no whitespace (RFC 3986 absolute form).
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+\-.]*:[^\s]+$")
# XML Schema dateTimeStamp: the zone is required.
_DATETIME_STAMP = re.compile(
    r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}:\d{2})$"
)
ENTRY_FIELDS = ("credentialStatus", "evidence", "termsOfUse", "refreshService",
                "credentialSchema")


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    path: str = "$"

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message, "path": self.path}


def is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _context(credential: dict[str, Any]) -> list[Problem]:
    if "@context" not in credential:
        return [Problem("CONTEXT_MISSING", "The credential has no @context.", "$['@context']")]
    context = credential["@context"]
    if not isinstance(context, list) or not context:
        return [Problem("CONTEXT_INVALID",
                        f"@context must be a list whose first item is {VC_V2}.", "$['@context']")]
    if context[0] not in (VC_V2, VC_V1):
        return [Problem("CONTEXT_INVALID",
                        f"The first @context must be {VC_V2} (VC Data Model 2.0) or {VC_V1} "
                        "(1.1).", "$['@context'][0]")]
    out = []
    for i, item in enumerate(context):
        if isinstance(item, str):
            if not is_bundled(item):
                out.append(Problem(
                    "CONTEXT_UNKNOWN",
                    f"The context {item!r} is not one this service knows; contexts are never "
                    "fetched (use a bundled context or an inline one).", f"$['@context'][{i}]"))
        elif not isinstance(item, dict):
            out.append(Problem("CONTEXT_INVALID", "Each @context item must be a URL or an object.",
                               f"$['@context'][{i}]"))
    return out


def _type(credential: dict[str, Any]) -> list[Problem]:
    value = credential.get("type")
    types = _as_list(value)
    if value is None or not types or not all(isinstance(t, str) and t for t in types):
        return [Problem("TYPE_INVALID", "type must be a string or a list of strings.", "$.type")]
    if "VerifiableCredential" not in types:
        return [Problem("TYPE_INVALID", "type must include VerifiableCredential.", "$.type")]
    return []


def _issuer(credential: dict[str, Any]) -> list[Problem]:
    if "issuer" not in credential:
        return [Problem("ISSUER_MISSING", "The credential has no issuer.", "$.issuer")]
    issuer = credential["issuer"]
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not is_url(issuer_id):
        return [Problem("ISSUER_INVALID",
                        "issuer must be a URL, or an object whose id is a URL.", "$.issuer")]
    return []


def _subject(credential: dict[str, Any]) -> list[Problem]:
    subject = credential.get("credentialSubject")
    subjects = _as_list(subject)
    if not subjects or not all(isinstance(s, dict) and s for s in subjects):
        return [Problem("SUBJECT_MISSING",
                        "credentialSubject must be a non-empty object (or a list of them).",
                        "$.credentialSubject")]
    return []


def _validity(credential: dict[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    moments = {}
    context = credential.get("@context")
    v11 = isinstance(context, list) and context[:1] == [VC_V1]  # 1.1 names its dates otherwise
    start, end = ("issuanceDate", "expirationDate") if v11 else ("validFrom", "validUntil")
    if v11 and start not in credential:
        out.append(Problem("VALIDITY_INVALID", "A VC 1.1 credential needs an issuanceDate.",
                           "$.issuanceDate"))
    for name in (start, end):
        if name not in credential:
            continue
        value = credential[name]
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if not isinstance(value, str) or not _DATETIME_STAMP.match(value) or parsed is None:
            out.append(Problem("VALIDITY_INVALID",
                               f"{name} must be a date-time with a time zone, e.g. "
                               "2026-01-15T00:00:00Z.", f"$.{name}"))
        else:
            moments[name] = parsed
    if len(moments) == 2 and moments[start] > moments[end]:
        out.append(Problem("VALIDITY_INVERTED", f"{end} is before {start}.", f"$.{end}"))
    return out


def _entries(credential: dict[str, Any]) -> list[Problem]:
    out = []
    for name in ENTRY_FIELDS:
        for i, item in enumerate(_as_list(credential.get(name))):
            path = f"$.{name}" if not isinstance(credential.get(name), list) else f"$.{name}[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("type"), str | list) \
                    or not item.get("type"):
                out.append(Problem("ENTRY_TYPE_MISSING",
                                   f"Each {name} entry must be an object with a type.", path))
            elif name == "credentialSchema" and "id" not in item:
                out.append(Problem("ENTRY_ID_MISSING", "Each credentialSchema entry needs an id.",
                                   path))
    return out


def _ids(node: Any, path: str, out: list[Problem]) -> None:
    """Every `id` outside @context must be a URL (VCDM 2.0 section 4.4)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            child = f"{path}.{key}" if key.isidentifier() else f"{path}['{key}']"
            if key in ("id", "@id") and not is_url(value):
                out.append(Problem("ID_INVALID", f"{child} must be a URL (got {value!r:.60}).",
                                   child))
            else:
                _ids(value, child, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _ids(value, f"{path}[{i}]", out)


def structure_problems(credential: Any) -> list[Problem]:
    """The VCDM 2.0 (or 1.1) shape checks (no JSON-LD processing)."""
    if not isinstance(credential, dict):
        return [Problem("CREDENTIAL_INVALID", "credential must be a JSON object.")]
    out = [*_context(credential), *_type(credential), *_issuer(credential),
           *_subject(credential), *_validity(credential), *_entries(credential),
           *(Problem(code, message, path) for code, message, path in related.problems(credential))]
    _ids(credential, "$", out)
    if "proof" in credential:
        out.append(Problem("PROOF_PRESENT",
                           "Send the credential unsigned: this service adds the proof.", "$.proof"))
    return out


def jsonld_problems(credential: dict[str, Any], suite: str = "eddsa-rdfc-2022"
                    ) -> list[Problem]:
    """Safe-mode JSON-LD: undefined terms, relative IRIs, unknown contexts, bad language tags.

    eddsa-rdfc-2022 signs the canonical RDF, so the whole canonicalisation runs (and its RDF-only
    refusals, such as the blank-node poisoning guard, apply). eddsa-jcs-2022 signs the JSON and
    needs no RDF at all: only the safe-mode expansion runs, so nothing RDF-only refuses it.
    """
    try:
        if suite == "eddsa-jcs-2022":
            jsonld.expand_safe(credential)
        else:
            canon.canonicalize(credential)
    except VcError as exc:
        return [Problem(exc.code, exc.message, "$")]
    except (TypeError, ValueError, LookupError, RecursionError) as exc:  # hostile input in pyld
        return [Problem("CANONICALIZATION_ERROR", f"The credential is not valid JSON-LD: {exc}")]
    return []


def schema_problems(credential: dict[str, Any]) -> list[Problem]:
    """The 1EdTech JSON Schemas the credential names itself (bundled ones only)."""
    out: list[Problem] = []
    for entry in _as_list(credential.get("credentialSchema")):
        if not isinstance(entry, dict) or entry.get("type") != OB_SCHEMA_TYPE:
            continue
        url = entry.get("id")
        if isinstance(url, str) and schema_mod.is_known(url):
            out.extend(Problem("SCHEMA_INVALID", f"{p.message} (JSON Schema {url})", p.path)
                       for p in schema_mod.validate(credential, url)[:20])
    return out


def problems(credential: Any, suite: str = "eddsa-rdfc-2022") -> list[Problem]:
    """All problems; JSON-LD and JSON Schema only once the shape is right."""
    found = structure_problems(credential)
    if found:
        return found
    return jsonld_problems(credential, suite) or schema_problems(credential)
