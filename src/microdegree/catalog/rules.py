"""A microdegree's award rule: a tree of groups over achievement definitions (pure Python).

Node shapes (one group key per node, nested to any depth):

    {"all_of": [node, ...]}
    {"at_least": N, "of": [node, ...]}
    {"credits_at_least": X, "from": [node, ...]}
    {"achievement": <definition id>}

`validate_rule` lists every problem with a path into the tree; `evaluate` says whether a
learner's holdings (definition id -> credits earned, for valid credentials only) satisfy it,
node by node, which components were used and how many credits they sum to. A component that
appears twice in the tree is counted once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

MAX_DEPTH = 16
_SHAPES = {
    "all_of": {"all_of"},
    "at_least": {"at_least", "of"},
    "credits_at_least": {"credits_at_least", "from"},
    "achievement": {"achievement"},
}


def _kind(node: Any) -> str | None:
    if not isinstance(node, dict):
        return None
    kinds = [k for k in _SHAPES if k in node]
    if len(kinds) != 1 or set(node) != _SHAPES[kinds[0]]:
        return None
    return kinds[0]


def _children(node: dict[str, Any]) -> list[Any]:
    for key in ("all_of", "of", "from"):
        if key in node:
            value = node[key]
            return value if isinstance(value, list) else []
    return []


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def validate_rule(rule: Any, known_ids: Collection[int]) -> list[str]:
    """Every problem in `rule` (empty if it is valid); leaves must name an id in `known_ids`."""
    problems: list[str] = []
    _validate(rule, "rule", known_ids, problems, 0)
    return problems


def _validate(node: Any, path: str, known: Collection[int], problems: list[str],
              depth: int) -> None:
    if depth > MAX_DEPTH:
        problems.append(f"{path}: the rule is nested more than {MAX_DEPTH} levels deep.")
        return
    kind = _kind(node)
    if kind is None:
        problems.append(
            f"{path}: each part must be one of {{\"all_of\": [...]}}, "
            f"{{\"at_least\": N, \"of\": [...]}}, {{\"credits_at_least\": X, \"from\": [...]}} "
            f"or {{\"achievement\": id}}."
        )
        return
    if kind == "achievement":
        value = node["achievement"]
        if isinstance(value, str):
            problems.append(f"{path}: there is no achievement {value!r} in this catalogue.")
        elif isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{path}: \"achievement\" must name a definition (got {value!r}).")
        elif value not in known:
            problems.append(f"{path}: there is no achievement {value} in this catalogue.")
        return
    key = {"all_of": "all_of", "at_least": "of", "credits_at_least": "from"}[kind]
    children = node[key]
    if not isinstance(children, list) or not children:
        problems.append(f"{path}.{key}: must be a non-empty list.")
        return
    if kind == "at_least":
        n = node["at_least"]
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            problems.append(f"{path}.at_least: must be a whole number of at least 1.")
        elif n > len(children):
            problems.append(f"{path}.at_least: asks for {n} but the group has only "
                            f"{len(children)} parts.")
    if kind == "credits_at_least":
        x = node["credits_at_least"]
        if not _is_number(x) or x <= 0:
            problems.append(f"{path}.credits_at_least: must be a number above 0.")
    for i, child in enumerate(children):
        _validate(child, f"{path}.{key}[{i}]", known, problems, depth + 1)


def achievement_ids(rule: Any) -> list[int]:
    """The definition ids a rule names (in order of first appearance; ignores malformed parts)."""
    seen: dict[int, None] = {}
    for leaf in _leaves(rule, 0):
        seen.setdefault(leaf, None)
    return list(seen)


def _leaves(node: Any, depth: int) -> Iterator[int]:
    if depth > MAX_DEPTH or not isinstance(node, dict):
        return
    value = node.get("achievement")
    if isinstance(value, int) and not isinstance(value, bool):
        yield value
    for child in _children(node):
        yield from _leaves(child, depth + 1)


def map_leaves(rule: Any, fn: Callable[[Any], Any]) -> Any:
    """A copy of `rule` with every leaf's value replaced by `fn(value)` (e.g. slug -> id)."""
    if isinstance(rule, list):
        return [map_leaves(item, fn) for item in rule]
    if not isinstance(rule, dict):
        return rule
    out = {}
    for key, value in rule.items():
        if key == "achievement":
            out[key] = fn(value)
        elif key in ("all_of", "of", "from"):
            out[key] = map_leaves(value, fn)
        else:
            out[key] = value
    return out


# --- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeStatus:
    """One node of the rule after evaluation.

    `kind` is all_of / at_least / credits_at_least / achievement. `done` says whether it is
    satisfied; `used` are the held components it counts; `credits` their summed credits;
    `credits_needed` (credit groups) and `needed` / `count_done` (at-least groups) say how far
    it is; `missing` the components in it that are not held.
    """

    kind: str
    done: bool
    used: tuple[int, ...]
    credits: float
    children: tuple[NodeStatus, ...] = ()
    achievement: int | None = None
    needed: int | None = None
    count_done: int = 0
    credits_needed: float | None = None
    missing: tuple[int, ...] = ()

    @property
    def status(self) -> str:
        return "done" if self.done else "missing"


@dataclass(frozen=True)
class RuleResult:
    satisfied: bool
    root: NodeStatus
    components: tuple[int, ...] = field(default=())
    credits: float = 0.0

    @property
    def missing(self) -> tuple[int, ...]:
        return self.root.missing


def _unique(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(ids))


def _sum(ids: tuple[int, ...], holdings: Mapping[int, float]) -> float:
    return float(sum(holdings.get(i) or 0 for i in ids))


def evaluate(rule: Any, holdings: Mapping[int, float]) -> RuleResult:
    """Evaluate a valid rule against the learner's holdings (definition id -> credits earned).

    A group is done when: all_of, every part is done; at_least N, N parts are done;
    credits_at_least X, the done parts' components sum to X credits or more. A group's `used`
    components are those of its done parts, so the award names every part that counts.
    """
    root = _evaluate(rule, holdings)
    return RuleResult(
        satisfied=root.done,
        root=root,
        components=root.used if root.done else (),
        credits=root.credits if root.done else 0.0,
    )


def _evaluate(node: dict[str, Any], holdings: Mapping[int, float]) -> NodeStatus:
    kind = _kind(node)
    if kind is None:
        raise ValueError(_("Evaluate only rules that validate_rule accepts."))
    if kind == "achievement":
        ident: int = node["achievement"]
        held = ident in holdings
        used: tuple[int, ...] = (ident,) if held else ()
        return NodeStatus(kind=kind, done=held, used=used, credits=_sum(used, holdings),
                          achievement=ident, count_done=int(held),
                          missing=() if held else (ident,))
    children = tuple(_evaluate(child, holdings) for child in _children(node))
    done_children = [c for c in children if c.done]
    used = _unique(i for c in done_children for i in c.used)
    credits = _sum(used, holdings)
    needed: int | None = None
    credits_needed: float | None = None
    if kind == "all_of":
        done = len(done_children) == len(children)
    elif kind == "at_least":
        needed = int(node["at_least"])
        done = len(done_children) >= needed
    else:
        credits_needed = float(node["credits_at_least"])
        done = credits >= credits_needed
    return NodeStatus(
        kind=kind, done=done, used=used, credits=credits, children=children, needed=needed,
        count_done=len(done_children), credits_needed=credits_needed,
        missing=_unique(i for c in children for i in c.missing),
    )


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A readable rendering of one node: a sentence and the nodes under it."""

    text: str
    children: tuple[Line, ...] = ()


def describe(rule: Any, names: Mapping[int, str]) -> Line:
    """The rule as nested sentences, e.g. "At least 2 of:" / "Data Literacy (data-literacy)"."""
    kind = _kind(rule)
    if kind is None:
        return Line("(a part of the rule that is not valid)")
    if kind == "achievement":
        value = rule["achievement"]
        return Line(names.get(value, f"unknown achievement {value!r}"))
    children = tuple(describe(child, names) for child in _children(rule))
    if kind == "all_of":
        return Line("All of:", children)
    if kind == "at_least":
        return Line(f"At least {rule['at_least']} of:", children)
    amount = rule["credits_at_least"]
    amount_text = f"{amount:g}" if _is_number(amount) else str(amount)
    return Line(f"At least {amount_text} credits from:", children)
