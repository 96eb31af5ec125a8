"""eddsa-rdfc-2022 (W3C Data Integrity EdDSA Cryptosuites v1.0 §3.3): RDFC-1.0 + SHA-256 + Ed25519.

Also the hashing of the legacy forms that share it: `cryptosuite: "eddsa-2022"` (the draft name) and
`Ed25519Signature2020` (see `ed25519_signature_2020`). The proof configuration is the proof without
`proofValue`, with the document's `@context`; both it and the document are canonicalised with
`microdegree.vc.canon.canonicalize` (fast path first, pyld safe mode otherwise).
"""

from __future__ import annotations

from typing import Any

from microdegree.vc import canon
from microdegree.vc._proofs import data_integrity as di
from microdegree.vc.errors import ProofError

CRYPTOSUITE = "eddsa-rdfc-2022"
LEGACY_CRYPTOSUITE = "eddsa-2022"


def proof_config(options: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """Proof options (without proofValue) with the document's `@context`."""
    config = di.without_proof_value(options)
    config.pop("@context", None)
    if "@context" in document:
        config["@context"] = document["@context"]
    return config


def canonical_proof_config(options: dict[str, Any], document: dict[str, Any]) -> str:
    return canon.canonicalize(proof_config(options, document))


def canonical_document(unsecured: dict[str, Any]) -> str:
    return canon.canonicalize(unsecured)


def hash_data(options: dict[str, Any], unsecured: dict[str, Any]) -> bytes:
    """hashData for `unsecured` (the document without proof) under proof `options`."""
    check_options(options)
    return di.hash_data(
        canonical_proof_config(options, unsecured).encode("utf-8"),
        canonical_document(unsecured).encode("utf-8"),
    )


def check_options(options: dict[str, Any]) -> None:
    if options.get("type") != "DataIntegrityProof" or options.get("cryptosuite") not in (
        CRYPTOSUITE,
        LEGACY_CRYPTOSUITE,
    ):
        raise ProofError(
            "An eddsa-rdfc-2022 proof has type DataIntegrityProof and cryptosuite "
            f"{CRYPTOSUITE!r}.",
            code="PROOF_MALFORMED",
        )
    di.require_datetime(options, "created")
    di.require_datetime(options, "expires")
