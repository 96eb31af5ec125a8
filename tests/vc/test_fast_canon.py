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
from microdegree.vc.contexts import OB_CONTEXT, VC_V2_CONTEXT, document_loader
from microdegree.vc.samples import sample_credential

# --- reference: pyld URDNA2015 plus the safe-mode checks of the general path ------------

DATA = Path(__file__).resolve().parent.parent / "data"
_OPTIONS = {"documentLoader": document_loader, "base": None}


def _relative_iris(node: Any) -> Iterator[str]:
    if isinstance(node, list):
        for item in node:
            yield from _relative_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id" and isinstance(value, str) and ":" not in value:
                yield value
            elif key == "@type" and "@value" not in node:
                for t in value if isinstance(value, list) else [value]:
                    if isinstance(t, str) and ":" not in t:
                        yield t
            elif key == "@type" and isinstance(value, str) and ":" not in value:
                if value != "@json":
                    yield value
            elif key != "@value":
                yield from _relative_iris(value)


def reference(document: dict[str, Any]) -> str | None:
    """pyld's canonical N-Quads, or None when safe mode would refuse the document."""
    dropped: list[Any] = []
    processor = jsonld.JsonLdProcessor(on_property_dropped=dropped.append)
    doc = copy.deepcopy(document)
    try:
        expanded = processor.expand(doc, dict(_OPTIONS))
        if dropped or any(True for _ in _relative_iris(expanded)):
            return None
        result: str = jsonld.normalize(
            doc,
            {**_OPTIONS, "algorithm": "URDNA2015", "format": "application/n-quads"},
        )
    except jsonld.JsonLdError:
        return None
    return result


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
