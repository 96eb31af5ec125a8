"""Our EU micro-credential JSON-LD context: bundled, safe after VC v2 + OB 3.0.3, Edubadges-like."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld

from microdegree.vc import builders as b
from microdegree.vc import jsonld
from microdegree.vc.contexts import (
    CLR_CONTEXT,
    OB_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
    context_bytes,
    document_loader,
    is_bundled,
    load_context,
)
from microdegree.vc.errors import CanonicalizationError

from .test_builders import (
    LEARNER_DID,
    VALID_FROM,
    clr,
    endorsement,
    expand_without_loss,
    full_achievement,
    full_credential,
    minimal_credential,
)

EU = b.EU_CONTEXT  # the URL credentials issued before ADR 0011 name
EMBEDDED = b.eu_context()  # what new credentials carry
VOCAB = "https://w3id.org/microdegree/vocab#"
CONTEXTS_DIR = Path(jsonld.__file__).parent / "contexts"
EXAMPLES = Path(__file__).parents[1] / "data" / "examples"
EDUBADGES_CONTEXT = (
    "https://raw.githubusercontent.com/educredentials/obv3-examples/refs/heads/main/contexts/"
    "educredential.json"
)
EDUBADGES_NAMES = ("ECTS", "participationType", "assessmentType", "supervisionType",
                   "identityChecked")


def eu_terms() -> dict[str, Any]:
    return {k: v for k, v in load_context(EU)["@context"].items() if not k.startswith("@")}


def top_level_terms(url: str) -> set[str]:
    return {k for k in load_context(url)["@context"] if not k.startswith("@")}


def scoped_terms(url: str) -> set[str]:
    out: set[str] = set()
    for definition in load_context(url)["@context"].values():
        if isinstance(definition, dict) and isinstance(definition.get("@context"), dict):
            out |= {k for k in definition["@context"] if not k.startswith("@")}
    return out


# --- the context file -------------------------------------------------------------------------


def test_the_context_is_bundled_and_listed_with_its_hash():
    assert is_bundled(EU)
    raw = context_bytes(EU)
    index = json.loads((CONTEXTS_DIR / "INDEX.json").read_text())
    assert index[EU] == "microdegree-eu-microcredential-v1.json"
    readme = (CONTEXTS_DIR / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith(f"| `{EU}`"))
    assert f"`{hashlib.sha256(raw).hexdigest()[:16]}`" in row
    assert f"| {len(raw)} |" in row


def test_the_context_is_json_ld_1_1_protected_without_vocab_or_prefixes():
    context = load_context(EU)["@context"]
    assert context["@version"] == 1.1
    assert context["@protected"] is True
    assert set(context) - set(eu_terms()) == {"@version", "@protected"}
    for term, definition in eu_terms().items():
        assert definition["@id"] == VOCAB + term, term
        assert set(definition) <= {"@id", "@type", "@container"}, term
        # literal-valued terms carry no datatype: native JSON numbers/booleans keep their
        # own XSD types, so 2.5 ECTS is never written as an invalid xsd:integer
        assert definition.get("@type") in (None, "@id"), term


def test_the_builders_know_every_term():
    assert set(eu_terms()) == b.EU_TERMS


def test_no_term_clashes_with_vc_ob_or_clr():
    ours = set(eu_terms())
    for url in (VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, CLR_CONTEXT):
        assert not ours & top_level_terms(url), url
        # inside an Achievement (OB type-scoped context) our terms must not be shadowed
        assert not ours & scoped_terms(url), url


@pytest.mark.parametrize(
    "contexts",
    [
        [VC_V2_CONTEXT, OB_CONTEXT, EU],
        [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, EU],
        [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, EU],
    ],
)
def test_the_context_processes_after_the_protected_contexts(contexts):
    # a protected-term redefinition would make context processing itself fail
    values = {"ECTS": 5, "stackableTowards": ["https://uni.example/a"], "eqfLevel": 6}
    document = {"@context": contexts, "id": "urn:uuid:0",
                **{term: values.get(term, "x") for term in sorted(b.EU_TERMS)}}
    expanded = expand_without_loss(document)
    assert {VOCAB + term for term in b.EU_TERMS} <= set(expanded[0])


# --- credentials using it ---------------------------------------------------------------------


def test_a_full_eu_credential_canonicalises_with_every_term():
    document = full_credential()
    assert document["@context"][-1] == EMBEDDED
    achievement = document["credentialSubject"]["achievement"]
    assert set(b.EU_TERMS) <= set(achievement)
    expand_without_loss(document)
    nquads = jsonld.canonicalize_general(document)
    for term in b.EU_TERMS:
        assert f"<{VOCAB}{term}>" in nquads, term


def test_eu_values_have_the_expected_rdf_types():
    nquads = jsonld.canonicalize_general(full_credential())
    achievement = "<https://uni.example/achievements/data-literacy/v1>"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert f'{achievement} <{VOCAB}ECTS> "5"^^<{xsd}integer> .' in nquads
    assert f'{achievement} <{VOCAB}identityChecked> "true"^^<{xsd}boolean> .' in nquads
    assert f'{achievement} <{VOCAB}eqfLevel> "6"^^<{xsd}integer> .' in nquads
    assert f'{achievement} <{VOCAB}participationType> "onsite or blended" .' in nquads
    target = "<https://uni.example/achievements/public-data-microdegree>"
    assert f"{achievement} <{VOCAB}stackableTowards> {target} ." in nquads
    assert f'{achievement} <{VOCAB}instructionLanguage> "nl" .' in nquads


def test_fractional_ects_is_a_double():
    achievement = b.Achievement(name="n", description="d", criteria="c",
                                eu=b.EUMicroCredential(ects=2.5))
    nquads = jsonld.canonicalize_general(minimal_credential(achievement=achievement))
    assert f'<{VOCAB}ECTS> "2.5E0"^^<http://www.w3.org/2001/XMLSchema#double>' in nquads


def test_learning_outcomes_mix_text_and_ob_alignments():
    expanded = jsonld.expand_safe(full_credential())
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    achievement = subject["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"][0]
    outcomes = achievement[VOCAB + "learningOutcome"]
    texts = [o["@value"] for o in outcomes if "@value" in o]
    nodes = [o for o in outcomes if "@type" in o]
    assert texts == ["Reads and questions descriptive statistics in policy documents."]
    assert nodes[0]["@type"] == ["https://schema.org/AlignmentObject"]  # OB's Alignment


def test_the_eqf_level_is_also_an_ob_alignment():
    achievement = full_credential()["credentialSubject"]["achievement"]
    assert achievement["eqfLevel"] == 6
    assert b.eqf_alignment(6) in achievement["alignment"]


def test_without_the_context_eu_terms_are_refused():
    document = full_credential()
    document["@context"] = document["@context"][:-1]
    with pytest.raises(CanonicalizationError) as excinfo:
        jsonld.canonicalize_general(document)
    assert excinfo.value.code == "JSONLD_UNDEFINED_TERM"


def test_only_eu_credentials_get_the_context():
    assert EMBEDDED not in full_credential(eu=False)["@context"]
    assert EMBEDDED not in minimal_credential()["@context"]


def test_a_clr_of_eu_credentials_is_clean():
    nested_eu = {**full_credential(), "proof": [{"type": "DataIntegrityProof",
                                                 "cryptosuite": "eddsa-rdfc-2022",
                                                 "proofPurpose": "assertionMethod",
                                                 "verificationMethod": "did:web:uni.example#k",
                                                 "proofValue": "z3"}]}
    document = clr(verifiable_credential=[nested_eu], association=[],
                   achievement=[full_achievement()])
    assert document["@context"][-1] == EMBEDDED
    expand_without_loss(document)
    jsonld.canonicalize_general(document)


# --- Edubadges compatibility --------------------------------------------------------------------


def edubadges_example() -> dict[str, Any]:
    path = EXAMPLES / "educredentials-obv3-examples" / "mbob-eo-eov-microcredential-full.json"
    return json.loads(path.read_text())


def edubadges_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url == EDUBADGES_CONTEXT:
        path = EXAMPLES / "extra-contexts" / "educredentials-educredential.json"
        return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
                "document": json.loads(path.read_text())}
    return document_loader(url, options)


def test_the_edubadges_context_itself_is_invalid_json_ld():
    # Its supervisionType definition has a "context" key (not "@context"): JSON-LD 1.1
    # processors must reject the whole context. We define our own instead of copying it.
    with pytest.raises(pyld.JsonLdError) as excinfo:
        pyld.expand(edubadges_example(), {"documentLoader": edubadges_loader, "base": None})
    assert excinfo.value.code == "invalid scoped context"
    cause = excinfo.value.__cause__
    assert isinstance(cause, pyld.JsonLdError)
    assert cause.code == "invalid term definition"
    assert "must not contain context" in str(cause)


def test_edubadges_json_names_and_values_work_unchanged_with_our_context():
    document = edubadges_example()
    achievement = document["credentialSubject"]["achievement"]
    # swap their context for ours; drop their type and their two Dutch-only terms
    document["@context"] = [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, EU]
    achievement["type"] = ["Achievement"]
    for dutch_only in ("SBU", "educationProgramIdentifier"):
        achievement.pop(dutch_only)
    expand_without_loss(document)
    nquads = jsonld.canonicalize_general(document)
    for name in ("participationType", "assessmentType", "supervisionType", "identityChecked"):
        assert f"<{VOCAB}{name}>" in nquads


def test_our_builder_emits_the_edubadges_names_and_values():
    theirs = edubadges_example()["credentialSubject"]["achievement"]
    eu = b.EUMicroCredential(
        ects=3,
        participation_type=theirs["participationType"],
        assessment_type=theirs["assessmentType"],
        supervision_type=theirs["supervisionType"],
        identity_checked=theirs["identityChecked"],
    )
    ours = b.Achievement(name="n", description="d", criteria="c", eu=eu).to_dict()
    for name in EDUBADGES_NAMES[1:]:
        assert ours[name] == theirs[name], name
    assert ours["ECTS"] == 3


@pytest.mark.parametrize("field", ["participation_type", "assessment_type", "supervision_type"])
def test_every_edubadges_value_is_accepted(field):
    context = json.loads(
        (EXAMPLES / "extra-contexts" / "educredentials-educredential.json").read_text()
    )["@context"]["EducredentialAchievement"]["@context"]
    term = {"participation_type": "participationType", "assessment_type": "assessmentType",
            "supervision_type": "supervisionType"}[field]
    scoped = context[term].get("@context") or context[term].get("context")
    for value in scoped:
        achievement = b.Achievement(name="n", description="d", criteria="c",
                                    eu=b.EUMicroCredential(**{field: value}))
        assert achievement.to_dict()[term] == value


def test_a_signed_eu_credential_is_stable_under_reserialisation():
    document = b.achievement_credential(issuer="did:web:uni.example", subject_id=LEARNER_DID,
                                        achievement=full_achievement(), valid_from=VALID_FROM,
                                        credential_id="urn:uuid:1")
    again = json.loads(json.dumps(copy.deepcopy(document)))
    assert jsonld.canonicalize_general(document) == jsonld.canonicalize_general(again)


# --- jsonld.js (what most verifiers run) agrees, in safe mode -----------------------------------

NODE = shutil.which("node")
NODE_DIR = Path(__file__).parents[1] / "node"
CANON_SCRIPT = """
import jsonld from 'jsonld';
import {bundledContexts} from './loader.mjs';
const contexts = bundledContexts();
const documentLoader = async (url) => {
  if(!contexts.has(url)) throw new Error('not bundled: ' + url);
  return {contextUrl: null, documentUrl: url, document: structuredClone(contexts.get(url))};
};
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for(const doc of JSON.parse(input)) {
  try {
    out.push({canonical: await jsonld.canonize(doc, {
      algorithm: 'RDFC-1.0', format: 'application/n-quads', safe: true, documentLoader})});
  } catch(e) {
    out.push({error: String((e && e.message) || e) + ' ' +
      JSON.stringify((e && e.details) || {}).slice(0, 400)});
  }
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.node
@pytest.mark.skipif(NODE is None or not (NODE_DIR / "node_modules" / "jsonld").is_dir(),
                    reason="needs node and tests/node/node_modules (scripts/ensure_node_deps.sh)")
def test_jsonld_js_safe_mode_gives_the_same_canonical_form():
    documents = {
        "full": full_credential(),
        "edubadges-shaped": minimal_credential(achievement=b.Achievement(
            name="n", description="d", criteria="c",
            eu=b.EUMicroCredential(ects=2.5, participation_type="online",
                                   identity_checked=False))),
        "clr": clr(achievement=[full_achievement()], association=[]),
        "endorsement": endorsement(),
    }
    assert NODE is not None
    proc = subprocess.run(
        [NODE, "--input-type=module", "-e", CANON_SCRIPT],
        input=json.dumps(list(documents.values())), capture_output=True, text=True,
        timeout=300, cwd=NODE_DIR, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = dict(zip(documents, json.loads(proc.stdout), strict=True))
    for name, document in documents.items():
        assert "error" not in results[name], (name, results[name])
        assert results[name]["canonical"] == jsonld.canonicalize_general(document), name


# --- embedded (ADR 0011) and the URL of credentials issued before it ----------------------------


def _with_url(document: dict[str, Any]) -> dict[str, Any]:
    """The same credential as issued before ADR 0011: the EU context named by its URL."""
    return {**document, "@context": [EU if c == EMBEDDED else c for c in document["@context"]]}


def test_embedded_and_url_forms_sign_the_same_graph():
    from microdegree.vc import _fast

    document = full_credential()
    assert document["@context"][-1] == EMBEDDED
    general = jsonld.canonicalize_general(document)
    assert general == jsonld.canonicalize_general(_with_url(document))
    _fast.reset_stats()
    assert _fast.try_canonicalize(document) == general  # the fast path takes the embedded form
    assert _fast.try_canonicalize(_with_url(document)) == general
    assert _fast.stats().get("fallback", 0) == 0


def test_a_changed_embedded_context_is_not_taken_for_ours():
    from microdegree.vc import _fast

    document = full_credential()
    altered = b.eu_context()
    altered["ECTS"] = {"@id": "https://attacker.example/ects"}
    document["@context"][-1] = altered
    _fast.reset_stats()
    assert _fast.try_canonicalize(document) is None
    assert _fast.stats() == {"fallback": 1, "fallback:inline-context": 1}
    # the general path judges it on its own terms: a different graph, not ours
    assert "<https://attacker.example/ects>" in jsonld.canonicalize_general(document)


def test_embedded_context_copies_are_independent():
    first = b.eu_context()
    first["ECTS"]["@id"] = "https://changed.example/"
    assert b.eu_context() == load_context(EU)["@context"]


@pytest.mark.parametrize("form", ["embedded", "url (issued before ADR 0011)"])
def test_both_forms_sign_and_verify_here(form):
    from microdegree.vc import did, proofs
    from microdegree.vc.keys import Ed25519Key
    from microdegree.vc.verify import verify

    key = Ed25519Key.generate()
    issuer = did.did_key(key)
    document = full_credential()
    document["issuer"] = {**document["issuer"], "id": issuer}
    if form != "embedded":
        document = _with_url(document)
    signed = proofs.sign(document, key, verification_method=f"{issuer}#{key.public_multibase}")
    report = verify(signed, resolver=did.KeyResolver())
    assert report.has("PROOF_VALID"), [c.code for c in report.checks]
    assert not [c for c in report.errors if c.code.startswith(("PROOF", "JSONLD", "SCHEMA"))]
