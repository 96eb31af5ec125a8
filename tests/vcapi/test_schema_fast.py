"""The jsonschema-rs fast path of `microdegree.vc.schema` agrees with python-jsonschema.

`schema.validate` trusts jsonschema-rs when it says "valid" and asks python-jsonschema for the
messages otherwise, so the fast path must never accept what python-jsonschema rejects (nor the
reverse, or a valid document would get an empty problem list). Checked on every bundled example
and built document, against both flavours, and on single-field mutations of the builders'
outputs.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from microdegree.vc import schema
from tests.samples import sample_credential
from tests.vc.test_builders import clr, endorsement, full_credential, minimal_credential

EXAMPLES = Path(__file__).parents[1] / "data" / "examples"
MUTATIONS: list[Any] = [None, 5, "", "not a date", [], {}, True, {"type": "X"}, ["a", 1]]


def _slow_valid(document: Any, url: str) -> bool:
    return not any(True for _ in schema._validator(url).iter_errors(document))


def _fast_valid(document: Any, url: str) -> bool:
    validator = schema._fast_validator(url)
    assert validator is not None, url
    return bool(validator.is_valid(document))


def _agree(document: Any, url: str) -> None:
    slow = _slow_valid(document, url)
    assert _fast_valid(document, url) == slow, (url, json.dumps(document)[:400])
    assert (schema.validate(document, url) == []) == slow


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(EXAMPLES.rglob("*.json")):
        try:
            document = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(document, dict) and schema.schema_for_type(document):
            yield path.name, document


BUILT = {
    "full": full_credential,
    "minimal": minimal_credential,
    "endorsement": endorsement,
    "clr": clr,
    "sample": sample_credential,
}


def test_every_bundled_schema_compiles_for_the_fast_path():
    for url in schema.known_schemas():
        assert schema._fast_validator(url) is not None, url


@pytest.mark.parametrize("name", sorted(BUILT))
def test_built_documents_agree(name):
    document = BUILT[name]()
    url = schema.schema_for_type(document)
    assert url is not None
    for flavour in {url, schema.strict_counterpart(url)}:
        assert _fast_valid(document, flavour)
        _agree(document, flavour)


def test_bundled_examples_agree():
    seen = 0
    for _, document in _examples():
        url = schema.schema_for_type(document)
        assert url is not None
        for flavour in {url, schema.strict_counterpart(url)}:
            _agree(document, flavour)
            seen += 1
    assert seen > 10


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from _paths(value, (*prefix, index))


def _mutated(document: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool
             ) -> dict[str, Any]:
    out = copy.deepcopy(document)
    target: Any = out
    for part in path[:-1]:
        target = target[part]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = copy.deepcopy(value)
    return out


def _check_mutations(name: str, max_paths: int | None) -> None:
    document = BUILT[name]()
    url = schema.schema_for_type(document)
    assert url is not None
    flavours = sorted({url, schema.strict_counterpart(url)})
    rng = random.Random(name)  # deterministic per document
    paths = list(_paths(document))
    if max_paths is not None and len(paths) > max_paths:
        paths = rng.sample(paths, max_paths)
    invalid = 0
    for path in paths:
        candidates = [(None, True), *((v, False) for v in rng.sample(MUTATIONS, 3))]
        for value, delete in candidates:
            mutated = _mutated(document, path, value, delete)
            for flavour in flavours:
                slow = _slow_valid(mutated, flavour)
                assert _fast_valid(mutated, flavour) == slow, (flavour, path, value, delete)
                invalid += not slow
    assert invalid > 0


@pytest.mark.parametrize("name", sorted(BUILT))
def test_mutations_agree(name):
    """Fields deleted, or replaced by values of other types, in both flavours (60 per document:
    the exhaustive run is the slow test below)."""
    _check_mutations(name, 60)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BUILT))
def test_every_mutation_agrees(name):
    _check_mutations(name, None)


def test_non_objects_agree():
    for value in (None, "text", 3, [], [1, 2], {}):
        for url in (schema.OB_ACHIEVEMENT_CREDENTIAL, schema.CLR_CREDENTIAL, schema.OB_PROFILE):
            _agree(value, url)


def test_invalid_documents_keep_their_detailed_messages():
    document = sample_credential()
    document["credentialSubject"]["achievement"]["name"] = 5
    problems = schema.validate(document, schema.OB_ACHIEVEMENT_CREDENTIAL)
    assert [p.path for p in problems] == ["$.credentialSubject.achievement.name"]
    assert "not of type 'string'" in problems[0].message
