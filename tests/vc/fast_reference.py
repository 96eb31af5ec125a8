"""Reference canonicalisation for the fast-path tests: pyld URDNA2015 with safe-mode checks.

`reference(doc)` is what the general path must answer: the pyld N-Quads, or None when a safe-mode
JSON-LD processor refuses the document (a dropped term, a relative IRI, a pyld error).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyld import jsonld

from microdegree.vc.contexts import document_loader

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
