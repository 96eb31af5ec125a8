"""Presentations: the holder's proof answers this verifier's challenge and domain."""

from __future__ import annotations

from typing import Any

from microdegree.vc import proofs as proofs_mod
from microdegree.vc._verify.common import VC_V1, VC_V2, Options
from microdegree.vc._verify.proofs import check_proofs
from microdegree.vc.report import Outcome, Report


def check_presentation(document: dict[str, Any], report: Report, opts: Options) -> None:
    """A presentation's structure, its holder's proof and that proof's binding (the credentials
    inside are the pipeline's)."""
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
        ok = check_proofs(document, report, opts, purpose="authentication", bind_issuer=False)
        if ok:
            check_presentation_binding(
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


def check_presentation_binding(
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
