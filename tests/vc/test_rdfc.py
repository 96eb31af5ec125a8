"""RDFC-1.0 canonical N-Quads: agreement with pyld's URDNA2015 and the poisoning guard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld as pyld

from microdegree.vc import rdfc
from microdegree.vc.errors import CanonicalizationError

VECTORS = Path(__file__).parent.parent / "data" / "vectors"
P = "<http://example.org/p>"


def _pyld_urdna2015(nquads: str) -> str:
    result: str = pyld.normalize(
        nquads,
        {
            "algorithm": "URDNA2015",
            "inputFormat": "application/n-quads",
            "format": "application/n-quads",
        },
    )
    return result


def _clique(n: int) -> str:
    return "".join(f"_:n{i} {P} _:n{j} .\n" for i in range(n) for j in range(n) if i != j)


@pytest.mark.parametrize(
    "path",
    sorted(p for p in VECTORS.glob("eddsa-rdfc-2022/*.json")),
    ids=lambda p: p.stem,
)
def test_vector_canonical_forms_are_fixed_points(path: Path) -> None:
    vector = json.loads(path.read_text())
    for key in ("canonicalDocument", "canonicalProofConfig"):
        assert rdfc.canonicalize_nquads(vector[key]) == vector[key]


def test_relabels_and_sorts_like_pyld() -> None:
    nquads = (
        '_:x <http://example.org/name> "B" .\n'
        "<http://example.org/s> <http://example.org/knows> _:x .\n"
        '_:y <http://example.org/name> "A" _:g .\n'
        "<http://example.org/s> <http://example.org/knows> _:y _:g .\n"
    )
    out = rdfc.canonicalize_nquads(nquads)
    assert out == _pyld_urdna2015(nquads)
    assert out.endswith(" .\n")
    assert out.splitlines() == sorted(out.splitlines())
    assert "_:c14n0" in out


def test_duplicate_quads_are_collapsed() -> None:
    line = '_:x <http://example.org/name> "B" .\n'
    assert rdfc.canonicalize_nquads(line * 2) == '_:c14n0 <http://example.org/name> "B" .\n'


def test_label_input_already_named_c14n_is_relabelled() -> None:
    nquads = f'_:c14n1 {P} _:c14n0 .\n_:c14n0 {P} _:c14n1 .\n_:c14n1 {P} "x" .\n'
    assert rdfc.canonicalize_nquads(nquads) == _pyld_urdna2015(nquads.replace("c14n", "in"))


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_symmetric_graphs_within_budget_match_pyld(n: int) -> None:
    nquads = _clique(n)
    assert 0 < rdfc.estimate_work(rdfc.parse_nquads(nquads)) <= rdfc.DEFAULT_MAX_WORK
    assert rdfc.canonicalize_nquads(nquads) == _pyld_urdna2015(nquads)


def test_ring_of_identical_nodes_matches_pyld() -> None:
    nquads = "".join(f"_:n{i} {P} _:n{(i + 1) % 8} .\n" for i in range(8))
    assert rdfc.canonicalize_nquads(nquads) == _pyld_urdna2015(nquads)


def test_seven_clique_is_refused_quickly() -> None:
    with pytest.raises(CanonicalizationError) as info:
        rdfc.canonicalize_nquads(_clique(7))
    assert info.value.code == "RDFC_POISONED"


def test_six_clique_is_refused_by_default_but_budget_is_configurable() -> None:
    with pytest.raises(CanonicalizationError):
        rdfc.canonicalize_nquads(_clique(6))
    assert rdfc.canonicalize_nquads(_clique(4), max_work=10**9)


def test_too_many_blank_nodes_refused() -> None:
    nquads = "".join(f'_:n{i} {P} "{i}" .\n' for i in range(20))
    assert rdfc.canonicalize_nquads(nquads, max_blank_nodes=20)
    with pytest.raises(CanonicalizationError) as info:
        rdfc.canonicalize_nquads(nquads, max_blank_nodes=19)
    assert info.value.code == "RDFC_POISONED"


def test_unique_first_degree_hashes_cost_nothing() -> None:
    nquads = "".join(f'_:n{i} {P} "{i}" .\n' for i in range(50))
    assert rdfc.estimate_work(rdfc.parse_nquads(nquads)) == 0


def test_literal_escapes_follow_rdfc_and_rdf_canonize() -> None:
    # RDFC-1.0 / rdf-canonize 5: ECHAR for \b \t \n \f \r \" \\, \uXXXX (upper case) for other
    # controls. pyld's own serialiser leaves \b, \f and other controls raw (we differ there).
    nquads = (
        '<http://e.org/s> <http://e.org/p> "a\\tb\\nc\\"d\\\\e\\u0001\\bf\\f\\u007F\\u001f" .\n'
    )
    expected = (
        '<http://e.org/s> <http://e.org/p> "a\\tb\\nc\\"d\\\\e\\u0001\\bf\\f\\u007F\\u001F" .\n'
    )
    assert rdfc.canonicalize_nquads(nquads) == expected
    raw = '<http://e.org/s> <http://e.org/p> "a\x01\x7f" .\n'  # raw controls are legal input
    assert (
        rdfc.canonicalize_nquads(raw) == '<http://e.org/s> <http://e.org/p> "a\\u0001\\u007F" .\n'
    )


def test_language_and_datatype_literals() -> None:
    nquads = (
        '<http://e.org/s> <http://e.org/p> "x"@en .\n'
        '<http://e.org/s> <http://e.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
        '<http://e.org/s> <http://e.org/p> "y"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    )
    out = rdfc.canonicalize_nquads(nquads)
    assert out == _pyld_urdna2015(nquads)
    assert '"y" .' in out


def test_language_tags_and_iris_are_kept_exactly() -> None:
    # pyoxigraph's parser lower-cases language tags; pyld and jsonld.js keep them as written.
    nquads = '<http://e.org/S> <http://e.org/p> "x"@en-US .\n'
    assert rdfc.canonicalize_nquads(nquads) == nquads == _pyld_urdna2015(nquads)


def test_unicode_escapes_in_input_are_decoded() -> None:
    nquads = '<http://e.org/s> <http://e.org/p> "caf\\u00E9 \\U0001F600" .\n'
    assert rdfc.canonicalize_nquads(nquads) == '<http://e.org/s> <http://e.org/p> "café 😀" .\n'


def test_comments_and_blank_lines_are_ignored() -> None:
    nquads = '# comment\n\n<http://e.org/s> <http://e.org/p> "x" . # trailing\n'
    assert rdfc.canonicalize_nquads(nquads) == '<http://e.org/s> <http://e.org/p> "x" .\n'


@pytest.mark.parametrize(
    "bad",
    [
        "<not a quad",
        '<http://e.org/s> <http://e.org/p> "x"\n',
        '"lit" <http://e.org/p> "x" .\n',
        '<http://e.org/s> _:p "x" .\n',
        '<http://e.org/a{b}> <http://e.org/p> "x" .\n',
        '<http://e.org/s> <http://e.org/p> "\\uD800" .\n',
    ],
)
def test_malformed_nquads_are_refused(bad: str) -> None:
    with pytest.raises(CanonicalizationError) as info:
        rdfc.canonicalize_nquads(bad)
    assert info.value.code == "RDFC_PARSE_ERROR"
