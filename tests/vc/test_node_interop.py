"""Interoperability with Digital Bazaar's JavaScript stack (the verifier most wallets use).

Proves, in both directions, that our Data Integrity proofs (eddsa-rdfc-2022, and eddsa-jcs-2022) are
the ones `@digitalbazaar/vc` + `@digitalbazaar/data-integrity` produce and accept:

* harness sanity: the W3C and 1EdTech vectors verify in Node, tampered copies do not, Node
  reproduces the published proofValues, Node's safe mode and our offline loader refuse what
  they must;
* credentials signed by OUR core verify in Node (did:key and did:web issuers, OB 3.0, CLR 2.0);
* Node signs the same unsigned credential with the same key and `created`: byte-identical proofValue
  (Ed25519 is deterministic), and Node's signed credential verifies with our `verify_proof`.

Everything Node does happens in ONE `node tests/node/verify.mjs` process per module (start-up and
library loading dominate). Needs `scripts/ensure_node_deps.sh` (npm ci in tests/node) first; skips
cleanly without Node or without tests/node/node_modules (under CI=true such a skip is a failure:
tests/conftest.py).
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microdegree.vc import canon as core_canon
from microdegree.vc import did as core_did
from microdegree.vc import jcs as core_jcs
from microdegree.vc import proofs as core_proofs
from microdegree.vc.errors import VcError
from microdegree.vc.keys import Ed25519Key

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "node"
VECTORS = ROOT / "tests" / "data" / "vectors"
NODE = shutil.which("node")

_SKIP_REASON = None
if NODE is None:
    _SKIP_REASON = "node is not on PATH (install Node >= 18 to run the interop tests)"
elif not (NODE_DIR / "node_modules" / "@digitalbazaar" / "vc").is_dir():
    _SKIP_REASON = "tests/node/node_modules missing: run scripts/ensure_node_deps.sh (npm ci)"

pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(_SKIP_REASON is not None, reason=_SKIP_REASON or ""),
]


VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)
CREATED = "2026-01-15T09:30:00Z"
DID_WEB = "did:web:uni.example:issuers:demo"
LEARNER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


# --- keys, DIDs, credentials (independent of our core, so the harness tests run today) -----------


@dataclass(frozen=True)
class HarnessKey:
    seed: bytes

    @property
    def public_bytes(self) -> bytes:
        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def public_multibase(self) -> str:
        return "z" + base58.b58encode(b"\xed\x01" + self.public_bytes).decode()

    @property
    def secret_multibase(self) -> str:
        return "z" + base58.b58encode(b"\x80\x26" + self.seed).decode()

    @property
    def did_key(self) -> str:
        return f"did:key:{self.public_multibase}"

    @property
    def did_key_vm(self) -> str:
        return f"{self.did_key}#{self.public_multibase}"


def _key(label: str) -> HarnessKey:
    return HarnessKey(hashlib.sha256(f"microdegree node interop {label}".encode()).digest())


KEY_A = _key("issuer A (did:key)")
KEY_B = _key("issuer B (did:web)")


def did_web_document(did: str, key: HarnessKey, *, authorised: bool = True) -> dict[str, Any]:
    vm_id = f"{did}#key-0"
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": key.public_multibase,
            }
        ],
        "authentication": [vm_id],
        "assertionMethod": [vm_id] if authorised else [],
    }


def ob_credential(issuer: str, *, cred_id: str, name: str = "Data Literacy") -> dict[str, Any]:
    """An OB 3.0 credential in the shape STANDARDS §0/§1 says we emit."""
    return {
        "@context": [VC_V2, OB_CONTEXT, OB_EXTENSIONS],
        "id": cred_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Example University",
            "address": {"type": ["Address"], "addressCountryCode": "NL"},
        },
        "validFrom": "2026-01-15T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": LEARNER,
            "creditsEarned": 5,
            "achievement": {
                "id": "https://uni.example/achievements/dl",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": name,
                "description": "Read and present quantitative evidence (\u00e9\u00e8 \u2713).",
                "criteria": {"narrative": "Pass four module assessments and a capstone audit."},
                "creditsAvailable": 5,
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "EQF level 6",
                        "targetFramework": "European Qualifications Framework",
                        "targetCode": "6",
                        "targetUrl": "http://data.europa.eu/snb/eqf/6",
                    }
                ],
            },
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def clr_credential(issuer: str, nested: list[dict[str, Any]], *, cred_id: str) -> dict[str, Any]:
    """A CLR 2.0 envelope around signed OB credentials (extensions.json: credentialSchema type)."""
    program = "https://uni.example/achievements/microdegree-data"
    return {
        "@context": [VC_V2, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS],
        "id": cred_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "Microdegree in Data",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2026-02-01T00:00:00Z",
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": LEARNER,
            "verifiableCredential": nested,
            "achievement": [
                {
                    "id": program,
                    "type": ["Achievement"],
                    "achievementType": "LearningProgram",
                    "name": "Microdegree in Data",
                    "description": "Three stacked microcredentials.",
                    "criteria": {"narrative": "Earn all three microcredentials."},
                }
            ],
            "association": [
                {
                    "type": "Association",
                    "associationType": "isPartOf",
                    "sourceId": "https://uni.example/achievements/dl",
                    "targetId": program,
                }
            ],
        },
        "credentialSchema": [{"id": CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def _load(rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / rel).read_text(encoding="utf-8"))
    return data


B1 = _load("eddsa-rdfc-2022/w3c-b1-alumni.json")
B3 = _load("eddsa-jcs-2022/w3c-b3-alumni.json")
OB_1EDTECH = _load("eddsa-rdfc-2022/1edtech-ob-v3p0-teamwork.json")
CLR_1EDTECH = _load("eddsa-rdfc-2022/1edtech-clr-v2p0-transcript.json")
EDTECH_ISSUER = "https://example.edu/issuers/565049"


def _edtech_controller_docs() -> dict[str, Any]:
    """The 1EdTech vectors' HTTPS key URL, served as a controller document (offline)."""
    mb = OB_1EDTECH["keyPair"]["publicKeyMultibase"]
    vm = f"{EDTECH_ISSUER}#{mb}"
    return {
        EDTECH_ISSUER: {
            "@context": [DID_V1, MULTIKEY_V1],
            "id": EDTECH_ISSUER,
            "verificationMethod": [
                {
                    "id": vm,
                    "type": "Multikey",
                    "controller": EDTECH_ISSUER,
                    "publicKeyMultibase": mb,
                }
            ],
            "assertionMethod": [vm],
        }
    }


@dataclass
class Case:
    """One unsigned credential, the key and verification method that sign it, extra documents."""

    name: str
    unsigned: dict[str, Any]
    key: HarnessKey
    verification_method: str
    documents: dict[str, Any] = field(default_factory=dict)
    suite: str = "eddsa-rdfc-2022"

    def node_sign_job(self, **extra: Any) -> dict[str, Any]:
        return {
            "credential": self.unsigned,
            "seedHex": self.key.seed.hex(),
            "publicKeyMultibase": self.key.public_multibase,
            "verificationMethod": self.verification_method,
            "created": CREATED,
            "cryptosuite": self.suite,
            "documents": self.documents,
            "verify": True,
            **extra,
        }


def _static_cases() -> list[Case]:
    web_docs = {DID_WEB: did_web_document(DID_WEB, KEY_B)}
    ob_key = ob_credential(KEY_A.did_key, cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-00000000000a")
    ob_web = ob_credential(
        DID_WEB,
        cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-00000000000b",
        name="Statistics for Policy",
    )
    clr_vec = clr_credential(
        DID_WEB,
        [CLR_1EDTECH["signedDocument"]["credentialSubject"]["verifiableCredential"][0]],
        cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-00000000000c",
    )
    cases = [
        Case("ob-did-key", ob_key, KEY_A, KEY_A.did_key_vm),
        Case("ob-did-web", ob_web, KEY_B, f"{DID_WEB}#key-0", web_docs),
        Case(
            "clr-did-web-wrapping-1edtech-ob",
            clr_vec,
            KEY_B,
            f"{DID_WEB}#key-0",
            {**web_docs, **_edtech_controller_docs()},
        ),
        Case("ob-did-key-jcs", ob_key, KEY_A, KEY_A.did_key_vm, suite="eddsa-jcs-2022"),
    ]
    try:  # the platform's own ~3 KB sample (with a status entry: Node's status check is a no-op)
        from tests.samples import sample_credential
    except ImportError:  # pragma: no cover
        return cases
    cases.append(
        Case(
            "ob-sample-with-status", sample_credential(DID_WEB), KEY_B, f"{DID_WEB}#key-0", web_docs
        )
    )
    return cases


# --- our core ------------------------------------------------------------------------------


def _core_key(key: HarnessKey) -> Any:
    return Ed25519Key.from_seed(key.seed)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def core_sign(case: Case) -> dict[str, Any]:
    signed = core_proofs.sign(
        copy.deepcopy(case.unsigned),
        _core_key(case.key),
        verification_method=case.verification_method,
        suite=case.suite,
        created=CREATED,
    )
    if isinstance(signed, dict) and "proofValue" in signed and "@context" not in signed:
        # tolerate a core that returns only the proof object
        signed = {**copy.deepcopy(case.unsigned), "proof": signed}
    assert isinstance(signed, dict)
    return signed


def _tampered(doc: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(doc)
    bad["name"] = str(bad.get("name", "")) + " (forged)"
    return bad


# --- canonical forms: ours vs the exact canonize function each Node cryptosuite signs with ------


@dataclass(frozen=True)
class CanonInput:
    algorithm: str  # "rdfc" | "jcs"
    document: Any
    may_refuse: bool = False  # ours may raise VcError where Node answers (a known divergence)
    expected: str | None = None  # a published canonical form, if any


def _proof_config(case: Case) -> dict[str, Any]:
    return {
        "@context": case.unsigned["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": case.suite,
        "created": CREATED,
        "verificationMethod": case.verification_method,
        "proofPurpose": "assertionMethod",
    }


def _canon_inputs() -> dict[str, CanonInput]:
    items: dict[str, CanonInput] = {}
    for case in _static_cases():
        if case.suite == "eddsa-rdfc-2022":
            items[f"rdfc:{case.name}"] = CanonInput("rdfc", case.unsigned)
            items[f"rdfc-proof-config:{case.name}"] = CanonInput("rdfc", _proof_config(case))
        items[f"jcs:{case.name}"] = CanonInput("jcs", case.unsigned)
    for name, vector in (("b1", B1), ("1edtech-ob", OB_1EDTECH), ("1edtech-clr", CLR_1EDTECH)):
        items[f"rdfc:vector-{name}"] = CanonInput(
            "rdfc", vector["unsignedDocument"], expected=vector["canonicalDocument"]
        )
        items[f"rdfc-proof-config:vector-{name}"] = CanonInput(
            "rdfc", vector["proofOptions"], expected=vector["canonicalProofConfig"]
        )

    def variant(edit: Any) -> dict[str, Any]:
        doc = ob_credential(KEY_A.did_key, cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-0000000000f0")
        edit(doc)
        return doc

    subject = "credentialSubject"
    rdfc_variants: dict[str, tuple[Any, bool]] = {
        # Python floats vs JS numbers: "5.0" in JSON is the integer 5 to jsonld.js
        "float-integral": (lambda d: d[subject].update(creditsEarned=5.0), False),
        "float-fraction": (lambda d: d[subject].update(creditsEarned=2.5), False),
        "int-1e21": (lambda d: d[subject].update(creditsEarned=10**21), False),
        "language-value": (lambda d: d.update(name={"@value": "Daten", "@language": "de"}), False),
        "string-escapes": (
            lambda d: d.update(description='tab\t nl\n "q" \\ bell\u0007 \U0001f600 \u00e9'),
            False,
        ),
        # jsonld.js + eddsa-rdfc-2022 canonicalise @direction with rdfDirection "i18n-datatype";
        # refusing is allowed (spec gap, w3c/vc-data-integrity#366), a different graph is not.
        "direction": (
            lambda d: d.update(
                description={
                    "@value": "\u0634\u0647\u0627\u062f\u0629",
                    "@language": "ar",
                    "@direction": "rtl",
                }
            ),
            True,
        ),
        # jsonld.js safe mode refuses these: ours must refuse too
        "unsafe-no-extensions-context": (
            lambda d: d.update({"@context": [VC_V2, OB_CONTEXT]}),
            False,
        ),
        "unsafe-undefined-term": (lambda d: d[subject].update(undefinedTerm="x"), False),
        "unsafe-relative-id": (lambda d: d[subject].update(id="students/42"), False),
        "unsafe-unknown-context": (
            lambda d: d["@context"].append("https://example.com/unknown-context.jsonld"),
            False,
        ),
    }
    for name, (edit, may_refuse) in rdfc_variants.items():
        items[f"rdfc:{name}"] = CanonInput("rdfc", variant(edit), may_refuse=may_refuse)
    jcs_values: dict[str, tuple[Any, bool]] = {
        "numbers": ({"n": [100.0, -0.0, 1e-7, 1e21, 0.1, 5e-324, 2**53 - 1]}, False),
        "key-order-utf16": ({"\U0001f600": 1, "\ufb01": 2, "a": 3, "\u00e9": 4}, False),
        # beyond 2^53 JS loses precision: refusing is right, a different number is not
        "int-beyond-2^53": ({"n": 2**53 + 1}, True),
    }
    for name, (value, may_refuse) in jcs_values.items():
        items[f"jcs:{name}"] = CanonInput("jcs", value, may_refuse=may_refuse)
    return items


CANON_INPUTS = _canon_inputs()


# --- the one Node process ------------------------------------------------------------------


def run_node(payload: Any) -> Any:
    assert NODE is not None
    proc = subprocess.run(
        [NODE, str(NODE_DIR / "verify.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=600,
        cwd=NODE_DIR,
        check=False,
    )
    if proc.returncode != 0:
        pytest.fail(f"node verify.mjs failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


@dataclass
class Interop:
    cases: dict[str, Case]
    ours: dict[str, dict[str, Any]]  # case name -> credential signed by our core
    ours_errors: dict[str, str]  # case name -> why our core could not sign it
    verified: dict[str, dict[str, Any]]  # verify item name -> Node verification result
    signed: dict[str, dict[str, Any]]  # sign job name -> {"signed", "verification"} | {"error"}
    canonical: dict[str, dict[str, Any]]  # canon input name -> {"canonical"} | {"error"}


@pytest.fixture(scope="module")
def interop() -> Interop:
    cases = {c.name: c for c in _static_cases()}
    ours: dict[str, dict[str, Any]] = {}
    ours_errors: dict[str, str] = {}
    for case in list(cases.values()):
        try:
            ours[case.name] = core_sign(case)
        except Exception as exc:  # reported by the tests that need it
            ours_errors[case.name] = f"{type(exc).__name__}: {exc}"
    if "ob-did-key" in ours:  # a CLR whose nested credential and envelope are both ours
        nested = ours["ob-did-key"]
        clr = clr_credential(
            DID_WEB, [nested], cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-00000000000d"
        )
        case = Case(
            "clr-did-web-wrapping-ours",
            clr,
            KEY_B,
            f"{DID_WEB}#key-0",
            cases["ob-did-web"].documents,
        )
        cases[case.name] = case
        try:
            ours[case.name] = core_sign(case)
        except Exception as exc:
            ours_errors[case.name] = f"{type(exc).__name__}: {exc}"

    verify: dict[str, dict[str, Any]] = {
        # harness sanity on published vectors (issuer != key controller there: proof-only mode)
        "b1": {"credential": B1["signedDocument"], "mode": "proof"},
        "b1-tampered": {"credential": _tampered(B1["signedDocument"]), "mode": "proof"},
        "b1-issuer-binding": {"credential": B1["signedDocument"]},
        "b3-jcs": {"credential": B3["signedDocument"], "mode": "proof"},
        "b3-jcs-tampered": {"credential": _tampered(B3["signedDocument"]), "mode": "proof"},
        "1edtech-ob": {
            "credential": OB_1EDTECH["signedDocument"],
            "documents": _edtech_controller_docs(),
        },
        "1edtech-clr": {
            "credential": CLR_1EDTECH["signedDocument"],
            "documents": _edtech_controller_docs(),
        },
        "1edtech-clr-nested": {
            "credential": CLR_1EDTECH["signedDocument"]["credentialSubject"][
                "verifiableCredential"
            ][0],
            "documents": _edtech_controller_docs(),
        },
    }
    for name, doc in ours.items():
        documents = cases[name].documents
        verify[f"ours:{name}"] = {"credential": doc, "documents": documents}
        verify[f"ours-tampered:{name}"] = {"credential": _tampered(doc), "documents": documents}
        if name == "ob-did-key":  # our own did:key document instead of the loader's
            verify["ours-with-our-did-document:ob-did-key"] = {
                "credential": doc,
                "documents": {KEY_A.did_key: core_did.did_key_document(KEY_A.did_key)},
            }
        if name == "ob-did-web":  # our own did:web document builder
            verify["ours-with-our-did-document:ob-did-web"] = {
                "credential": doc,
                "documents": {
                    DID_WEB: core_did.did_web_document(DID_WEB, [("key-0", KEY_B.public_multibase)])
                },
            }
        if name == "ob-did-web":  # same signature, DID document no longer authorises the key
            verify["ours-unauthorised-key"] = {
                "credential": doc,
                "documents": {DID_WEB: did_web_document(DID_WEB, KEY_B, authorised=False)},
            }

    sign: dict[str, dict[str, Any]] = {name: c.node_sign_job() for name, c in cases.items()}
    sign["b1"] = {
        "credential": B1["unsignedDocument"],
        "secretKeyMultibase": B1["keyPair"]["secretKeyMultibase"],
        "publicKeyMultibase": B1["keyPair"]["publicKeyMultibase"],
        "verificationMethod": B1["signedDocument"]["proof"]["verificationMethod"],
        "created": B1["signedDocument"]["proof"]["created"],
    }
    sign["b3-jcs"] = {
        **sign["b1"],
        "credential": B3["unsignedDocument"],
        "cryptosuite": "eddsa-jcs-2022",
        "created": B3["signedDocument"]["proof"]["created"],
        "verificationMethod": B3["signedDocument"]["proof"]["verificationMethod"],
    }
    no_ext = copy.deepcopy(cases["ob-did-key"].unsigned)
    no_ext["@context"] = [VC_V2, OB_CONTEXT]
    sign["safe-mode-no-extensions"] = cases["ob-did-key"].node_sign_job(credential=no_ext)
    undefined_term = copy.deepcopy(cases["ob-did-key"].unsigned)
    undefined_term["credentialSubject"]["achievement"]["criteria"]["undefinedTerm"] = "x"
    sign["safe-mode-undefined-term"] = cases["ob-did-key"].node_sign_job(credential=undefined_term)
    unknown_ctx = copy.deepcopy(cases["ob-did-key"].unsigned)
    unknown_ctx["@context"].append("https://example.com/unknown-context.jsonld")
    sign["unknown-context"] = cases["ob-did-key"].node_sign_job(credential=unknown_ctx)
    wrong_issuer = copy.deepcopy(cases["ob-did-web"].unsigned)
    wrong_issuer["issuer"]["id"] = "did:web:other.example"
    sign["issuer-not-controller"] = cases["ob-did-web"].node_sign_job(credential=wrong_issuer)

    canonize = [{"document": c.document, "algorithm": c.algorithm} for c in CANON_INPUTS.values()]
    out = run_node(
        {"verify": list(verify.values()), "sign": list(sign.values()), "canonize": canonize}
    )
    return Interop(
        cases=cases,
        ours=ours,
        ours_errors=ours_errors,
        verified=dict(zip(verify, out["verify"], strict=True)),
        signed=dict(zip(sign, out["sign"], strict=True)),
        canonical=dict(zip(CANON_INPUTS, out["canonize"], strict=True)),
    )


def _node_signed(interop: Interop, name: str) -> dict[str, Any]:
    result = interop.signed[name]
    assert "signed" in result, f"Node could not sign {name}: {result.get('error')}"
    signed: dict[str, Any] = result["signed"]
    return signed


def _ours(interop: Interop, name: str) -> dict[str, Any]:
    if name in interop.ours_errors:
        if interop.cases[name].suite != "eddsa-rdfc-2022":
            pytest.skip(
                f"our core does not sign {interop.cases[name].suite}: {interop.ours_errors[name]}"
            )
        pytest.fail(f"our core failed to sign {name}: {interop.ours_errors[name]}")
    if name not in interop.ours:
        pytest.skip(f"{name} needs a credential signed by our core")
    return interop.ours[name]


# --- (a) harness sanity -----------------------------------------------------------------------


def test_w3c_b1_vector_verifies_in_node(interop: Interop) -> None:
    result = interop.verified["b1"]
    assert result["verified"], result["errors"]


def test_w3c_b1_tampered_copy_fails_in_node(interop: Interop) -> None:
    result = interop.verified["b1-tampered"]
    assert not result["verified"]
    assert any("Invalid signature" in e for e in result["errors"]), result["errors"]


def test_node_binds_issuer_to_key_controller(interop: Interop) -> None:
    # B.1's issuer is an https URL while the key is a did:key: vc.verifyCredential refuses that.
    result = interop.verified["b1-issuer-binding"]
    assert not result["verified"]
    assert any("issuer must match" in e for e in result["errors"]), result["errors"]


def test_w3c_b3_jcs_vector_verifies_in_node(interop: Interop) -> None:
    assert interop.verified["b3-jcs"]["verified"], interop.verified["b3-jcs"]["errors"]
    assert not interop.verified["b3-jcs-tampered"]["verified"]


@pytest.mark.parametrize("name", ["1edtech-ob", "1edtech-clr", "1edtech-clr-nested"])
def test_1edtech_vectors_verify_in_node_with_issuer_binding(interop: Interop, name: str) -> None:
    result = interop.verified[name]
    assert result["verified"], result["errors"]


@pytest.mark.parametrize(("job", "vector"), [("b1", B1), ("b3-jcs", B3)])
def test_node_reproduces_published_proof_value(
    interop: Interop, job: str, vector: dict[str, Any]
) -> None:
    signed = _node_signed(interop, job)
    assert signed["proof"]["proofValue"] == vector["signedDocument"]["proof"]["proofValue"]
    assert signed == vector["signedDocument"]


def test_node_round_trip_of_our_credential_shapes(interop: Interop) -> None:
    """Node signs and verifies every case: the loader serves did:key, did:web and HTTPS keys."""
    failures = {}
    for name in interop.cases:
        result = interop.signed[name]
        if "error" in result or not result["verification"]["verified"]:
            failures[name] = result.get("error") or result["verification"]["errors"]
    assert not failures, failures
    status = interop.signed.get("ob-sample-with-status")
    if status is not None:
        assert status["verification"].get("statusCheckSkipped") is True


def test_node_safe_mode_rejects_ob_credential_without_extensions_context(interop: Interop) -> None:
    # STANDARDS §0: 1EdTechJsonSchemaValidator2019 is only defined in extensions.json.
    error = interop.signed["safe-mode-no-extensions"].get("error", "")
    assert "Safe mode validation error" in error
    assert "relative @type reference" in error
    assert "1EdTechJsonSchemaValidator2019" in error


def test_node_safe_mode_rejects_undefined_term(interop: Interop) -> None:
    error = interop.signed["safe-mode-undefined-term"].get("error", "")
    assert "Safe mode validation error" in error
    assert "undefinedTerm" in error


def test_loader_refuses_unbundled_context(interop: Interop) -> None:
    error = interop.signed["unknown-context"].get("error", "")
    assert "Document loader refused" in error, error


def test_node_rejects_issuer_that_is_not_the_key_controller(interop: Interop) -> None:
    result = interop.signed["issuer-not-controller"]
    assert "signed" in result, result.get("error")
    assert not result["verification"]["verified"]
    assert any("issuer must match" in e for e in result["verification"]["errors"])


def test_test_keys_are_ed25519_multikeys() -> None:
    assert KEY_A.public_multibase.startswith("z6Mk")
    b1_key = HarnessKey(bytes.fromhex(B1["keyPair"]["derived"]["secretKeySeedHex"]))
    assert b1_key.did_key == B1["keyPair"]["derived"]["didKey"]
    assert b1_key.secret_multibase == B1["keyPair"]["secretKeyMultibase"]
    assert b1_key.public_multibase == B1["keyPair"]["publicKeyMultibase"]


# --- (b) credentials signed by our core verify in Node ----------------------------------------


def test_core_keys_and_did_key_match_the_harness() -> None:
    for key in (KEY_A, KEY_B):
        core = _core_key(key)
        assert core.public_multibase == key.public_multibase
        assert core.secret_multibase == key.secret_multibase
        assert core_did.did_key(core) == key.did_key


CORE_CASES = [
    "ob-did-key",
    "ob-did-web",
    "clr-did-web-wrapping-1edtech-ob",
    "clr-did-web-wrapping-ours",
    "ob-sample-with-status",
    "ob-did-key-jcs",
]


@pytest.mark.parametrize("name", CORE_CASES)
def test_ours_verifies_in_node(interop: Interop, name: str) -> None:
    _ours(interop, name)
    result = interop.verified[f"ours:{name}"]
    assert result["verified"], result["errors"]


@pytest.mark.parametrize("name", CORE_CASES)
def test_ours_tampered_fails_in_node(interop: Interop, name: str) -> None:
    _ours(interop, name)
    result = interop.verified[f"ours-tampered:{name}"]
    assert not result["verified"]
    assert any("Invalid signature" in e for e in result["errors"]), result["errors"]


@pytest.mark.parametrize("name", ["ob-did-key", "ob-did-web"])
def test_node_accepts_our_did_documents(interop: Interop, name: str) -> None:
    """`did_key_document` / `did_web_document` output works as Node's controller document."""
    _ours(interop, name)
    result = interop.verified[f"ours-with-our-did-document:{name}"]
    assert result["verified"], result["errors"]


def test_ours_fails_in_node_when_did_document_does_not_authorise_key(interop: Interop) -> None:
    _ours(interop, "ob-did-web")
    result = interop.verified["ours-unauthorised-key"]
    assert not result["verified"]
    assert any("not authorized" in e for e in result["errors"]), result["errors"]


# --- (c) byte-identical signatures, and Node's credentials verify in ours ----------------------


def _without_proof(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "proof"}


@pytest.mark.parametrize("name", CORE_CASES)
def test_node_and_ours_sign_identically(interop: Interop, name: str) -> None:
    ours = _ours(interop, name)
    node = _node_signed(interop, name)
    our_proofs, node_proofs = _as_list(ours.get("proof")), _as_list(node.get("proof"))
    assert len(our_proofs) == len(node_proofs) == 1
    assert our_proofs[0]["proofValue"] == node_proofs[0]["proofValue"]
    assert our_proofs[0] == node_proofs[0]  # same proof options too (created, VM, purpose...)
    assert _without_proof(ours) == _without_proof(node)


@pytest.mark.parametrize("name", CORE_CASES)
def test_node_signed_verifies_with_our_verify_proof(interop: Interop, name: str) -> None:
    if name in interop.ours_errors and interop.cases[name].suite != "eddsa-rdfc-2022":
        pytest.skip(f"our core does not handle {interop.cases[name].suite}")
    if name not in interop.cases:
        pytest.skip(f"{name} needs a credential signed by our core")
    node = _node_signed(interop, name)
    proof = _as_list(node["proof"])[0]
    key = interop.cases[name].key
    result = core_proofs.verify_proof(node, proof, key.public_bytes)
    assert result.valid, result
    forged = _tampered(node)
    assert not core_proofs.verify_proof(forged, proof, key.public_bytes).valid


# --- safe-mode parity: our core must refuse what jsonld.js safe mode refuses -------------------


def _safe_mode_inputs() -> dict[str, dict[str, Any]]:
    base = ob_credential(KEY_A.did_key, cred_id="urn:uuid:0b5e0b1c-0000-4000-8000-00000000000e")
    no_ext = copy.deepcopy(base)
    no_ext["@context"] = [VC_V2, OB_CONTEXT]
    undefined_term = copy.deepcopy(base)
    undefined_term["credentialSubject"]["achievement"]["criteria"]["undefinedTerm"] = "x"
    return {"no-extensions-context": no_ext, "undefined-term": undefined_term}


@pytest.mark.parametrize("name", sorted(_safe_mode_inputs()))
def test_core_refuses_what_node_safe_mode_refuses(interop: Interop, name: str) -> None:
    node_job = {
        "no-extensions-context": "safe-mode-no-extensions",
        "undefined-term": "safe-mode-undefined-term",
    }[name]
    assert "Safe mode validation error" in interop.signed[node_job].get("error", "")
    case = Case(name, _safe_mode_inputs()[name], KEY_A, KEY_A.did_key_vm)
    with pytest.raises(VcError):
        core_sign(case)


# --- canonical forms ---------------------------------------------------------------------------


def _ours_canonical(item: CanonInput, path: str) -> str:
    document = copy.deepcopy(item.document)
    result: str
    if item.algorithm == "jcs":
        result = core_jcs.canonicalize(document).decode("utf-8")
    elif path == "fast":
        result = core_canon.canonicalize(document)
    else:
        with core_canon.use("general"):
            result = core_canon.canonicalize(document, fast=False)
    return result


CANON_PARAMS = [
    pytest.param(name, path, id=f"{name}-{path}")
    for name, item in CANON_INPUTS.items()
    for path in (("fast", "general") if item.algorithm == "rdfc" else ("jcs",))
]


@pytest.mark.parametrize(("name", "path"), CANON_PARAMS)
def test_canonical_form_matches_node(interop: Interop, name: str, path: str) -> None:
    """Same bytes as jsonld.js/rdf-canonize (safe mode) or `canonicalize`, or a refusal where Node
    refuses; a silently different canonical form (= an unverifiable signature) always fails."""
    item = CANON_INPUTS[name]
    node = interop.canonical[name]
    if item.expected is not None:
        assert node.get("canonical") == item.expected, node.get("error")
    if "error" in node:
        with pytest.raises(VcError):
            _ours_canonical(item, path)
        return
    try:
        ours = _ours_canonical(item, path)
    except VcError as exc:
        if item.may_refuse:
            return
        pytest.fail(f"ours refused what Node canonicalises: {exc}")
    assert ours == node["canonical"]
