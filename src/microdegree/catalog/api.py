"""The public JSON catalogue of an institution (open data; read-only, CORS open).

`GET /api/v1/institutions/<slug>/achievements`: the latest version of every definition, with
its stable Achievement URL and, for a microdegree, its rule with components named by slug.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from microdegree.catalog import rules, services
from microdegree.catalog.errors import NotFound
from microdegree.catalog.models import AchievementVersion


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def entry(version: AchievementVersion, slugs: dict[int, str]) -> dict[str, Any]:
    definition = version.definition
    rule = rules.map_leaves(version.rule, lambda v: slugs.get(v, v)) if version.rule else None
    return {
        "slug": definition.slug,
        "kind": definition.kind,
        "version": version.number,
        "name": version.name,
        "achievementType": version.achievement_type,
        "achievementId": version.achievement_id,
        "creditsAvailable": _number(version.credits_available),
        "ects": _number(version.ects),
        "eqfLevel": version.eqf_level,
        "awarded": version.is_awarded,
        "rule": rule,
        "components": [slugs[i] for i in rules.achievement_ids(version.rule) if i in slugs],
    }


def _json(data: Any, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data, indent=2), status=status,
                            content_type="application/json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalogue(request: HttpRequest, inst_slug: str) -> HttpResponse:
    try:
        inst = services.public_institution(inst_slug)
    except NotFound as exc:
        return _json({"code": exc.code, "message": exc.message}, status=404)
    versions = services.catalogue(inst)
    slugs = {v.definition_id: v.definition.slug for v in versions}
    return _json({
        "institution": {"slug": inst.slug, "name": inst.name,
                        "id": inst.did},
        "achievements": [entry(v, slugs) for v in versions],
    })
