"""The fast canonicalisation path answers byte-identically to pyld, or declines (issue 3)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from microdegree.vc import _fast
from microdegree.vc.contexts import OB_CONTEXT, VC_V2_CONTEXT
from microdegree.vc.samples import sample_credential
from tests.vc.fast_reference import DATA, corpus, reference

CORPUS = corpus()
#: Documents of the corpus that pyld (with the safe-mode checks) canonicalises and the fast path
#: must answer too: a drop here is a coverage regression, not a correctness bug.
MIN_FAST_IN_CORPUS = 85


def _fast_or_none(document: dict[str, Any]) -> str | None:
    return _fast.try_canonicalize(copy.deepcopy(document))


@pytest.mark.parametrize(("name", "document"), CORPUS, ids=[name for name, _ in CORPUS])
def test_corpus_document_is_identical_to_pyld_or_declined(
    name: str, document: dict[str, Any]
) -> None:
    fast = _fast_or_none(document)
    if fast is None:
        return
    expected = reference(document)
    assert expected is not None, f"{name}: fast path answered a document safe mode refuses"
    assert fast == expected


def test_corpus_coverage() -> None:
    _fast.reset_stats()
    answered = sum(_fast_or_none(doc) is not None for _, doc in CORPUS)
    assert answered >= MIN_FAST_IN_CORPUS, _fast.stats()


def test_vector_canonical_forms_are_reproduced() -> None:
    """The published canonical forms (OB, CLR with a nested signed credential, W3C B.1)."""
    for path in sorted((DATA / "vectors" / "eddsa-rdfc-2022").glob("*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        for source, canonical in (
            ("unsignedDocument", "canonicalDocument"),
            ("proofOptions", "canonicalProofConfig"),
        ):
            fast = _fast_or_none(vector[source])
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


def test_direction_is_declined() -> None:
    document = sample_credential()
    document["name"] = {"@value": "x", "@language": "ar", "@direction": "rtl"}
    assert _declined_for(document) == ["keyword:@direction"]


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
    fast = _fast.try_canonicalize(document)
    assert fast is not None
    assert fast == reference(document)
