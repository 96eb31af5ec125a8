"""Digital Bazaar's stack on language/direction values and on proof chains (issue 13 section 3).

* Language and direction (VC 2.0 section 11.1): eddsa-rdfc-2022 in jsonld.js canonicalises a
  value's `@direction` with `rdfDirection: "i18n-datatype"`. Our canonical N-Quads (fast path,
  general path and pyld) equal Node's byte for byte; Node and our core sign such a credential
  with the same key and `created` to the same proofValue; each verifies the other's.
* Proof chains: our core makes the issuer's proof and a notary's chained proof (`previousProof`).
  `@digitalbazaar/data-integrity` 2.5 does not implement `previousProof`: it verifies the
  credential on the issuer's proof and reports the notary's proof as not verifying (recorded
  here, so a change in a later version shows). Digital Bazaar makes proof sets, not chains: a
  notary's second proof added by Node verifies in our core as another party's proof.

One Node process for the module; skips without Node or tests/node/node_modules.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import _fast, canon, did, proofs
from microdegree.vc.keys import Ed25519Key
from microdegree.vc.verify import verify
from tests.samples import sample_credential
from tests.vc.test_node_interop import _SKIP_REASON, run_node

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(_SKIP_REASON is not None, reason=_SKIP_REASON or ""),
]

CREATED = "2026-01-15T00:00:00Z"
EXAMPLES = Path(__file__).parent.parent / "data" / "examples" / "w3c-vc-data-model"
ISSUER_KEY = Ed25519Key.from_seed(bytes([31]) * 32)
NOTARY_KEY = Ed25519Key.from_seed(bytes([32]) * 32)
ARABIC = "\u0634\u0647\u0627\u062f\u0629"


def _vm(key: Ed25519Key) -> str:
    return f"{did.did_key(key)}#{key.public_multibase}"


def _with_language(name: Any, description: Any = None) -> dict[str, Any]:
    doc = sample_credential(did.did_key(ISSUER_KEY), status_list=None)
    # a plain VC 2.0 use: the OB JSON Schema wants `name` as a string, so it is not named here
    del doc["credentialSchema"]
    doc["name"] = name
    if description is not None:
        doc["description"] = description
    return doc


LANGUAGE_DOCS: dict[str, dict[str, Any]] = {
    "ar-rtl": _with_language({"@value": ARABIC, "@language": "ar", "@direction": "rtl"}),
    "upper-case-tag": _with_language({"@value": "Data", "@language": "EN-GB", "@direction": "ltr"}),
    "direction-only": _with_language({"@value": "x", "@direction": "rtl"}),
    "several": _with_language(
        [{"@value": ARABIC, "@language": "ar", "@direction": "rtl"},
         {"@value": "Daten", "@language": "de", "@direction": "ltr"},
         {"@value": "plain language", "@language": "en"}],
        {"@value": "\u05ea\u05d9\u05d0\u05d5\u05e8", "@language": "he", "@direction": "rtl"}),
    "vc-example-name-description": json.loads(
        (EXAMPLES / "ex-L1708-use-of-the-name-and-description-properties.json").read_text()),
}


def _chain() -> dict[str, Any]:
    doc = _with_language({"@value": "Data Literacy", "@language": "en", "@direction": "ltr"})
    signed = proofs.sign(doc, ISSUER_KEY, verification_method=_vm(ISSUER_KEY), created=CREATED,
                         proof_id="urn:uuid:3e3f0c58-1d2b-4c3e-9f4a-5b6c7d8e9f01")
    return proofs.sign(signed, NOTARY_KEY, verification_method=_vm(NOTARY_KEY), created=CREATED,
                       previous_proof="urn:uuid:3e3f0c58-1d2b-4c3e-9f4a-5b6c7d8e9f01")


SEEDS = {ISSUER_KEY.public_multibase: bytes([31]) * 32,
         NOTARY_KEY.public_multibase: bytes([32]) * 32}


def _sign_job(credential: dict[str, Any], key: Ed25519Key, suite: str) -> dict[str, Any]:
    return {"credential": credential, "seedHex": SEEDS[key.public_multibase].hex(),
            "publicKeyMultibase": key.public_multibase, "verificationMethod": _vm(key),
            "created": CREATED, "cryptosuite": suite, "verify": True}


@pytest.fixture(scope="module")
def node() -> dict[str, Any]:
    canonize = [{"document": doc, "algorithm": "rdfc"} for doc in LANGUAGE_DOCS.values()]
    ours_signed = {
        f"{suite}:{name}": proofs.sign(copy.deepcopy(doc), ISSUER_KEY,
                                       verification_method=_vm(ISSUER_KEY), created=CREATED,
                                       suite=suite)
        for name, doc in LANGUAGE_DOCS.items() if name != "vc-example-name-description"
        for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022")
    }
    verify_items = [{"credential": doc} for doc in ours_signed.values()]
    verify_items.append({"credential": _chain()})
    sign_jobs = []
    for name, doc in LANGUAGE_DOCS.items():
        if name == "vc-example-name-description":
            continue
        sign_jobs.append(_sign_job(doc, ISSUER_KEY, "eddsa-rdfc-2022"))
    # Digital Bazaar adds a notary's proof to a credential the issuer signed: a proof set
    issuer_signed = ours_signed["eddsa-rdfc-2022:ar-rtl"]
    sign_jobs.append({**_sign_job(issuer_signed, NOTARY_KEY, "eddsa-rdfc-2022"),
                      "verify": False})
    out = run_node({"verify": verify_items, "sign": sign_jobs, "canonize": canonize})
    names = [n for n in LANGUAGE_DOCS if n != "vc-example-name-description"]
    return {
        "canonical": dict(zip(LANGUAGE_DOCS, out["canonize"], strict=True)),
        "ours_signed": ours_signed,
        "verified": dict(zip([*ours_signed, "chain"], out["verify"], strict=True)),
        "signed": dict(zip([*names, "proof-set"], out["sign"], strict=True)),
    }


@pytest.mark.parametrize("name", list(LANGUAGE_DOCS))
def test_canonical_n_quads_equal_jsonld_js(node: dict[str, Any], name: str) -> None:
    theirs = node["canonical"][name]
    assert "canonical" in theirs, theirs
    document = LANGUAGE_DOCS[name]
    assert "^^<https://www.w3.org/ns/i18n#" in theirs["canonical"]
    assert canon.canonicalize(copy.deepcopy(document)) == theirs["canonical"]
    with canon.use("general"):
        assert canon.canonicalize(copy.deepcopy(document)) == theirs["canonical"]
    with canon.use("pyld"):
        assert canon.canonicalize(copy.deepcopy(document)) == theirs["canonical"]
    # the fast path answers these itself (no fallback needed), byte for byte
    assert _fast.try_canonicalize(copy.deepcopy(document)) == theirs["canonical"]


@pytest.mark.parametrize("name", [n for n in LANGUAGE_DOCS if n != "vc-example-name-description"])
def test_node_and_our_core_sign_alike_and_verify_each_other(node: dict[str, Any],
                                                            name: str) -> None:
    result = node["signed"][name]
    assert "signed" in result, result.get("error")
    theirs = result["signed"]
    assert result["verification"]["verified"], result["verification"]["errors"]
    ours = node["ours_signed"][f"eddsa-rdfc-2022:{name}"]
    assert theirs["proof"]["proofValue"] == ours["proof"][0]["proofValue"]
    report = verify(theirs)
    assert report.verified, report.to_json()


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize("name", [n for n in LANGUAGE_DOCS if n != "vc-example-name-description"])
def test_ours_verifies_in_node(node: dict[str, Any], name: str, suite: str) -> None:
    result = node["verified"][f"{suite}:{name}"]
    assert result["verified"], result["errors"]


def test_our_chain_verifies_in_node_on_the_issuers_proof(node: dict[str, Any]) -> None:
    chain = _chain()
    assert verify(chain).verified
    result = node["verified"]["chain"]
    assert result["verified"], result["errors"]
    # data-integrity 2.5 ignores previousProof: the issuer's proof verifies, the notary's is
    # checked over the document alone and so does not (and it is not the issuer's key either)
    assert [p["verified"] for p in result["proofs"]] == [True, False]


def test_a_proof_set_made_by_node_verifies_in_our_core(node: dict[str, Any]) -> None:
    result = node["signed"]["proof-set"]
    assert "signed" in result, result.get("error")
    proof_set = result["signed"]
    assert [p["verificationMethod"] for p in proof_set["proof"]] == [_vm(ISSUER_KEY),
                                                                     _vm(NOTARY_KEY)]
    report = verify(proof_set)
    assert report.verified, report.to_json()
    assert [c.code for c in report.checks if c.name.startswith("proof.party")] == [
        "PROOF_BY_OTHER_PARTY"]
