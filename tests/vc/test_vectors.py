"""Every published vector reproduces byte for byte and verifies; every tampered field fails."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import proofs
from microdegree.vc._proofs import data_integrity as di
from microdegree.vc._proofs import eddsa_jcs_2022, eddsa_rdfc_2022
from microdegree.vc.keys import Ed25519Key, decode_public_multibase

VECTORS = Path(__file__).parent.parent / "data" / "vectors"


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / rel).read_text())
    return data


RDFC = {
    name: _load(f"eddsa-rdfc-2022/{name}.json")
    for name in ("w3c-b1-alumni", "1edtech-ob-v3p0-teamwork", "1edtech-clr-v2p0-transcript")
}
B2 = _load("eddsa-rdfc-2022/w3c-b2-employment-authorization.json")
JCS = _load("eddsa-jcs-2022/w3c-b3-alumni.json")
LEGACY = _load("ed25519signature2020-legacy/w3c-b4-alumni.json")
B5 = _load("proof-set-chain/w3c-b5-proof-sets-and-chains.json")["files"]
SIGNED = {**RDFC, "w3c-b3-alumni": JCS, "w3c-b4-alumni": LEGACY}


def _key(vector: dict[str, Any]) -> Ed25519Key:
    pair = vector["keyPair"]
    key = Ed25519Key.from_multibase(
        public_multibase=pair["publicKeyMultibase"], secret_multibase=pair["secretKeyMultibase"]
    )
    assert key.seed is not None
    assert key.seed.hex() == pair["derived"]["secretKeySeedHex"]
    return key


def _public(vector: dict[str, Any]) -> bytes:
    return decode_public_multibase(vector["keyPair"]["publicKeyMultibase"])


def _options(vector: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in vector["proofOptions"].items() if k != "@context"}


def _check_hashes(vector: dict[str, Any], config: bytes, document: bytes) -> bytes:
    assert hashlib.sha256(config).hexdigest() == vector["proofConfigHashHex"]
    assert hashlib.sha256(document).hexdigest() == vector["documentHashHex"]
    data = di.hash_data(config, document)
    assert data.hex() == vector["hashDataHex"]
    signature = _key(vector).sign(data)
    assert signature.hex() == vector["signatureHex"]
    assert di.encode_proof_value(signature) == vector["proofValue"]
    assert di.verify_ed25519(_public(vector), signature, data)
    return data


def _single_proof(doc: dict[str, Any]) -> dict[str, Any]:
    """The CLR vector stores its one proof as a one-element array; the others as an object."""
    proof = doc["proof"]
    if isinstance(proof, list) and len(proof) == 1:
        return {**doc, "proof": proof[0]}
    return doc


def _as_signed_by_us(doc: dict[str, Any]) -> dict[str, Any]:
    """`sign` always emits a proof array (the strict OB schema requires one)."""
    proof = doc["proof"]
    return {**doc, "proof": proof if isinstance(proof, list) else [proof]}


# --- reproduction --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(RDFC))
def test_rdfc_vector_reproduces(name: str) -> None:
    vector = RDFC[name]
    unsigned = vector["unsignedDocument"]
    options = _options(vector)
    canonical_doc = eddsa_rdfc_2022.canonical_document(unsigned)
    canonical_config = eddsa_rdfc_2022.canonical_proof_config(options, unsigned)
    assert canonical_doc == vector["canonicalDocument"]
    assert canonical_config == vector["canonicalProofConfig"]
    _check_hashes(vector, canonical_config.encode(), canonical_doc.encode())

    signed = proofs.sign(
        unsigned,
        _key(vector),
        verification_method=options["verificationMethod"],
        created=options["created"],
        proof_purpose=options["proofPurpose"],
    )
    assert signed == _as_signed_by_us(vector["signedDocument"])
    assert "proof" not in unsigned  # the input is not modified


def test_b2_hash_level_only() -> None:
    # Its context (w3id.org/citizenship/v4rc1) is not bundled: hashes from the given strings.
    _check_hashes(B2, B2["canonicalProofConfig"].encode(), B2["canonicalDocument"].encode())
    proof = B2["signedDocument"]["proof"]
    check = proofs.verify_proof(B2["signedDocument"], proof, _public(B2))
    assert not check.valid
    assert check.code == "JSONLD_CONTEXT_UNKNOWN"


def test_jcs_vector_reproduces() -> None:
    unsigned = JCS["unsignedDocument"]
    options = JCS["proofOptions"]  # eddsa-jcs-2022 keeps @context in the proof
    canonical_doc = eddsa_jcs_2022.canonical_document(unsigned)
    canonical_config = eddsa_jcs_2022.canonical_proof_config(options)
    assert canonical_doc.decode() == JCS["canonicalDocument"]
    assert canonical_config.decode() == JCS["canonicalProofConfig"]
    _check_hashes(JCS, canonical_config, canonical_doc)

    signed = proofs.sign(
        unsigned,
        _key(JCS),
        verification_method=options["verificationMethod"],
        suite="eddsa-jcs-2022",
        created=options["created"],
    )
    assert signed == _as_signed_by_us(JCS["signedDocument"])


def test_legacy_vector_reproduces_and_verifies() -> None:
    # Signing added the suite context (ed25519-2020/v1) to the document: the proof configuration
    # takes that @context (as the vector's proofOptions show), the document hash is unchanged by it.
    unsigned = LEGACY["unsignedDocument"]
    options = _options(LEGACY)
    with_suite_context = {**unsigned, "@context": LEGACY["proofOptions"]["@context"]}
    assert with_suite_context["@context"] == LEGACY["signedDocument"]["@context"]
    canonical_doc = eddsa_rdfc_2022.canonical_document(unsigned)
    assert eddsa_rdfc_2022.canonical_document(with_suite_context) == canonical_doc
    canonical_config = eddsa_rdfc_2022.canonical_proof_config(options, with_suite_context)
    assert canonical_doc == LEGACY["canonicalDocument"]
    assert canonical_config == LEGACY["canonicalProofConfig"]
    _check_hashes(LEGACY, canonical_config.encode(), canonical_doc.encode())


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_signed_vector_verifies(name: str) -> None:
    vector = SIGNED[name]
    doc = vector["signedDocument"]
    [proof] = proofs.proofs_of(doc)
    check = proofs.verify_proof(doc, proof, _public(vector))
    assert check == proofs.ProofCheck(True, "PROOF_VALID", check.message)


@pytest.mark.parametrize("name", sorted(SIGNED))
def test_signed_vector_fails_with_another_key(name: str) -> None:
    doc = SIGNED[name]["signedDocument"]
    [proof] = proofs.proofs_of(doc)
    check = proofs.verify_proof(doc, proof, Ed25519Key.from_seed(b"\x07" * 32).public)
    assert (check.valid, check.code) == (False, "PROOF_INVALID_SIGNATURE")


# --- tampering -----------------------------------------------------------------------------------


def _first_subject_text(node: Any) -> tuple[dict[str, Any], str] | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("id", "type") and isinstance(value, str):
                return node, key
        for value in node.values():
            found = _first_subject_text(value)
            if found:
                return found
    if isinstance(node, list):
        for item in node:
            found = _first_subject_text(item)
            if found:
                return found
    return None


def _tamper_value(doc: dict[str, Any]) -> None:
    found = _first_subject_text(doc["credentialSubject"])
    assert found is not None
    holder, key = found
    holder[key] = holder[key] + " (edited)"


def _tamper_name(doc: dict[str, Any]) -> None:
    doc["name"] = doc["name"] + "!"


def _tamper_type(doc: dict[str, Any]) -> None:
    doc["type"] = doc["type"][:1]  # drop the specific type, keep VerifiableCredential


def _tamper_issuer(doc: dict[str, Any]) -> None:
    if isinstance(doc["issuer"], dict):
        doc["issuer"]["id"] = "https://attacker.example/issuer"
    else:
        doc["issuer"] = "https://attacker.example/issuer"


def _tamper_created(doc: dict[str, Any]) -> None:
    doc["proof"]["created"] = "2024-06-01T00:00:00Z"


def _tamper_verification_method(doc: dict[str, Any]) -> None:
    doc["proof"]["verificationMethod"] = doc["proof"]["verificationMethod"] + "x"


def _tamper_context_drop(doc: dict[str, Any]) -> None:
    doc["@context"] = doc["@context"][:-1]


def _tamper_context_other(doc: dict[str, Any]) -> None:
    doc["@context"] = [*doc["@context"][:-1], "https://www.w3.org/ns/credentials/v1"]


def _tamper_proof_value(doc: dict[str, Any]) -> None:
    value = doc["proof"]["proofValue"]
    doc["proof"]["proofValue"] = value[:-3] + ("111" if not value.endswith("111") else "222")


TAMPERS = {
    "credentialSubject-value": _tamper_value,
    "name": _tamper_name,
    "type": _tamper_type,
    "issuer": _tamper_issuer,
    "proof-created": _tamper_created,
    "proof-verificationMethod": _tamper_verification_method,
    "context-drop-last": _tamper_context_drop,
    "context-other-bundled": _tamper_context_other,
    "proofValue": _tamper_proof_value,
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
@pytest.mark.parametrize("name", sorted(SIGNED))
def test_tampered_vector_fails(name: str, tamper: str) -> None:
    vector = SIGNED[name]
    doc = copy.deepcopy(vector["signedDocument"])
    doc = _single_proof(doc)
    TAMPERS[tamper](doc)
    assert doc != _single_proof(vector["signedDocument"])
    check = proofs.verify_proof(doc, doc["proof"], _public(vector))
    assert not check.valid, check
    assert check.code != "PROOF_VALID"


def test_jcs_context_reorder_fails() -> None:
    doc = copy.deepcopy(JCS["signedDocument"])
    doc["@context"] = list(reversed(doc["@context"]))
    check = proofs.verify_proof(doc, doc["proof"], _public(JCS))
    assert (check.valid, check.code) == (False, "PROOF_CONTEXT_MISMATCH")


def test_jcs_context_must_match_the_proofs() -> None:
    doc = copy.deepcopy(JCS["signedDocument"])
    doc["proof"]["@context"] = doc["@context"][:1]  # a prefix, but not what was signed
    assert not proofs.verify_proof(doc, doc["proof"], _public(JCS)).valid


@pytest.mark.parametrize("name", [*sorted(RDFC), "w3c-b4-alumni"])
def test_rdfc_context_reorder_that_keeps_the_graph_still_verifies(name: str) -> None:
    # RDFC signs the graph, not the JSON. In these vectors the contexts define disjoint terms (and
    # VC v2's are protected), so even reversing them yields the same N-Quads: the signature rightly
    # stays valid. "VC v2 must come first" is a data-model rule for the structure check, not here.
    vector = SIGNED[name]
    doc = _single_proof(copy.deepcopy(vector["signedDocument"]))
    doc["@context"] = list(reversed(doc["@context"]))
    assert proofs.verify_proof(doc, doc["proof"], _public(vector)).valid


# --- proof sets and chains (B.5) -----------------------------------------------------------------

B5_KEYS = {
    pair["publicKeyMultibase"]: decode_public_multibase(pair["publicKeyMultibase"])
    for pair in B5["multiKeyPairs"].values()
}


def _key_for(proof: dict[str, Any]) -> bytes:
    return B5_KEYS[proof["verificationMethod"].split("#")[-1]]


@pytest.mark.parametrize(
    "name", ["signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2"]
)
def test_b5_every_proof_verifies_with_its_own_key(name: str) -> None:
    doc = B5[name]
    all_proofs = proofs.proofs_of(doc)
    assert all_proofs
    for proof in all_proofs:
        check = proofs.verify_proof(doc, proof, _key_for(proof))
        assert check.valid, (proof.get("id"), check)


def test_b5_chain_needs_its_previous_proofs() -> None:
    doc = copy.deepcopy(B5["signedProofChain2"])
    chained = [p for p in doc["proof"] if "previousProof" in p]
    assert chained
    doc["proof"] = chained  # drop the proofs the first chained proof names
    check = proofs.verify_proof(doc, chained[0], _key_for(chained[0]))
    assert (check.valid, check.code) == (False, "PROOF_PREVIOUS_MISSING")


def test_b5_chain_detects_a_changed_previous_proof() -> None:
    doc = copy.deepcopy(B5["signedProofChain1"])
    first, *rest = doc["proof"]
    first["created"] = "2030-01-01T00:00:00Z"
    chained = next(p for p in rest if "previousProof" in p)
    assert not proofs.verify_proof(doc, chained, _key_for(chained)).valid


def test_b5_proof_set_reproduces_from_the_unsigned_document() -> None:
    keys = {
        pair["publicKeyMultibase"]: Ed25519Key.from_multibase(
            public_multibase=pair["publicKeyMultibase"],
            secret_multibase=pair["privateKeyMultibase"],
        )
        for pair in B5["multiKeyPairs"].values()
    }
    doc = B5["unsigned"]
    for proof in B5["signedProofSet2"]["proof"]:
        doc = proofs.sign(
            doc,
            keys[proof["verificationMethod"].split("#")[-1]],
            verification_method=proof["verificationMethod"],
            created=proof["created"],
            proof_id=proof.get("id"),
        )
    assert doc == B5["signedProofSet2"]


def test_b5_proof_chain_reproduces_from_the_unsigned_document() -> None:
    keys = {
        pair["publicKeyMultibase"]: Ed25519Key.from_multibase(
            public_multibase=pair["publicKeyMultibase"],
            secret_multibase=pair["privateKeyMultibase"],
        )
        for pair in B5["multiKeyPairs"].values()
    }
    doc = B5["unsigned"]
    for proof in B5["signedProofChain2"]["proof"]:
        doc = proofs.sign(
            doc,
            keys[proof["verificationMethod"].split("#")[-1]],
            verification_method=proof["verificationMethod"],
            created=proof["created"],
            proof_id=proof.get("id"),
            previous_proof=proof.get("previousProof"),
        )
    assert doc == B5["signedProofChain2"]
