"""eddsa-jcs-2022 (W3C Data Integrity EdDSA Cryptosuites v1.0 §3.2): JCS + SHA-256 + Ed25519.

The proof carries the document's `@context` (copied in at creation, kept in the stored proof). On
verification the document's `@context` must start with the proof's, and the document is hashed with
the proof's `@context` in place of its own (§3.2.2 step 4).
"""

from __future__ import annotations

from typing import Any

from microdegree.vc import jcs
from microdegree.vc._proofs import data_integrity as di
from microdegree.vc.errors import ProofError

CRYPTOSUITE = "eddsa-jcs-2022"


def proof_options_with_context(options: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """Creation: the proof options gain the document's `@context` (when it has one)."""
    if "@context" not in document:
        return dict(options)
    return {**options, "@context": document["@context"]}


def document_for_proof(options: dict[str, Any], unsecured: dict[str, Any]) -> dict[str, Any]:
    """Verification: check the `@context` prefix rule and apply the proof's `@context`."""
    if "@context" not in options:
        return unsecured
    proof_ctx = _as_list(options["@context"])
    doc_ctx = _as_list(unsecured.get("@context"))
    if doc_ctx[: len(proof_ctx)] != proof_ctx:
        raise ProofError(
            "The document's @context does not start with the proof's @context.",
            code="PROOF_CONTEXT_MISMATCH",
        )
    return {**unsecured, "@context": options["@context"]}


def canonical_proof_config(options: dict[str, Any]) -> bytes:
    return jcs.canonicalize(di.without_proof_value(options))


def canonical_document(unsecured: dict[str, Any]) -> bytes:
    return jcs.canonicalize(unsecured)


def hash_data(options: dict[str, Any], unsecured: dict[str, Any]) -> bytes:
    """hashData for `unsecured` under the proof `options` (which carry `@context`, if any)."""
    check_options(options)
    document = document_for_proof(options, unsecured)
    return di.hash_data(canonical_proof_config(options), canonical_document(document))


def check_options(options: dict[str, Any]) -> None:
    if options.get("type") != "DataIntegrityProof" or options.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"An eddsa-jcs-2022 proof has type DataIntegrityProof and cryptosuite {CRYPTOSUITE!r}.",
            code="PROOF_MALFORMED",
        )
    di.require_datetime(options, "created")
    di.require_datetime(options, "expires")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
