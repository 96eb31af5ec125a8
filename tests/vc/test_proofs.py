"""The proofs facade: sign / verify round trips, proof sets and chains, error codes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microdegree.vc import proofs
from microdegree.vc.contexts import OB_CONTEXT, VC_V2_CONTEXT
from microdegree.vc.errors import CanonicalizationError, ProofError
from microdegree.vc.keys import Ed25519Key

KEY = Ed25519Key.from_seed(b"\x01" * 32)
OTHER = Ed25519Key.from_seed(b"\x02" * 32)
VM = "did:example:issuer#key-1"
CREATED = "2026-01-15T00:00:00Z"
SUITES = sorted(proofs.SUPPORTED_SUITES)


def _credential() -> dict[str, Any]:
    return {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:uuid:6f1c6d1e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Uni"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Data Literacy",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://uni.example/achievements/1",
                "type": ["Achievement"],
                "name": "Data Literacy",
                "description": "Completed the course.",
                "criteria": {"narrative": "Pass the exam."},
            },
        },
    }


def _sign(doc: dict[str, Any], suite: str, key: Ed25519Key = KEY, **kw: Any) -> dict[str, Any]:
    return proofs.sign(doc, key, verification_method=VM, suite=suite, created=CREATED, **kw)


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip(suite: str) -> None:
    doc = _credential()
    signed = _sign(doc, suite)
    assert "proof" not in doc
    assert signed["credentialSubject"] is doc["credentialSubject"]  # shallow copy only
    proof = signed["proof"][0]
    assert proof["cryptosuite"] == suite
    assert proof["type"] == "DataIntegrityProof"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["proofValue"].startswith("z")
    assert ("@context" in proof) == (suite == "eddsa-jcs-2022")
    check = proofs.verify_proof(signed, proof, KEY.public)
    assert (check.valid, check.code) == (True, "PROOF_VALID")


@pytest.mark.parametrize("suite", SUITES)
def test_signing_is_deterministic(suite: str) -> None:
    assert _sign(_credential(), suite) == _sign(_credential(), suite)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    "path",
    [
        ("name",),
        ("issuer", "id"),
        ("credentialSubject", "achievement", "name"),
        ("credentialSubject", "achievement", "criteria", "narrative"),
        ("validFrom",),
    ],
)
def test_tampered_after_signing_fails(suite: str, path: tuple[str, ...]) -> None:
    signed = copy.deepcopy(_sign(_credential(), suite))
    node = signed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = (
        "2026-02-01T00:00:00Z"
        if path[-1] == "validFrom"
        else "did:example:other"
        if path[-1] == "id"
        else node[path[-1]] + "."
    )
    check = proofs.verify_proof(signed, signed["proof"][0], KEY.public)
    assert (check.valid, check.code) == (False, "PROOF_INVALID_SIGNATURE")


@pytest.mark.parametrize("suite", SUITES)
def test_wrong_key_fails(suite: str) -> None:
    signed = _sign(_credential(), suite)
    check = proofs.verify_proof(signed, signed["proof"][0], OTHER.public)
    assert (check.valid, check.code) == (False, "PROOF_INVALID_SIGNATURE")


@pytest.mark.parametrize("suite", SUITES)
def test_options_are_signed(suite: str) -> None:
    signed = _sign(
        _credential(), suite, challenge="c-1", domain="verifier.example", proof_id="urn:uuid:p1"
    )
    proof = signed["proof"][0]
    assert (proof["challenge"], proof["domain"], proof["id"]) == (
        "c-1",
        "verifier.example",
        "urn:uuid:p1",
    )
    assert proofs.verify_proof(signed, proof, KEY.public).valid
    for field, value in [("challenge", "c-2"), ("domain", "evil.example"), ("id", "urn:uuid:p2")]:
        tampered = {**signed, "proof": [{**proof, field: value}]}
        assert not proofs.verify_proof(tampered, tampered["proof"][0], KEY.public).valid


def test_created_defaults_to_now_in_seconds() -> None:
    signed = proofs.sign(_credential(), KEY, verification_method=VM)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", signed["proof"][0]["created"])


@pytest.mark.parametrize("suite", SUITES)
def test_second_signature_makes_a_proof_set(suite: str) -> None:
    once = _sign(_credential(), suite)
    twice = _sign(once, "eddsa-rdfc-2022", key=OTHER)
    assert isinstance(once["proof"], list)
    assert len(once["proof"]) == 1  # always an array (strict OB schema)
    assert len(twice["proof"]) == 2
    assert twice["proof"][0] == once["proof"][0]
    first, second = proofs.proofs_of(twice)
    assert proofs.verify_proof(twice, first, KEY.public).valid
    assert proofs.verify_proof(twice, second, OTHER.public).valid
    thrice = _sign(twice, suite)
    assert len(thrice["proof"]) == 3
    assert all(
        proofs.verify_proof(thrice, p, k.public).valid
        for p, k in zip(thrice["proof"], [KEY, OTHER, KEY], strict=True)
    )


@pytest.mark.parametrize("suite", SUITES)
def test_proof_chain(suite: str) -> None:
    first = _sign(_credential(), suite, proof_id="urn:uuid:first")
    chained = _sign(first, suite, key=OTHER, previous_proof="urn:uuid:first")
    p1, p2 = chained["proof"]
    assert p2["previousProof"] == "urn:uuid:first"
    assert proofs.verify_proof(chained, p1, KEY.public).valid
    assert proofs.verify_proof(chained, p2, OTHER.public).valid
    # The chained proof covers the first one: changing it breaks the second signature.
    changed = {**chained, "proof": [{**p1, "created": "2027-01-01T00:00:00Z"}, p2]}
    assert not proofs.verify_proof(changed, changed["proof"][1], OTHER.public).valid


def test_previous_proof_must_exist_when_signing() -> None:
    with pytest.raises(ProofError) as info:
        _sign(_credential(), "eddsa-rdfc-2022", previous_proof="urn:uuid:nope")
    assert info.value.code == "PROOF_PREVIOUS_MISSING"


def test_unsupported_suite_refused_when_signing() -> None:
    with pytest.raises(ProofError) as info:
        _sign(_credential(), "ecdsa-rdfc-2019")
    assert info.value.code == "PROOF_UNSUPPORTED_CRYPTOSUITE"


def test_bad_created_refused_when_signing() -> None:
    with pytest.raises(ProofError) as info:
        proofs.sign(_credential(), KEY, verification_method=VM, created="yesterday")
    assert info.value.code == "PROOF_MALFORMED"


def test_unsafe_document_refused_when_signing_rdfc() -> None:
    doc = {**_credential(), "favouriteColour": "blue"}
    with pytest.raises(CanonicalizationError) as info:
        _sign(doc, "eddsa-rdfc-2022")
    assert info.value.code == "JSONLD_UNDEFINED_TERM"


def _signed() -> dict[str, Any]:
    return _sign(_credential(), "eddsa-rdfc-2022")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"cryptosuite": "ecdsa-rdfc-2019"}, "PROOF_UNSUPPORTED_CRYPTOSUITE"),
        ({"type": "RsaSignature2018"}, "PROOF_UNSUPPORTED_CRYPTOSUITE"),
        ({"proofValue": "not-multibase"}, "PROOF_MALFORMED"),
        ({"proofValue": "z0OIl"}, "PROOF_MALFORMED"),
        ({"proofValue": "z" + "1" * 40}, "PROOF_MALFORMED"),
        ({"proofValue": None}, "PROOF_MALFORMED"),
        ({"created": "not a date"}, "PROOF_MALFORMED"),
        ({"previousProof": "urn:uuid:missing"}, "PROOF_PREVIOUS_MISSING"),
        ({"previousProof": 7}, "PROOF_MALFORMED"),
    ],
)
def test_verify_reports_codes_and_never_raises(change: dict[str, Any], code: str) -> None:
    signed = _signed()
    proof = {**signed["proof"][0], **change}
    check = proofs.verify_proof({**signed, "proof": proof}, proof, KEY.public)
    assert (check.valid, check.code) == (False, code)
    assert check.message


def test_verify_reports_canonicalisation_failures() -> None:
    signed = _signed()
    doc = {**signed, "@context": [VC_V2_CONTEXT, "https://unknown.example/ctx"]}
    check = proofs.verify_proof(doc, doc["proof"][0], KEY.public)
    assert (check.valid, check.code) == (False, "JSONLD_CONTEXT_UNKNOWN")
    doc = {**signed, "extra": 1}
    assert proofs.verify_proof(doc, doc["proof"][0], KEY.public).code == "JSONLD_UNDEFINED_TERM"


@pytest.mark.parametrize("bad", [None, "text", [], 5])
def test_verify_with_non_objects(bad: Any) -> None:
    signed = _signed()
    assert proofs.verify_proof(bad, signed["proof"][0], KEY.public).code == "PROOF_MALFORMED"
    assert proofs.verify_proof(signed, bad, KEY.public).code == "PROOF_MALFORMED"


def test_verify_with_a_malformed_key() -> None:
    signed = _signed()
    check = proofs.verify_proof(signed, signed["proof"][0], b"short")
    assert (check.valid, check.code) == (False, "KEY_FORMAT_ERROR")


def test_legacy_eddsa_2022_name_verifies_as_rdfc() -> None:
    doc = _credential()
    unsecured_options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-2022",
        "created": CREATED,
        "verificationMethod": VM,
        "proofPurpose": "assertionMethod",
    }
    from microdegree.vc._proofs import data_integrity, eddsa_rdfc_2022

    data = eddsa_rdfc_2022.hash_data(unsecured_options, doc)
    proof = {
        **unsecured_options,
        "proofValue": data_integrity.encode_proof_value(KEY.sign(data)),
    }
    signed = {**doc, "proof": proof}
    check = proofs.verify_proof(signed, proof, KEY.public)
    assert (check.valid, check.code) == (True, "PROOF_VALID")


def test_proofs_of() -> None:
    assert proofs.proofs_of({}) == []
    assert proofs.proofs_of({"proof": {"a": 1}}) == [{"a": 1}]
    assert proofs.proofs_of({"proof": [{"a": 1}, {"b": 2}]}) == [{"a": 1}, {"b": 2}]


def test_supported_suites() -> None:
    assert {"eddsa-rdfc-2022", "eddsa-jcs-2022"} == proofs.SUPPORTED_SUITES
    assert proofs.SUPPORTED_SUITES < proofs.VERIFIABLE_SUITES


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=8,
)
_SIGNED = {suite: _sign(_credential(), suite) for suite in SUITES}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    suite=st.sampled_from(SUITES),
    where=st.sampled_from(["@context", "type", "issuer", "credentialSubject", "proof", "name"]),
    key=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["id", "type", "@context"])),
    value=_json,
)
def test_verify_never_raises_on_mutated_documents(
    suite: str, where: str, key: str | None, value: Any
) -> None:
    doc = copy.deepcopy(_SIGNED[suite])
    if key is not None and isinstance(doc.get(where), dict):
        doc[where][key] = value
    else:
        doc[where] = value
    proof = doc["proof"] if isinstance(doc.get("proof"), dict) else _SIGNED[suite]["proof"][0]
    check = proofs.verify_proof(doc, proof, KEY.public)
    assert isinstance(check, proofs.ProofCheck)
    assert check.code
