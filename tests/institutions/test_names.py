"""Duplicate and confusable institution names (institutions/names.py, UTS #39 skeletons)."""

from __future__ import annotations

import pytest

from microdegree.institutions.names import CONFUSABLE, DUPLICATE, similar_names, skeleton

OTHERS = [(1, "Demo University"), (2, "Demo Technical University"), (3, "Example University")]


@pytest.mark.parametrize(("name", "found"), [
    ("Demo University", [(1, DUPLICATE)]),
    ("demo  UNIVERSITY", [(1, DUPLICATE)]),
    ("\uff24\uff45\uff4d\uff4f University", [(1, DUPLICATE)]),  # fullwidth letters
    ("D\u0435mo University", [(1, CONFUSABLE)]),  # Cyrillic e
    ("\u0415xample Univ\u0435rsity", [(3, CONFUSABLE)]),  # Cyrillic E and e
    ("Dem\u03bf University", [(1, CONFUSABLE)]),  # Greek omicron
    ("Demo Universities", []),
    ("Other College", []),
    ("", []),
])
def test_similar_names(name, found):
    assert [(s.pk, s.kind) for s in similar_names(name, OTHERS)] == found


def test_skeletons_of_look_alike_letters_are_equal():
    assert skeleton("\u0430") == skeleton("a")  # Cyrillic a
    assert skeleton("l") == skeleton("I") == skeleton("1")
    assert skeleton("a") != skeleton("b")
