"""Shared Data Integrity 1.0 machinery: proof sets and chains, hashData, proofValue, Ed25519.

A document's `proof` is one object or an array of them (a proof set). Every proof in a set signs the
document without any proof, except a proof with `previousProof` (a proof chain): it signs the
document whose `proof` is the list of the proofs it names, in the order it names them (Data
Integrity 1.0 "Add Proof" / "Verify Proof"; W3C vc-di-eddsa B.5 `proofChainTempDoc*.json`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from microdegree.vc import keys, multibase
from microdegree.vc.errors import KeyFormatError, ProofError

__all__ = [
    "decode_proof_value",
    "encode_proof_value",
    "hash_data",
    "proofs_of",
    "require_datetime",
    "unsecured_document",
    "verify_ed25519",
    "without_proof_value",
]

# XML Schema dateTime with a time zone (Data Integrity `created` / `expires`).
_DATETIME = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)"
    r"(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$"
)


def proofs_of(document: dict[str, Any]) -> list[Any]:
    """The document's proofs as a list (empty when there is none); items are not checked."""
    proof = document.get("proof") if isinstance(document, dict) else None
    if proof is None:
        return []
    if isinstance(proof, list):
        return list(proof)
    return [proof]


def unsecured_document(
    document: dict[str, Any], previous_proof: Any, all_proofs: list[Any]
) -> dict[str, Any]:
    """The document a proof signs: no `proof`, or the chained `previousProof` proofs.

    A shallow copy: nested values are shared with `document` and must not be modified.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if previous_proof is None:
        return unsecured
    ids = [previous_proof] if isinstance(previous_proof, str) else previous_proof
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise ProofError(
            "previousProof must be a proof id or a non-empty list of proof ids.",
            code="PROOF_MALFORMED",
        )
    by_id = {p.get("id"): p for p in all_proofs if isinstance(p, dict)}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ProofError(
            f"previousProof names {', '.join(missing)}, which is not a proof of this document.",
            code="PROOF_PREVIOUS_MISSING",
        )
    unsecured["proof"] = [by_id[i] for i in ids]
    return unsecured


def without_proof_value(proof: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in proof.items() if k != "proofValue"}


def require_datetime(proof: dict[str, Any], field: str) -> None:
    value = proof.get(field)
    if value is not None and not (isinstance(value, str) and _DATETIME.match(value)):
        raise ProofError(
            f"The proof's {field!r} must be an XML Schema dateTime with a time zone, "
            f"not {value!r}.",
            code="PROOF_MALFORMED",
        )


def hash_data(canonical_proof_config: bytes, canonical_document: bytes) -> bytes:
    """SHA-256(proof configuration) || SHA-256(document): the 64 bytes that are signed."""
    return (
        hashlib.sha256(canonical_proof_config).digest()
        + hashlib.sha256(canonical_document).digest()
    )


def encode_proof_value(signature: bytes) -> str:
    """Multibase base58btc ("z...") of a signature."""
    return multibase.encode_z(signature)


def decode_proof_value(proof: dict[str, Any]) -> bytes:
    """The 64-byte Ed25519 signature in `proof["proofValue"]`; `PROOF_MALFORMED` otherwise."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z") or len(value) > 200:
        raise ProofError(
            "proofValue must be a base58btc multibase string (starting with 'z').",
            code="PROOF_MALFORMED",
        )
    try:
        signature = multibase.decode_z(value)
    except KeyFormatError as exc:
        raise ProofError(
            f"proofValue is not valid base58btc: {exc.message}", code="PROOF_MALFORMED"
        ) from exc
    if len(signature) != keys.SIGNATURE_LENGTH:
        raise ProofError(
            f"proofValue decodes to {len(signature)} bytes; an Ed25519 signature has 64.",
            code="PROOF_MALFORMED",
        )
    return signature


def verify_ed25519(public_key: bytes, signature: bytes, data: bytes) -> bool:
    """Ed25519 (RFC 8032, pure) verification; a key that is not 32 bytes is a `KeyFormatError`."""
    if not isinstance(public_key, bytes) or len(public_key) != keys.KEY_LENGTH:
        raise KeyFormatError("An Ed25519 public key is 32 bytes.", code="KEY_FORMAT_ERROR")
    return keys.verify_signature(public_key, signature, data)
