"""Signed on the fast path, verified on the general one, and the other way round.

The fast path is the default; these tests pin that a proof made by either path is byte-for-byte
the same proof the other path expects (Ed25519 is deterministic, so the signed documents are equal).
"""

from __future__ import annotations

import pytest

from microdegree.vc import _fast, canon, did, proofs
from microdegree.vc.keys import Ed25519Key
from tests.samples import sample_credential

KEY = Ed25519Key.from_seed(bytes(range(32)))
ISSUER = did.did_key(KEY)
VM = f"{ISSUER}#{KEY.public_multibase}"
CREATED = "2026-02-01T10:00:00Z"


def _clr() -> dict:
    inner = proofs.sign(sample_credential(ISSUER), KEY, verification_method=VM, created=CREATED)
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:0b7d3d7e-8d1c-4a55-9a3f-2b1e0f6c9d10",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Example University"},
        "name": "Transcript",
        "validFrom": CREATED,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": ISSUER,
            "verifiableCredential": [inner],
        },
    }


def _presentation() -> dict:
    inner = proofs.sign(sample_credential(ISSUER), KEY, verification_method=VM, created=CREATED)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "holder": ISSUER,
        "verifiableCredential": [inner],
    }


DOCUMENTS = {
    "ob-credential": lambda: sample_credential(ISSUER),
    "ob-credential-unicode": lambda: {
        **sample_credential(ISSUER),
        "name": 'Données «ouvertes» — 数据素养 \U0001f600 "quoted" \\ back\nslash',
    },
    "clr": _clr,
    "presentation": _presentation,
}


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("sign_mode", "verify_mode"), [("fast", "general"), ("general", "fast")])
def test_proofs_cross_between_paths(name: str, sign_mode: str, verify_mode: str) -> None:
    document = DOCUMENTS[name]()
    _fast.reset_stats()
    with canon.use(sign_mode):  # type: ignore[arg-type]
        signed = proofs.sign(document, KEY, verification_method=VM, created=CREATED)
    took_fast = _fast.stats().get("fast", 0)
    assert took_fast >= 1 if sign_mode == "fast" else took_fast == 0, _fast.stats()
    with canon.use(verify_mode):  # type: ignore[arg-type]
        check = proofs.verify_proof(signed, signed["proof"][-1], KEY.public)
    assert (check.valid, check.code) == (True, "PROOF_VALID")
    with canon.use(verify_mode):  # type: ignore[arg-type]
        other = proofs.sign(document, KEY, verification_method=VM, created=CREATED)
    assert other == signed  # deterministic: both paths produce the very same proof


def test_a_tampered_document_fails_on_both_paths() -> None:
    signed = proofs.sign(sample_credential(ISSUER), KEY, verification_method=VM, created=CREATED)
    forged = {**signed, "name": "Forged"}
    for mode in ("fast", "general"):
        with canon.use(mode):  # type: ignore[arg-type]
            assert not proofs.verify_proof(forged, forged["proof"][0], KEY.public).valid
