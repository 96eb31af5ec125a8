"""Legacy `Ed25519Signature2020` proofs (verify only; W3C vc-di-eddsa Appendix B.4).

Same hashing as eddsa-rdfc-2022 (URDNA2015 = RDFC-1.0, SHA-256, proof hash first) with the proof
type `Ed25519Signature2020` and no `cryptosuite`. Its terms live in the
`https://w3id.org/security/suites/ed25519-2020/v1` context, which the document's `@context` must
include: without it the proof configuration does not canonicalise in safe mode.
"""

from __future__ import annotations

from typing import Any

from microdegree.vc._proofs import data_integrity as di
from microdegree.vc._proofs import eddsa_rdfc_2022
from microdegree.vc.errors import ProofError

PROOF_TYPE = "Ed25519Signature2020"
CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"


def hash_data(options: dict[str, Any], unsecured: dict[str, Any]) -> bytes:
    if options.get("type") != PROOF_TYPE or "cryptosuite" in options:
        raise ProofError(
            f"An {PROOF_TYPE} proof has that type and no cryptosuite.", code="PROOF_MALFORMED"
        )
    di.require_datetime(options, "created")
    return di.hash_data(
        eddsa_rdfc_2022.canonical_proof_config(options, unsecured).encode("utf-8"),
        eddsa_rdfc_2022.canonical_document(unsecured).encode("utf-8"),
    )
