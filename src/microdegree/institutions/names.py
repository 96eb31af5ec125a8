"""Institution names that a reader could take for another's: exact duplicates and confusables.

Two names are flagged when
- they are the same once case, Unicode compatibility forms and spacing are set aside
  ("demo  UNIVERSITY" and "Demo University": a *duplicate*), or
- their skeletons are equal (Unicode Technical Standard #39, section 4: decompose, map every
  character to the prototype of its confusable class, decompose again), so that "Demo
  University" spelled with a Cyrillic e (U+0435), or with a zero-width space inside a word,
  reads as "Demo University" (a *confusable*).

The confusable classes come from the Unicode confusables data shipped by the
`confusable_homoglyphs` package (`confusables.json`, derived from confusables.txt): characters
that data names as look-alikes are joined into classes, and each class is represented by its
lowest code point (ASCII when the class has one: the Cyrillic a U+0430, the Greek alpha and
the Latin a all become "a"; l, I, 1 and | become "1"). Only single-character look-alikes are used.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

DUPLICATE = "duplicate"
CONFUSABLE = "confusable"
_MARKS = "\u200e\u200f"  # direction marks around right-to-left look-alikes in the data


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Character -> the representative of its confusable class (characters in no class absent)."""
    data = json.loads(resources.files("confusable_homoglyphs").joinpath("confusables.json")
                      .read_text(encoding="utf-8"))
    parent: dict[str, str] = {}

    def find(char: str) -> str:
        parent.setdefault(char, char)
        while parent[char] != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    for key, glyphs in data.items():
        source = key.strip(_MARKS)
        if len(source) != 1:
            continue
        for glyph in glyphs:
            other = str(glyph.get("c", "")).strip(_MARKS)
            if len(other) == 1:
                a, b = find(source), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {char: find(char) for char in list(parent)}


def _visible(text: str) -> str:
    """Format characters (zero-width space, joiners, soft hyphen...) removed, spaces collapsed."""
    kept = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(kept.split())


def normal(name: str) -> str:
    """The name with case, compatibility forms and spacing set aside (duplicates)."""
    return _visible(unicodedata.normalize("NFKC", name)).casefold()


def skeleton(name: str) -> str:
    """The UTS #39 skeleton of the name (spacing and invisible characters set aside)."""
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", _visible(name))
    mapped = "".join(table.get(c, c) for c in decomposed)
    return unicodedata.normalize("NFD", mapped)


def _skeletons(name: str) -> set[str]:
    # as written, and case-folded first (so "DEMO" meets "Demo" in any script's letters)
    return {skeleton(name), skeleton(normal(name))}


@dataclass(frozen=True, slots=True)
class Similar:
    pk: int
    name: str
    kind: str  # DUPLICATE or CONFUSABLE


def similar_names(name: str, others: Iterable[tuple[int, str]]) -> list[Similar]:
    """Which of `others` ((pk, name) pairs) `name` duplicates or could be confused with."""
    if not name.strip():
        return []
    mine_normal, mine_skeletons = normal(name), _skeletons(name)
    out = []
    for pk, other in others:
        if normal(other) == mine_normal:
            out.append(Similar(pk, other, DUPLICATE))
        elif mine_skeletons & _skeletons(other):
            out.append(Similar(pk, other, CONFUSABLE))
    return out
