"""The credential's structure (VCDM) and its 1EdTech JSON Schema."""

from __future__ import annotations

from typing import Any

from microdegree.vc import schema as schema_mod
from microdegree.vc._verify.common import OB_SCHEMA_TYPE, VC_V1, VC_V2, as_list, issuer_id
from microdegree.vc.report import Outcome, Report


def check_structure(document: dict[str, Any], report: Report) -> bool:
    problems: list[str] = []
    context = document.get("@context")
    if not isinstance(context, list) or not context:
        problems.append("@context must be a non-empty list")
    elif context[0] not in (VC_V2, VC_V1):
        problems.append(f"@context must start with {VC_V2}")
    issuer = document.get("issuer")
    if issuer_id(document) is None:
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
        for item in as_list(document.get(field)):
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


def check_schema(document: dict[str, Any], report: Report) -> None:
    schemas = [
        s
        for s in as_list(document.get("credentialSchema"))
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
