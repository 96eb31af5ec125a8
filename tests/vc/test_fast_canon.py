"""The fast canonicalisation path answers byte-identically to pyld, or declines (issue 3)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from microdegree.vc import _fast
from microdegree.vc.canon import canonicalize
from microdegree.vc.contexts import (
    DID_V1_CONTEXT,
    MULTIKEY_CONTEXT,
    OB_CONTEXT,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    document_loader,
)
from microdegree.vc.errors import CanonicalizationError, VcError
from microdegree.vc.jsonld import canonicalize_general
from tests.samples import sample_credential

# --- references -------------------------------------------------------------------------

DATA = Path(__file__).resolve().parent.parent / "data"
_PYLD_OPTIONS = {
    "documentLoader": document_loader,
    "base": None,
    "algorithm": "URDNA2015",
    "format": "application/n-quads",
    "rdfDirection": "i18n-datatype",  # what eddsa-rdfc-2022 in jsonld.js signs (VC 2.0 11.1)
}


def pyld_normalize(document: dict[str, Any]) -> str:
    """pyld's own URDNA2015, the byte-level reference (no safe mode)."""
    result: str = jsonld.normalize(copy.deepcopy(document), dict(_PYLD_OPTIONS))
    return result


def reference(document: dict[str, Any]) -> str | None:
    """What the general path answers for `document`: its N-Quads, or None when it refuses."""
    try:
        return canonicalize_general(copy.deepcopy(document))
    except VcError:
        return None


def check_fast(document: dict[str, Any]) -> str | None:
    """The fast answer, asserted equal to the general path and to pyld; None if it declined."""
    fast = _fast.try_canonicalize(copy.deepcopy(document))
    if fast is not None:
        general = reference(document)
        assert general is not None, "the fast path answered a document the general path refuses"
        assert fast == general
        # pyld can print a quad twice (two empty @list values of one subject give two identical
        # "rdf:nil" triples); an RDF dataset is a set, and vc.rdfc writes it once
        lines = pyld_normalize(document).split("\n")[:-1]  # not splitlines(): U+2028 is data
        assert fast == "".join(f"{line}\n" for line in dict.fromkeys(lines))
    return fast


def _with_proof_configs(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "", document
    if "proof" in document:
        unsigned = {k: v for k, v in document.items() if k != "proof"}
        yield "-unsigned", unsigned
        proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
        for i, proof in enumerate(proofs):
            if isinstance(proof, dict) and "@context" in document:
                config = {k: v for k, v in proof.items() if k != "proofValue"}
                config["@context"] = document["@context"]
                yield f"-proofconfig{i}", config


def _documents_in(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if ("@context" in node and not isinstance(node.get("@context"), str | type(None))) or (
            isinstance(node.get("@context"), str)
        ):
            for suffix, doc in _with_proof_configs(node):
                yield where + suffix, doc
            return
        for key, value in node.items():
            yield from _documents_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _documents_in(value, f"{where}/{i}")


def corpus() -> list[tuple[str, dict[str, Any]]]:
    """Every JSON-LD document in tests/data/vectors and tests/data/examples (plus proof configs)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted((DATA / "vectors").rglob("*.json")) + sorted(
        (DATA / "examples").rglob("*.json")
    ):
        if path.name in ("manifest.json", "INDEX.json") or "extra-contexts" in path.parts:
            continue
        name = str(path.relative_to(DATA))
        for where, doc in _documents_in(json.loads(path.read_text(encoding="utf-8")), name):
            found.setdefault(json.dumps(doc, sort_keys=True), (where, doc))
    return sorted(found.values(), key=lambda item: item[0])


CORPUS = corpus()
#: Corpus documents the fast path answers (all those the general path accepts): a drop here is a
#: coverage regression, not a correctness bug.
MIN_FAST_IN_CORPUS = 81


@pytest.mark.parametrize(("name", "document"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_document_is_identical_to_pyld_or_declined(
    name: str, document: dict[str, Any]
) -> None:
    del name
    check_fast(document)


def test_corpus_coverage() -> None:
    """Every corpus document the general path accepts is answered by the fast path (81 today)."""
    _fast.reset_stats()
    missed = [
        name
        for name, doc in CORPUS
        if _fast.try_canonicalize(copy.deepcopy(doc)) is None and reference(doc) is not None
    ]
    assert missed == [], _fast.stats()
    assert _fast.stats()["fast"] >= MIN_FAST_IN_CORPUS


def test_vector_canonical_forms_are_reproduced() -> None:
    """The published canonical forms (OB, CLR with a nested signed credential, W3C B.1)."""
    for path in sorted((DATA / "vectors" / "eddsa-rdfc-2022").glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        for source, canonical in (
            ("unsignedDocument", "canonicalDocument"),
            ("proofOptions", "canonicalProofConfig"),
        ):
            fast = check_fast(vector[source])
            if "w3c-b2" in path.name:  # needs an unbundled context
                assert fast is None
            else:
                assert fast == vector[canonical], f"{path.name} {source}"


def test_sample_credential_is_fast_and_identical() -> None:
    _fast.reset_stats()
    document = sample_credential()
    assert _fast.try_canonicalize(document) == reference(document)
    assert _fast.stats() == {"fast": 1}


def test_proof_configuration_is_cached() -> None:
    _fast.reset_stats()
    config = {
        "@context": sample_credential()["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-01-15T00:00:00Z",
        "verificationMethod": "did:web:uni.example#key-0",
        "proofPurpose": "assertionMethod",
    }
    first = _fast.try_canonicalize(config)
    second = _fast.try_canonicalize(dict(reversed(list(config.items()))))
    assert first is not None
    assert first == second == reference(config)
    assert _fast.stats() == {"fast": 2, "fast:cached": 1}


def _declined_for(document: dict[str, Any]) -> list[str]:
    _fast.reset_stats()
    assert _fast.try_canonicalize(document) is None
    counts = _fast.stats()
    assert counts["fallback"] == 1
    return [key.removeprefix("fallback:") for key in counts if key.startswith("fallback:")]


def test_inline_context_is_declined() -> None:
    document = sample_credential()
    document["@context"] = [*document["@context"], {"extra": "https://example.org/extra"}]
    assert _declined_for(document) == ["inline-context"]


def test_unbundled_context_is_declined() -> None:
    document = sample_credential()
    document["@context"] = [*document["@context"], "https://example.org/ctx.jsonld"]
    assert _declined_for(document) == ["unbundled-context"]


def test_missing_context_is_declined() -> None:
    document = sample_credential()
    del document["@context"]
    assert _declined_for(document) == ["no-context"]


def test_unknown_term_is_declined() -> None:
    document = sample_credential()
    document["credentialSubject"]["favouriteColour"] = "green"
    assert _declined_for(document) == ["undefined-term"]


def test_undefined_type_is_declined() -> None:
    document = sample_credential()
    document["credentialSubject"]["type"] = ["AchievementSubject", "HonoursSubject"]
    assert _declined_for(document) == ["undefined-type"]


def test_relative_id_is_declined() -> None:
    document = sample_credential()
    document["credentialSubject"]["achievement"]["id"] = "achievements/1"
    assert _declined_for(document) == ["relative-iri"]


def test_reverse_keyword_is_declined() -> None:
    document = sample_credential()
    document["credentialSubject"]["@reverse"] = {"name": "x"}
    assert _declined_for(document) == ["keyword:@reverse"]


def test_nested_inline_context_is_declined() -> None:
    document = sample_credential()
    document["credentialSubject"]["@context"] = {"@vocab": "https://example.org/"}
    assert _declined_for(document) == ["inline-context"]


def test_protected_term_clash_is_declined() -> None:
    document = sample_credential()
    document["@context"] = [
        VC_V2_CONTEXT,
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    ]
    assert _declined_for(document) == ["context-error"]


def test_control_character_is_declined() -> None:
    document = sample_credential()
    document["name"] = "bell\x07"
    assert _declined_for(document) == ["control-character"]


@pytest.mark.parametrize("value", [
    {"@value": "\u0634\u0647\u0627\u062f\u0629", "@language": "ar", "@direction": "rtl"},
    {"@value": "Data Literacy", "@language": "EN-gb", "@direction": "ltr"},  # lower-cased
    {"@value": "no language", "@direction": "rtl"},  # i18n#_rtl
    [{"@value": "Daten", "@language": "de", "@direction": "ltr"},
     {"@value": "Data", "@language": "en", "@direction": "ltr"}],
])
def test_direction_is_the_i18n_datatype_byte_for_byte(value: Any) -> None:
    """VC 2.0 section 11.1 language and direction: the fast path writes what jsonld.js signs
    (rdfDirection "i18n-datatype"), byte-identical to the general path and to pyld."""
    document = sample_credential()
    document["name"] = value
    document["description"] = {"@value": "x", "@direction": "ltr"}
    fast = check_fast(document)
    assert fast is not None
    assert "^^<https://www.w3.org/ns/i18n#" in fast
    assert "@" not in fast.split("schema.org/name> ", 1)[1].split(" .", 1)[0]  # not a langString


@pytest.mark.parametrize(("value", "reason"), [
    ({"@value": "x", "@direction": "up"}, "direction-shape"),
    ({"@value": 5, "@direction": "rtl"}, "direction-shape"),
    ({"@value": "x", "@language": "not a tag!", "@direction": "rtl"}, "direction-language"),
    ({"@value": "x", "@direction": "rtl", "@type": "https://example.org/t"},
     "value-object-shape"),
    ({"@direction": "rtl"}, "direction-without-value"),
])
def test_odd_direction_values_fall_back_to_the_general_path(value: Any, reason: str) -> None:
    document = sample_credential()
    document["name"] = value
    assert _declined_for(document) == [reason]
    check_fast(document)  # the general path answers or refuses; never a different answer


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        'quote " backslash \\ newline \n return \r tab \t',
        "astral \U0001f600 and \u2028 and é",
        {"@value": "Datengeschäft", "@language": "de-DE"},
        5,
        -7,
        2**70,
        10**21,
        0.1,
        -2.5e-7,
        1e21,
        5.0,
        True,
    ],
)
def test_literals_are_identical(value: Any) -> None:
    document: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": value,
        "credentialSubject": {"type": ["AchievementSubject"], "creditsEarned": value},
    }
    assert check_fast(document) is not None


def test_json_literals_are_identical() -> None:
    document = sample_credential()
    document["@context"] = [VC_V2_CONTEXT, OB_CONTEXT]
    document["credentialSchema"] = [
        {
            "id": "https://uni.example/schemas/1",
            "type": "JsonSchema",
            "jsonSchema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "z": [1, 2.5, 1e21, -0.0, True, None, 'é\U0001f600\n"\\'],
                "a": {"b": {}, "\ufb01": 1, "\U0001f600": 2},
            },
        }
    ]
    document["_sd"] = ["digest-1", {"nested": 1.5}]
    assert check_fast(document) is not None


def test_symmetric_blank_nodes_use_full_rdfc() -> None:
    _fast.reset_stats()
    document = sample_credential()
    alignment = document["credentialSubject"]["achievement"]["alignment"][0]
    document["credentialSubject"]["achievement"]["alignment"] = [alignment, dict(alignment)]
    assert check_fast(document) is not None
    assert _fast.stats()["rdfc:general"] >= 1


def test_blank_node_poisoning_is_declined_and_refused() -> None:
    alignment = {"type": ["Alignment"], "targetName": "x", "targetUrl": "https://uni.example/x"}
    subject = {
        "type": ["AchievementSubject"],
        "achievement": {"type": ["Achievement"], "alignment": [dict(alignment) for _ in range(8)]},
    }
    document = sample_credential()
    document["credentialSubject"] = [copy.deepcopy(subject), copy.deepcopy(subject)]
    assert _declined_for(document) == ["rdfc:RDFC_POISONED"]
    with pytest.raises(CanonicalizationError) as raised:
        canonicalize(document)
    assert raised.value.code == "RDFC_POISONED"


def test_dispatcher_gives_the_same_answer_both_ways() -> None:
    document = sample_credential()
    assert canonicalize(document) == canonicalize(document, fast=False)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: d["credentialSubject"].__setitem__(1, "x"),
        lambda d: d["credentialSubject"].__setitem__("narrative", ("a", "b")),
        lambda d: d.__setitem__("credentialSubject", [[{"type": "AchievementSubject"}]]),
        lambda d: d.__setitem__("@context", None),
        lambda d: d.__setitem__("@context", []),
        lambda d: d.__setitem__("@context", [VC_V2_CONTEXT] * 20),
    ],
)
def test_malformed_input_is_declined_not_raised(mangle: Any) -> None:
    document = sample_credential()
    mangle(document)
    _fast.reset_stats()
    assert _fast.try_canonicalize(document) is None
    assert _fast.stats()["fallback"] == 1


def test_cache_only_holds_plain_json() -> None:
    import uuid

    _fast.reset_stats()
    config: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": "urn:uuid:5c1b4f0a-5d1e-4b8e-9a43-0f1d2f6b9a01",
        "proofPurpose": "assertionMethod",
    }
    assert _fast.try_canonicalize(config) is not None
    odd = dict(config, verificationMethod=uuid.UUID("5c1b4f0a-5d1e-4b8e-9a43-0f1d2f6b9a01"))
    assert _fast.try_canonicalize(odd) is None  # not served from the cache
    assert _fast.stats().get("fast:cached", 0) == 0


# Hand-picked JSON-LD corners: multiple type-scoped contexts, typed and language values in scoped
# contexts, nulls, @list shapes, VC v1 + OB 3.0.1, DID documents, presentations.
TRICKY: dict[str, dict[str, Any]] = {
    "two-scoped-types": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "credentialSubject": {
            "type": ["Achievement", "Profile"],
            "name": "x",
            "achievementType": "Badge",
            "email": "a@b",
            "criteria": {"narrative": "n"},
        },
    },
    "value-typed": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "name": {"@value": "2020-01-01", "@type": "http://www.w3.org/2001/XMLSchema#date"},
        "credentialSubject": {"id": "did:x:1"},
    },
    "value-typed-compact": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "name": {"@value": "2020", "@type": "xsd:gYear"},
        "credentialSubject": {"id": "did:x:1"},
    },
    "vc-v1": {
        "@context": [VC_V1_CONTEXT, "https://w3id.org/security/data-integrity/v2"],
        "type": ["VerifiableCredential"],
        "issuer": "did:x:1",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:x:2"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "proofPurpose": "assertionMethod",
            "verificationMethod": "did:x:1#k",
            "created": "2020-01-01T00:00:00Z",
        },
    },
    "did-doc": {
        "@context": [DID_V1_CONTEXT, MULTIKEY_CONTEXT],
        "id": "did:web:uni.example",
        "verificationMethod": [
            {
                "id": "did:web:uni.example#key-0",
                "type": "Multikey",
                "controller": "did:web:uni.example",
                "publicKeyMultibase": "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
            }
        ],
        "assertionMethod": ["did:web:uni.example#key-0"],
    },
    "typed-value-in-scope": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "validFrom": {"@value": "2020-01-01T00:00:00Z", "@type": "xsd:dateTime"},
        "credentialSubject": {"id": "did:x:1"},
    },
    "null-values": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "name": None,
        "description": [None, "d"],
        "credentialSubject": {"id": "did:x:1", "type": "AchievementSubject", "result": None},
    },
    "empty-list": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "credentialSubject": {
            "id": "did:x:1",
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://a.example/1",
                "type": "Achievement",
                "resultDescription": [
                    {"id": "https://a.example/rd", "type": "ResultDescription", "allowedValue": []}
                ],
            },
        },
    },
    "list-single": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "credentialSubject": {
            "id": "did:x:1",
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://a.example/1",
                "type": "Achievement",
                "resultDescription": [
                    {"id": "https://a.example/rd", "type": "ResultDescription", "allowedValue": "A"}
                ],
            },
        },
    },
    "list-objects": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "credentialSubject": {
            "id": "did:x:1",
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://a.example/1",
                "type": "Achievement",
                "resultDescription": [
                    {
                        "id": "https://a.example/rd",
                        "type": "ResultDescription",
                        "allowedValue": [
                            "A",
                            {"@value": "B", "@language": "en"},
                            {"id": "https://x.example/"},
                        ],
                    }
                ],
            },
        },
    },
    "vp-vc-string": {
        "@context": [VC_V2_CONTEXT],
        "type": "VerifiablePresentation",
        "verifiableCredential": "https://x.example/vc",
    },
    "vp-enveloped": {
        "@context": [VC_V2_CONTEXT],
        "type": "VerifiablePresentation",
        "verifiableCredential": [
            {
                "@context": [VC_V2_CONTEXT],
                "id": "data:application/vc+jwt,eyJ",
                "type": "EnvelopedVerifiableCredential",
            }
        ],
    },
    "status-ints": {
        "@context": [VC_V2_CONTEXT],
        "type": "VerifiableCredential",
        "credentialStatus": {
            "id": "https://s.example/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": "5",
            "statusListCredential": "https://s.example/1",
            "statusSize": 2,
            "statusMessage": [{"status": "0x0", "message": "ok"}],
        },
        "credentialSubject": {"id": "did:x:1"},
    },
    "ob301-v1": {
        "@context": [VC_V1_CONTEXT, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "did:x:1", "type": "Profile", "name": "n"},
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://a.example/1",
                "type": "Achievement",
                "name": "n",
                "criteria": {"narrative": "x"},
            },
        },
    },
    "type-alias-@type": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "@type": "VerifiableCredential",
        "credentialSubject": {"id": "did:x:1"},
    },
    "id-and-@id": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "id": "urn:a:1",
        "@id": "urn:a:1",
        "type": "VerifiableCredential",
    },
    "numbers-in-scoped": {
        "@context": [VC_V2_CONTEXT, OB_CONTEXT],
        "type": "VerifiableCredential",
        "credentialSubject": {
            "id": "did:x:1",
            "type": "AchievementSubject",
            "creditsEarned": 2.5,
            "achievement": {
                "id": "https://a.example/1",
                "type": "Achievement",
                "creditsAvailable": 1e25,
            },
        },
    },
}
TRICKY_DECLINED = {"vp-vc-string", "id-and-@id"}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_documents(name: str) -> None:
    fast = check_fast(TRICKY[name])
    assert (fast is None) == (name in TRICKY_DECLINED)


def test_repeated_empty_lists_are_one_quad() -> None:
    description = {
        "id": "https://uni.example/rd",
        "type": ["ResultDescription"],
        "name": "Grade",
        "resultType": "LetterGrade",
        "allowedValue": [],
    }
    document = sample_credential()
    document["credentialSubject"]["achievement"]["resultDescription"] = [
        description,
        dict(description, name="Grade"),
    ]
    fast = check_fast(document)
    assert fast is not None
    assert fast.count("rdf-syntax-ns#nil>") == 1
