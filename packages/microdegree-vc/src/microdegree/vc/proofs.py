"""Create and verify Data Integrity proofs (eddsa-rdfc-2022, eddsa-jcs-2022; legacy verify-only).

Public API: `sign`, `verify_proof`, `proofs_of`, `ProofCheck`, `SUPPORTED_SUITES`, and
`signer_mismatch` (the warning before signing with a key that is not the issuer's). Key resolution
and issuer binding belong to the verification pipeline (`microdegree.vc.verify`); here the caller
passes a signer and, to verify, the public key bytes. `verify_proof` never raises for bad input.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from microdegree.vc._proofs import data_integrity as di
from microdegree.vc._proofs import ed25519_signature_2020, eddsa_jcs_2022, eddsa_rdfc_2022
from microdegree.vc.errors import ProofError, VcError

__all__ = [
    "SUPPORTED_SUITES",
    "VERIFIABLE_SUITES",
    "ProofCheck",
    "Signer",
    "key_controller",
    "proofs_of",
    "sign",
    "signer_mismatch",
    "verify_proof",
]

#: Cryptosuites `sign` creates.
SUPPORTED_SUITES: frozenset[str] = frozenset({"eddsa-rdfc-2022", "eddsa-jcs-2022"})
#: Everything `verify_proof` checks: the above, the draft name "eddsa-2022" (as rdfc), and the
#: legacy proof type "Ed25519Signature2020".
VERIFIABLE_SUITES: frozenset[str] = SUPPORTED_SUITES | {"eddsa-2022", "Ed25519Signature2020"}


class Signer(Protocol):
    """What `sign` needs of a key (`microdegree.vc.keys.Ed25519Key` is one)."""

    def sign(self, data: bytes) -> bytes: ...


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The outcome of checking one proof: `code` is `PROOF_VALID` or the reason it failed."""

    valid: bool
    code: str
    message: str


proofs_of = di.proofs_of

_Hasher = Callable[[dict[str, Any], dict[str, Any]], bytes]


def sign(
    document: dict[str, Any],
    key: Signer,
    *,
    verification_method: str,
    suite: str = "eddsa-rdfc-2022",
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    previous_proof: str | list[str] | None = None,
    proof_id: str | None = None,
) -> dict[str, Any]:
    """A new document: `document` with a new proof appended to its `proof` array.

    `proof` is always an array (the strict OB schema requires one); with earlier proofs it is a
    proof set, or a chain when `previous_proof` names some of them. Only the top level is copied;
    nested values are shared with `document`. Raises `ProofError` (unsupported suite, unknown
    previousProof, bad `created`) and canonicalisation errors.
    """
    if suite not in SUPPORTED_SUITES:
        raise ProofError(
            f"Cannot sign with {suite!r}; supported: {', '.join(sorted(SUPPORTED_SUITES))}.",
            code="PROOF_UNSUPPORTED_CRYPTOSUITE",
        )
    options: dict[str, Any] = {"type": "DataIntegrityProof"}
    if proof_id is not None:
        options["id"] = proof_id
    options["cryptosuite"] = suite
    options["created"] = created if created is not None else _now()
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    if previous_proof is not None:
        options["previousProof"] = previous_proof

    existing = di.proofs_of(document)
    unsecured = di.unsecured_document(document, previous_proof, existing)
    if suite == "eddsa-jcs-2022":
        options = eddsa_jcs_2022.proof_options_with_context(options, document)
        data = eddsa_jcs_2022.hash_data(options, unsecured)
    else:
        data = eddsa_rdfc_2022.hash_data(options, unsecured)
    proof = {**options, "proofValue": di.encode_proof_value(key.sign(data))}

    signed = dict(document)
    # Always an array: the strict OB schema requires it (STANDARDS.md section 1), and the RDF is
    # the same either way, so verifiers that expect an object are unaffected.
    signed["proof"] = [*existing, proof]
    return signed


def verify_proof(document: dict[str, Any], proof: dict[str, Any], public_key: bytes) -> ProofCheck:
    """Check one proof of `document` (one of `proofs_of(document)`) against an Ed25519 key."""
    try:
        if not isinstance(document, dict) or not isinstance(proof, dict):
            return ProofCheck(
                False, "PROOF_MALFORMED", "A document and its proof must be JSON objects."
            )
        hasher, name = _hasher_for(proof)
        if hasher is None:
            return ProofCheck(
                False,
                "PROOF_UNSUPPORTED_CRYPTOSUITE",
                f"The proof uses {name!r}, which this verifier does not support "
                f"(supported: {', '.join(sorted(VERIFIABLE_SUITES))}).",
            )
        signature = di.decode_proof_value(proof)
        unsecured = di.unsecured_document(
            document, proof.get("previousProof"), di.proofs_of(document)
        )
        data = hasher(di.without_proof_value(proof), unsecured)
        if not di.verify_ed25519(public_key, signature, data):
            return ProofCheck(
                False,
                "PROOF_INVALID_SIGNATURE",
                f"The {name} signature does not match the document: it was changed after "
                "signing, or signed with another key.",
            )
    except VcError as exc:
        return ProofCheck(False, exc.code, exc.message)
    except (
        TypeError,
        ValueError,
        LookupError,
        ArithmeticError,
        AttributeError,
        RecursionError,
    ) as exc:
        # Hostile input can reach library internals (pyld) in ways they do not anticipate.
        return ProofCheck(False, "PROOF_MALFORMED", f"The proof or document is malformed: {exc}")
    return ProofCheck(True, "PROOF_VALID", f"The {name} signature is valid.")


def _hasher_for(proof: dict[str, Any]) -> tuple[_Hasher | None, str]:
    proof_type = proof.get("type")
    if proof_type == ed25519_signature_2020.PROOF_TYPE:
        return ed25519_signature_2020.hash_data, proof_type
    suite = proof.get("cryptosuite")
    name = suite if isinstance(suite, str) else repr(proof_type)
    if proof_type != "DataIntegrityProof":
        return None, str(proof_type)
    if suite in (eddsa_rdfc_2022.CRYPTOSUITE, eddsa_rdfc_2022.LEGACY_CRYPTOSUITE):
        return eddsa_rdfc_2022.hash_data, name
    if suite == eddsa_jcs_2022.CRYPTOSUITE:
        return eddsa_jcs_2022.hash_data, name
    return None, name


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_controller(verification_method: str, controller: str | None = None) -> str:
    """Who a key speaks for: its key file's `controller` when given, else the DID of its
    verification method id (`did:key:z6Mk...#z6Mk...` -> `did:key:z6Mk...`; the same for
    did:web)."""
    return controller or verification_method.split("#", 1)[0]


def signer_mismatch(document: dict[str, Any], verification_method: str,
                    controller: str | None = None) -> str | None:
    """A warning with the fix when the key does not belong to who the document says signs it
    (a credential's `issuer`, a presentation's `holder`), else None.

    Such a proof is valid, but verifiers refuse the credential (the key is not bound to the
    issuer), so say it at sign time: the issuer's id or the key is wrong.
    """
    owner = key_controller(verification_method, controller)
    types = document.get("type")
    presentation = "VerifiablePresentation" in (types if isinstance(types, list) else [types])
    role, name = ("holder", "holder") if presentation else ("issuer", "issuer.id")
    value = document.get(role)
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str) or not value:
        return None if presentation else (
            f"the credential names no issuer, but verifiers need one the key belongs to: "
            f"set issuer.id to {owner}")
    if value == owner:
        return None
    return (f"the {role} is {value} but the key belongs to {owner}: set {name} to {owner} "
            f"or sign with {value}'s key")
