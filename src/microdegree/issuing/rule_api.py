"""A microdegree's award rule as JSON through the institution API (the same tokens and sessions
as `issuing.api`): read it with its sentence and how many current learners it qualifies, and
replace it. Writing goes through `catalog.services.set_rule` like the page's editor, so the
checks, the audit entry and the versioning are the same.

`GET|PUT /api/v1/institutions/{slug}/achievements/{achievement}/rule`; leaves name
achievements by slug (a definition id of the institution is accepted on PUT too).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from microdegree.api_layer import not_allowed, request_body
from microdegree.catalog import rule_editor, rules
from microdegree.catalog import services as catalog_services
from microdegree.catalog.models import AchievementDefinition
from microdegree.errors import Invalid, NotFound
from microdegree.institutions.models import Institution
from microdegree.issuing.api import AUTH, ERRORS, _body, _who

router = Router(tags=["Catalogue"])

RULE = "/institutions/{slug:slug}/achievements/{slug:achievement}/rule"
RULE_SCHEMA: dict[str, Any] = {
    "type": ["object", "null"],
    "description": 'groups {"all_of": [...]}, {"at_least": N, "of": [...]}, '
    '{"credits_at_least": X, "from": [...]}; parts {"achievement": "slug"}; nested to any depth',
}


class RuleAnswer(Schema):
    achievement: str = Field(..., description="the microdegree's slug")
    version: int = Field(..., description="the version that holds the rule")
    rule: dict[str, Any] | None = Field(..., json_schema_extra=RULE_SCHEMA)
    sentence: str = Field(..., description="the rule in one sentence (the reader's language)")
    qualifying: int | None = Field(..., description="current learners the rule qualifies")


class RuleChange(Schema):
    rule: dict[str, Any] = Field(..., json_schema_extra=RULE_SCHEMA)

    model_config = ConfigDict(extra="forbid")


def _microdegree(inst: Institution, slug: str) -> AchievementDefinition:
    definition = AchievementDefinition.objects.filter(institution=inst, slug=slug).first()
    if definition is None:
        raise NotFound("No such achievement.")
    if not definition.is_microdegree:
        raise Invalid("Only a microdegree has an award rule.", code="NOT_A_MICRODEGREE")
    return definition


def _answer(definition: AchievementDefinition) -> JsonResponse:
    inst = definition.institution
    version = catalog_services.latest_version(definition)
    catalogue = catalog_services.catalogue(inst)
    slugs = {v.definition_id: v.definition.slug for v in catalogue}
    names = {v.definition_id: v.name for v in catalogue}
    rule = version.rule
    return JsonResponse({
        "achievement": definition.slug,
        "version": version.number,
        "rule": rules.map_leaves(rule, lambda v: slugs.get(v, v)) if rule else None,
        "sentence": rule_editor.sentence(rule, names) if rule else "",
        "qualifying": rule_editor.qualifying(inst, rule) if rule else None,
    })


@router.get(RULE, auth=AUTH, response={200: RuleAnswer, **ERRORS},
            summary="A microdegree's award rule (JSON), its sentence and qualifying count",
            operation_id="getRule")
def get_rule(request: HttpRequest, slug: str, achievement: str) -> HttpResponse:
    inst = _who(request).institution(slug)
    return _answer(_microdegree(inst, achievement))


@router.put(RULE, auth=AUTH, response={200: RuleAnswer, **ERRORS},
            summary="Replace a microdegree's award rule (a new version once it is awarded)",
            operation_id="setRule", openapi_extra=request_body(RuleChange))
def put_rule(request: HttpRequest, slug: str, achievement: str) -> HttpResponse:
    caller = _who(request)
    inst = caller.institution(slug, role="issuer")
    definition = _microdegree(inst, achievement)
    data = _body(request)
    unknown = set(data) - {"rule"}
    if unknown:
        raise Invalid(f"Unknown field(s): {', '.join(sorted(unknown))}.", code="FIELD_UNKNOWN")
    if not isinstance(data.get("rule"), dict):
        raise Invalid("Send the rule as a JSON object in 'rule'.", code="RULE_INVALID")
    catalog_services.set_rule(caller.actor, catalog_services.latest_version(definition),
                              data["rule"])
    return _answer(definition)


not_allowed(router, RULE, ("GET", "PUT"))
