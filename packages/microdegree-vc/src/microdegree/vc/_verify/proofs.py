"""Proofs and the signing key's binding to the issuer (a proof set or chain may add proofs
by others)."""

from __future__ import annotations

from typing import Any

from microdegree.vc import did as did_mod
from microdegree.vc import proofs as proofs_mod
from microdegree.vc._verify.common import Options, issuer_id
from microdegree.vc.errors import VcError
from microdegree.vc.report import Outcome, Report


def check_proofs(
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
        all_ok = _check_issuer_proofs(signers, report, purpose, issuer_id(document)) and all_ok
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
