"""The award-rule editor: the rule as a tree of groups in a plain HTML form (no JavaScript
needed), its checks with the field named, the rule as one sentence, and how many current
learners it would qualify.

A group's fields are named after its key: the root is ``r``, its sub-groups ``r_0``, ``r_1``,
theirs ``r_0_0`` ... Each group posts ``<key>__kind`` (all_of / at_least / credits_at_least),
``<key>__n`` (the N of "at least N", the X of "at least X credits"), ``<key>__part`` (slugs
of catalogue entries, repeated) and one hidden ``group=<key>``; the ``action`` button says
what to do: ``preview``, ``save``, ``add:<key>`` (a sub-group) or ``remove:<key>``.

Saving goes through `services.set_rule` (versioning, audit, its own checks); this module only
parses, checks what a person can fix in the form, and reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from microdegree.catalog import hooks, rules
from microdegree.catalog.models import AchievementVersion

KINDS = (
    ("all_of", gettext_lazy("All of")),
    ("at_least", gettext_lazy("At least N of")),
    ("credits_at_least", gettext_lazy("At least X credits from")),
)
_KEY = re.compile(r"^r(_\d{1,3})*$")
MAX_GROUPS = 100
MAX_NESTING = rules.MAX_DEPTH - 1  # a group this deep still has its parts within MAX_DEPTH
_CHILDREN = {"all_of": "all_of", "at_least": "of", "credits_at_least": "from"}


@dataclass
class Group:
    """One group of the rule as the form shows it (`number` is the text typed)."""

    key: str
    kind: str = "all_of"
    number: str = ""
    parts: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    label: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)

    def field_id(self, name: str) -> str:
        return f"{self.key}__{name}"

    def walk(self) -> list[Group]:
        out = [self]
        for child in self.groups:
            out.extend(child.walk())
        return out

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def can_nest(self) -> bool:
        """Whether a sub-group may be added (its parts would still be within MAX_DEPTH)."""
        return self.key.count("_") < MAX_NESTING

    @property
    def kind_errors(self) -> list[str]:
        return self.errors.get("kind", [])

    @property
    def n_errors(self) -> list[str]:
        return self.errors.get("n", [])

    @property
    def part_errors(self) -> list[str]:
        return self.errors.get("part", [])


FIELD_LABELS = {
    "kind": gettext_lazy("The group asks for"),
    "n": gettext_lazy("N (parts) or X (credits)"),
    "part": gettext_lazy("Parts"),
}


@dataclass(frozen=True)
class Problem:
    """A problem the registrar fixes in one field (`field_id` is the input's id, `label` the
    group's, `field_label` the field's)."""

    field_id: str
    label: str
    field_label: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"field": self.field_id, "label": self.label,
                "fieldLabel": self.field_label, "message": self.message}


# --- the tree from a stored rule, from a form, and back -----------------------------------


def from_rule(rule: Any, slugs: Mapping[int, str]) -> Group:
    """The editor's tree for a stored rule (leaves are definition ids); empty if none."""
    root = _from_node(rule, "r", slugs) if isinstance(rule, dict) else Group(key="r")
    return numbered(root)


def _from_node(node: dict[str, Any], key: str, slugs: Mapping[int, str]) -> Group:
    if "achievement" in node:  # a rule that is a single part: "all of" that part
        node = {"all_of": [node]}
    kind = next((k for k in _CHILDREN if k in node), "all_of")
    group = Group(key=key, kind=kind)
    if kind == "at_least":
        group.number = str(node.get("at_least", ""))
    elif kind == "credits_at_least":
        amount = node.get("credits_at_least", "")
        group.number = f"{amount:g}" if isinstance(amount, (int, float)) else str(amount)
    children = node.get(_CHILDREN[kind]) or []
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict) and "achievement" in child:
            value = child["achievement"]
            group.parts.append(slugs.get(value, str(value)))
        elif isinstance(child, dict):
            group.groups.append(_from_node(child, f"{key}_{len(group.groups)}", slugs))
    return group


def from_post(data: Any) -> Group:
    """The tree a form posted (`data` a QueryDict); unknown or malformed keys are dropped."""
    keys = [k for k in data.getlist("group") if _KEY.match(k)][:MAX_GROUPS]
    if "r" not in keys:
        keys.insert(0, "r")
    groups: dict[str, Group] = {}
    for key in dict.fromkeys(keys):
        if key.count("_") > MAX_NESTING:
            continue
        groups[key] = Group(
            key=key,
            kind=str(data.get(f"{key}__kind", "all_of")),
            number=str(data.get(f"{key}__n", "")).strip(),
            parts=list(dict.fromkeys(p.strip() for p in data.getlist(f"{key}__part")
                                     if p.strip())),
        )
    for key, group in groups.items():
        if key != "r":
            parent = groups.get(key.rsplit("_", 1)[0])
            if parent is not None:
                parent.groups.append(group)
    return numbered(groups["r"])


def numbered(root: Group) -> Group:
    """Give each group its label by position: "Group 1", "Group 1.2", ..."""

    def walk(group: Group, number: str) -> None:
        group.label = _("Group %(number)s") % {"number": number}
        for i, child in enumerate(group.groups, start=1):
            walk(child, f"{number}.{i}")

    walk(root, "1")
    return root


def apply_action(root: Group, action: str) -> bool:
    """Add or remove a sub-group as the pressed button says; whether anything changed."""
    verb, _sep, key = action.partition(":")
    by_key = {g.key: g for g in root.walk()}
    target = by_key.get(key)
    if target is None:
        return False
    if verb == "add" and len(by_key) < MAX_GROUPS and target.can_nest:
        used = {int(g.key.rsplit("_", 1)[1]) for g in target.groups}
        target.groups.append(Group(key=f"{key}_{max(used, default=-1) + 1}"))
    elif verb == "remove" and key != "r":
        parent = by_key[key.rsplit("_", 1)[0]]
        parent.groups = [g for g in parent.groups if g.key != key]
    else:
        return False
    numbered(root)
    return True


def to_rule(group: Group) -> dict[str, Any]:
    """The JSON rule of a checked tree (leaves by slug; `services.set_rule` resolves them)."""
    children: list[dict[str, Any]] = [{"achievement": slug} for slug in group.parts]
    children.extend(to_rule(child) for child in group.groups)
    if group.kind == "at_least":
        return {"at_least": int(group.number), "of": children}
    if group.kind == "credits_at_least":
        amount = float(group.number)
        return {"credits_at_least": int(amount) if amount.is_integer() else amount,
                "from": children}
    return {"all_of": children}


# --- checks -------------------------------------------------------------------------------


def check(root: Group, catalogue: Sequence[AchievementVersion], *, itself: str,
          containing: Sequence[str]) -> list[Problem]:
    """Every problem of the tree, also recorded on its group. `catalogue` is what may be
    chosen (this institution's latest versions), `itself` the microdegree's own slug and
    `containing` the microdegrees that contain it (choosing one would make a cycle)."""
    known = {v.definition.slug: v for v in catalogue}
    problems: list[Problem] = []
    for group in root.walk():
        _check_group(group, known, itself, set(containing))
        for name, messages in group.errors.items():
            problems.extend(Problem(group.field_id(name), group.label, str(FIELD_LABELS[name]),
                                    m) for m in messages)
    return problems


def _check_group(group: Group, known: Mapping[str, AchievementVersion], itself: str,
                 containing: set[str]) -> None:
    if group.kind not in _CHILDREN:
        group.error("kind", _("Choose what the group asks for."))
        group.kind = "all_of"
    for slug in group.parts:
        if slug == itself:
            group.error("part", _("A microdegree cannot include itself."))
        elif slug in containing:
            group.error("part", _("%(name)s contains this microdegree, so it cannot be one of "
                                  "its parts.") % {"name": known[slug].name})
        elif slug not in known:
            group.error("part", _("There is no achievement %(slug)s in this catalogue.")
                        % {"slug": repr(slug)})
    size = len(group.parts) + len(group.groups)
    if size == 0:
        group.error("part", _("The group is empty: choose at least one part or add a "
                              "sub-group."))
    if group.kind == "at_least":
        try:
            n = int(group.number)
        except ValueError:
            group.error("n", _("Say how many parts are needed (a whole number of at least 1)."))
            return
        if n < 1:
            group.error("n", _("Say how many parts are needed (a whole number of at least 1)."))
        elif size and n > size:
            group.error("n", ngettext(
                "It asks for %(n)d parts but the group has only %(size)d part.",
                "It asks for %(n)d parts but the group has only %(size)d parts.", size)
                % {"n": n, "size": size})
    elif group.kind == "credits_at_least":
        try:
            amount = float(group.number)
        except ValueError:
            amount = float("nan")
        if not amount > 0 or amount == float("inf"):
            group.error("n", _("Say how many credits are needed (a number above 0)."))
            return
        offered = sum(known[s].credits_available or 0 for s in _leaves(group) if s in known)
        if offered < amount:
            group.error("n", _("It asks for %(amount)s credits but its parts offer only "
                               "%(offered)s.") % {"amount": f"{amount:g}",
                                                 "offered": f"{offered:g}"})


def _leaves(group: Group) -> set[str]:
    found = set(group.parts)
    for child in group.groups:
        found |= _leaves(child)
    return found


# --- reading --------------------------------------------------------------------------------


def sentence(rule: Any, names: Mapping[int, str]) -> str:
    """The rule as one sentence in the reader's language, e.g. "All of Statistics and 2 of
    Python, R, SQL". A nested group is in brackets unless it ends the sentence it is in."""
    if not isinstance(rule, dict) or rules.validate_rule(rule, set(names)):
        return ""
    text = _phrase(rule, names)
    return text[:1].upper() + text[1:]


def _phrase(node: dict[str, Any], names: Mapping[int, str]) -> str:
    if "achievement" in node:
        return names[node["achievement"]]
    kind = next(k for k in _CHILDREN if k in node)
    children = node[_CHILDREN[kind]]
    parts = []
    for i, child in enumerate(children):
        text = _phrase(child, names)
        ends = kind == "all_of" and i == len(children) - 1
        parts.append(text if "achievement" in child or ends else f"({text})")
    if kind == "all_of":
        if len(parts) == 1:
            return parts[0]
        return _("all of %(parts)s and %(last)s") % {"parts": ", ".join(parts[:-1]),
                                                       "last": parts[-1]}
    listed = ", ".join(parts)
    if kind == "at_least":
        n = int(node["at_least"])
        return ngettext("%(n)d of %(parts)s", "%(n)d of %(parts)s", n) % {"n": n,
                                                                         "parts": listed}
    amount = node["credits_at_least"]
    return _("at least %(credits)s credits from %(parts)s") % {"credits": f"{amount:g}",
                                                               "parts": listed}


def qualifying(institution: Any, rule: Any) -> int | None:
    """How many current learners of `institution` the rule (leaves by id) would qualify, or
    None when that cannot be said (nobody answers the hook, or the rule is not valid)."""
    if not isinstance(rule, dict):
        return None
    holdings = hooks.holdings_by_learner(institution, rules.achievement_ids(rule))
    if holdings is None:
        return None
    return sum(1 for held in holdings if rules.evaluate(rule, held).satisfied)
