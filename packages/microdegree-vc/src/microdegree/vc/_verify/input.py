"""Input limits: size, JSON, depth and number of values, before any work on a document."""

from __future__ import annotations

import json
from typing import Any

from microdegree.vc._verify.common import Limits
from microdegree.vc.report import Outcome, Report


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def parse_input(document: Any, report: Report, limits: Limits) -> dict[str, Any] | None:
    if isinstance(document, bytes | bytearray | str):
        size = len(document)
        if size > limits.max_bytes:
            report.add(
                "input",
                Outcome.FAIL,
                "DOCUMENT_TOO_LARGE",
                f"The document is {size:,} bytes; the limit is {limits.max_bytes:,}.",
            )
            return None
        try:
            document = json.loads(document, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            report.add(
                "input",
                Outcome.FAIL,
                "JSON_MALFORMED",
                f"The document is not valid JSON: {exc}.",
            )
            return None
    if not isinstance(document, dict):
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_NOT_OBJECT",
            "A credential or presentation must be a JSON object.",
        )
        return None
    depth, nodes = _measure(document, limits)
    if depth > limits.max_depth:
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_TOO_DEEP",
            f"The document nests more than {limits.max_depth} levels deep.",
        )
        return None
    if nodes > limits.max_nodes:
        report.add(
            "input",
            Outcome.FAIL,
            "DOCUMENT_TOO_LARGE",
            f"The document has more than {limits.max_nodes:,} values.",
        )
        return None
    return document


def _measure(document: Any, limits: Limits) -> tuple[int, int]:
    """Maximum depth and number of values, iteratively (no recursion on hostile input)."""
    max_depth = 0
    nodes = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        nodes += 1
        max_depth = max(max_depth, depth)
        if depth > limits.max_depth or nodes > limits.max_nodes:
            return max_depth, nodes
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return max_depth, nodes
