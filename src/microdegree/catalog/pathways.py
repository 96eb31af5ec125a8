"""Microdegree pathways: setting a rule (checked against the catalogue, no self-inclusion) and
finding the pathways an achievement belongs to, directly or through nested microdegrees."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microdegree.catalog import rules
from microdegree.catalog.errors import Invalid, RuleInvalid
from microdegree.catalog.models import AchievementDefinition, AchievementVersion
from microdegree.catalog.versions import catalogue, latest_version, log_change, writable
from microdegree.institutions.models import Institution

Kind = AchievementDefinition.Kind


def _rules_by_definition(institution: Institution) -> dict[int, Any]:
    """definition id -> the rule of its latest version, for the institution's microdegrees."""
    out: dict[int, Any] = {}
    for definition in institution.achievement_definitions.filter(kind=Kind.MICRODEGREE):
        out[definition.pk] = latest_version(definition).rule
    return out


def _reaches(start: Iterable[int], target: int, rules_of: dict[int, Any]) -> bool:
    """Whether `target` is among `start` or inside a microdegree reachable from it."""
    seen: set[int] = set()
    stack = list(start)
    while stack:
        ident = stack.pop()
        if ident == target:
            return True
        if ident in seen:
            continue
        seen.add(ident)
        stack.extend(rules.achievement_ids(rules_of.get(ident)))
    return False


def resolve_rule(institution: Institution, rule: Any) -> Any:
    """The rule with leaves given by slug replaced by definition ids (unknown slugs kept)."""
    ids = dict(institution.achievement_definitions.values_list("slug", "pk"))

    def to_id(value: Any) -> Any:
        if isinstance(value, str):
            return ids.get(value, value)
        return value

    return rules.map_leaves(rule, to_id)


@transaction.atomic
def set_rule(actor: Any, version: AchievementVersion, rule: Any) -> AchievementVersion:
    """Set a microdegree's award rule (leaves by definition id or slug of this institution)."""
    definition = version.definition
    if not definition.is_microdegree:
        raise Invalid(_("Only a microdegree has an award rule."), code="NOT_A_MICRODEGREE")
    institution = definition.institution
    # one rule change per institution at a time, so two rules cannot form a cycle together
    Institution.objects.select_for_update(no_key=True).filter(pk=institution.pk).first()
    rule = resolve_rule(institution, rule)
    known = set(institution.achievement_definitions.values_list("pk", flat=True))
    problems = rules.validate_rule(rule, known)
    if not problems:
        rules_of = _rules_by_definition(institution)
        named = rules.achievement_ids(rule)
        if definition.pk in named:
            problems.append("A microdegree cannot include itself.")
        elif _reaches(named, definition.pk, rules_of):
            problems.append("A microdegree cannot include itself through another microdegree "
                            "it contains.")
    if problems:
        raise RuleInvalid(problems)
    target, created, before = writable(definition, version)
    target.rule = rule
    target.save(update_fields=["rule"])
    log_change(actor, "catalog.rule_set", target, before, created)
    return target


def pathways_containing(definition: AchievementDefinition) -> list[AchievementVersion]:
    """Latest versions of the microdegrees whose rule names `definition`, directly or nested."""
    rules_of = _rules_by_definition(definition.institution)
    found = []
    for md_id, rule in rules_of.items():
        if md_id != definition.pk and _reaches(rules.achievement_ids(rule), definition.pk,
                                               rules_of):
            found.append(latest_version(AchievementDefinition.objects.get(pk=md_id)))
    return sorted(found, key=lambda v: (v.name.lower(), v.pk))


def rule_names(institution: Institution) -> dict[int, str]:
    """definition id -> "Name (slug)" for reading a rule."""
    return {v.definition_id: f"{v.name} ({v.definition.slug})" for v in catalogue(institution)}
