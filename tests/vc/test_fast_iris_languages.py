"""IRIs and language tags at the edge of the grammars: the fast path answers exactly as the general
path does (the same N-Quads, or it declines where the general path refuses).

The fast path once asked pyoxigraph whether an IRI or a language tag was valid and declined any it
refused; it now applies the general path's own tests (ADR 0019). These are the inputs where the
two differ: pyoxigraph refuses them, the general path (pyld in safe mode, `vc.rdfc`) signs them.
"""

from __future__ import annotations

from typing import Any

import pytest

from microdegree.vc import _fast
from tests.samples import sample_credential
from tests.vc.test_fast_canon import check_fast, reference

#: pyoxigraph refused these IRIs; jsonld.js safe mode and the N-Quads grammar accept them.
EDGE_IRIS = ["https://[bad", "a:b%zz", "http://x/\ue000", "https://uni.example/%", "urn:x:%2",
             "https://uni.example/a[1]", "https://uni.example/a#b#c", "http://x/\U0010fffd"]
#: pyoxigraph refused these language tags; jsonld.js's REGEX_BCP47 accepts them.
EDGE_LANGUAGES = ["e", "x", "en-a", "a-1", "en-US-x", "zz-zzzzzzzz-1"]
#: Refused by the general path: the fast path must decline them.
REFUSED_IRIS = ["https://uni.example/a b", "https://uni.example/back\\slash", "http://x/\n",
                "relative/path"]
REFUSED_LANGUAGES = ["en_US", "", "123", "en-", "en\n", "toolongtag1", "en--US"]


def _with_iri(iri: str) -> dict[str, Any]:
    document = sample_credential(status_list=None)
    document["credentialSubject"]["achievement"]["id"] = iri
    document["evidence"][0]["id"] = iri
    return document


def _with_language(tag: str) -> dict[str, Any]:
    document = sample_credential(status_list=None)
    document["credentialSubject"]["achievement"]["name"] = {"@value": "Data", "@language": tag}
    return document


@pytest.mark.parametrize("iri", EDGE_IRIS)
def test_an_edge_iri_takes_the_fast_path_with_the_general_paths_bytes(iri: str) -> None:
    document = _with_iri(iri)
    assert reference(document) is not None  # the general path signs it
    fast = check_fast(document)  # equal to the general path and to pyld when not None
    assert fast is not None, _fast.stats()
    assert f"<{iri}>" in fast


@pytest.mark.parametrize("tag", EDGE_LANGUAGES)
def test_an_edge_language_tag_takes_the_fast_path_with_the_general_paths_bytes(tag: str) -> None:
    document = _with_language(tag)
    assert reference(document) is not None
    fast = check_fast(document)
    assert fast is not None, _fast.stats()
    assert f'"Data"@{tag.lower()}' in fast  # both paths write pyld's lower-cased @language


@pytest.mark.parametrize("document", [*map(_with_iri, REFUSED_IRIS),
                                      *map(_with_language, REFUSED_LANGUAGES)])
def test_what_the_general_path_refuses_the_fast_path_declines(document: dict[str, Any]) -> None:
    assert reference(document) is None
    assert _fast.try_canonicalize(document) is None
