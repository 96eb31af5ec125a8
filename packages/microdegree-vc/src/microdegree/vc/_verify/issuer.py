"""The issuer registry (is the issuer known, under the name the document claims?) and the
recipient the caller expects."""

from __future__ import annotations

from typing import Any

from microdegree.vc._verify.common import (
    ISSUER_NAME_MISMATCH,
    ISSUER_UNKNOWN,
    Options,
    as_list,
    issuer_id,
)
from microdegree.vc.report import Outcome, Report


def check_registry(document: dict[str, Any], report: Report, opts: Options) -> None:
    issuer = issuer_id(document)
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


def check_recipient(document: dict[str, Any], report: Report, opts: Options) -> None:
    if opts.recipient is None:
        return
    from microdegree.vc.builders import identity_matches

    for subject in as_list(document.get("credentialSubject")):
        if not isinstance(subject, dict):
            continue
        if subject.get("id") == opts.recipient:
            report.add("recipient", Outcome.PASS, "RECIPIENT_MATCH", "The credential names you.")
            return
        for identity in as_list(subject.get("identifier")):
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
