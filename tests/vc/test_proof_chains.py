"""Proof chains (Data Integrity 1.0, section 2.1.2): the issuer's proof plus another party's.

A notary or an endorser adds a proof with `previousProof` naming the issuer's; the credential
verifies, each proof with its own key, and the issuer binding rests on the issuer's own proof.
The documents and keys are the specification's (EdDSA Cryptosuites B.5) with the issuer set to
the first key's did:key, since the vectors' issuer (`https://vc.example/issuers/5678`) is no key's
controller.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import did, proofs
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.report import Outcome
from microdegree.vc.verify import verify

B5 = json.loads((Path(__file__).parents[1] / "data" / "vectors" / "proof-set-chain"
                 / "w3c-b5-proof-sets-and-chains.json").read_text())["files"]

CREATED = "2023-02-26T22:06:38Z"


def _keys() -> list[Ed25519Key]:
    return [Ed25519Key.from_multibase(public_multibase=pair["publicKeyMultibase"],
                                      secret_multibase=pair["privateKeyMultibase"])
            for pair in B5["multiKeyPairs"].values()]


def _vm(key: Ed25519Key) -> str:
    return f"{did.did_key(key)}#{key.public_multibase}"


def _chain(issuer_key: Ed25519Key, notary: Ed25519Key, *, suite: str = "eddsa-rdfc-2022"
           ) -> dict[str, Any]:
    doc = copy.deepcopy(B5["unsigned"])
    doc["issuer"] = did.did_key(issuer_key)
    signed = proofs.sign(doc, issuer_key, verification_method=_vm(issuer_key), created=CREATED,
                         proof_id="urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544", suite=suite)
    return proofs.sign(signed, notary, verification_method=_vm(notary), created=CREATED,
                       previous_proof="urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544",
                       suite=suite)


def _codes(report: Any) -> list[tuple[str, str, str]]:
    return [(c.name, c.outcome.value, c.code) for c in report.checks
            if c.name.startswith(("proof", "issuer.key"))]


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_a_notarys_chained_proof_verifies(suite: str) -> None:
    issuer_key, notary = _keys()[:2]
    chained = _chain(issuer_key, notary, suite=suite)
    assert chained["proof"][1]["previousProof"] == chained["proof"][0]["id"]
    report = verify(chained)
    assert report.verified, report.to_json()
    assert _codes(report) == [
        ("proof", "pass", "PROOF_VALID"),
        ("proof[1]", "pass", "PROOF_VALID"),
        ("issuer.key", "pass", "KEY_BOUND_TO_ISSUER"),
        ("proof.party[1]", "pass", "PROOF_BY_OTHER_PARTY"),
    ]
    party = next(c for c in report.checks if c.code == "PROOF_BY_OTHER_PARTY")
    assert party.details["controller"] == did.did_key(notary)


def test_the_specifications_chain_of_four_with_the_first_key_as_issuer() -> None:
    """B.5's chain shape (a set of two, then two chained proofs), re-signed by our core."""
    keys = _keys()
    doc = copy.deepcopy(B5["unsigned"])
    doc["issuer"] = did.did_key(keys[0])
    for proof, key in zip(B5["signedProofChain2"]["proof"], keys, strict=True):
        doc = proofs.sign(doc, key, verification_method=_vm(key), created=proof["created"],
                          proof_id=proof.get("id"), previous_proof=proof.get("previousProof"))
    report = verify(doc)
    assert report.verified, report.to_json()
    assert [c.code for c in report.checks if c.name.startswith("proof.party")] == [
        "PROOF_BY_OTHER_PARTY"] * 3


def test_without_the_issuers_own_proof_the_binding_fails() -> None:
    issuer_key, notary = _keys()[:2]
    chained = _chain(issuer_key, notary)
    # the issuer's proof replaced by one of the notary's own: every proof is valid, none is the
    # issuer's
    doc = copy.deepcopy(B5["unsigned"])
    doc["issuer"] = did.did_key(issuer_key)
    only_notary = proofs.sign(doc, notary, verification_method=_vm(notary), created=CREATED)
    report = verify(only_notary)
    assert not report.verified
    assert ("issuer.key", "fail", "KEY_NOT_ISSUERS") in _codes(report)
    assert verify(chained).verified


def test_a_broken_notary_proof_fails_the_credential() -> None:
    issuer_key, notary = _keys()[:2]
    chained = _chain(issuer_key, notary)
    chained["proof"][1]["created"] = "2030-01-01T00:00:00Z"
    report = verify(chained)
    assert not report.verified
    assert ("proof[1]", "fail", "PROOF_INVALID_SIGNATURE") in _codes(report)


def test_a_chain_whose_previous_proof_was_removed_fails() -> None:
    issuer_key, notary = _keys()[:2]
    chained = _chain(issuer_key, notary)
    chained["proof"] = [chained["proof"][1]]
    report = verify(chained)
    assert not report.verified
    assert report.errors[0].code == "PROOF_PREVIOUS_MISSING"


def test_the_issuers_proof_signed_with_a_changed_document_fails_even_if_the_notarys_holds(
) -> None:
    issuer_key, notary = _keys()[:2]
    doc = copy.deepcopy(B5["unsigned"])
    doc["issuer"] = did.did_key(issuer_key)
    signed = proofs.sign(doc, issuer_key, verification_method=_vm(issuer_key), created=CREATED,
                         proof_id="urn:uuid:first")
    signed["name"] = "Changed after the issuer signed"
    # the notary signs the changed document and the issuer's (now stale) proof
    chained = proofs.sign(signed, notary, verification_method=_vm(notary), created=CREATED,
                          previous_proof="urn:uuid:first")
    report = verify(chained)
    assert not report.verified
    assert _codes(report)[0] == ("proof", "fail", "PROOF_INVALID_SIGNATURE")
    assert (Outcome.PASS, "PROOF_VALID") in [(c.outcome, c.code) for c in report.checks]
