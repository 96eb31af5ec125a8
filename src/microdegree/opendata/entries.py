"""Plain JSON entries for the catalogue API and the data dump (one shape for both).

Numbers keep their meaning: credits are ECTS for microcredentials and the program's own unit
for programs and agreements; a cost of 0 is "free", a missing one "not stated".
"""

from __future__ import annotations

from typing import Any

from microdegree.catalog import rules
from microdegree.catalog.models import AchievementDefinition, AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.opendata import public
from microdegree.recognition.models import Program, RecognitionAgreement


def number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def institution(inst: Institution) -> dict[str, Any]:
    return {
        "slug": inst.slug,
        "ctid": public.institution_ctid(inst),
        "name": inst.name,
        "description": inst.description,
        "id": inst.did,
        "url": inst.url,
        "countryCode": inst.country_code,
        "region": inst.region,
        "locality": inst.locality,
        "qualityAssurance": inst.quality_assurance,
    }


def cost(version: AchievementVersion) -> dict[str, Any] | None:
    if version.cost_amount is None:
        return None
    return {"free": version.is_free, "amount": number(version.cost_amount),
            "currency": version.cost_currency or None}


def achievement(version: AchievementVersion, components: list[str] | None = None,
                ) -> dict[str, Any]:
    definition = version.definition
    return {
        "achievementId": version.achievement_id,
        "ctid": public.definition_ctid(version),
        "institution": definition.institution.slug,
        "slug": definition.slug,
        "kind": definition.kind,
        "version": version.number,
        "name": version.name,
        "description": version.description,
        "achievementType": version.achievement_type,
        "language": version.language,
        "eqfLevel": version.eqf_level,
        "nqfLevel": version.nqf_level or None,
        "ects": number(version.ects),
        "creditsAvailable": number(version.credits_available),
        "workloadHours": number(version.workload_hours),
        "fieldOfStudy": version.field_of_study or None,
        "participationForm": version.participation_form or None,
        "assessmentType": version.assessment_type or None,
        "learningOutcomes": version.learning_outcomes,
        "cost": cost(version),
        "durationWeeks": version.duration_weeks,
        "duration": version.duration_iso or None,
        "components": components if components is not None else component_urls(version),
        "url": version.achievement_id,
    }


def component_urls(version: AchievementVersion) -> list[str]:
    """A microdegree's parts, as the stable (latest-version) addresses of their definitions."""
    return components_of([version]).get(version.pk, [])


def components_of(versions: list[AchievementVersion]) -> dict[int, list[str]]:
    """The parts of every microdegree among `versions` (one query for all of them)."""
    wanted = {v.pk: rules.achievement_ids(v.rule) for v in versions if v.rule}
    if not wanted:
        return {}
    ids = {i for parts in wanted.values() for i in parts}
    found = {d.pk: d for d in AchievementDefinition.objects.filter(pk__in=ids)
             .select_related("institution")}
    return {pk: [public.absolute(f"/achievements/{found[i].institution.slug}/{found[i].slug}")
                 for i in parts if i in found] for pk, parts in wanted.items()}


def achievements(versions: list[AchievementVersion]) -> list[dict[str, Any]]:
    parts = components_of(versions)
    return [achievement(v, parts.get(v.pk, [])) for v in versions]


def program(prog: Program) -> dict[str, Any]:
    return {
        "ctid": public.program_ctid(prog),
        "institution": prog.institution.slug,
        "slug": prog.slug,
        "name": prog.name,
        "description": prog.description,
        "url": public.program_page(prog),
        "fieldOfStudy": prog.field_of_study or None,
        "eqfLevel": prog.eqf_level,
        "creditUnit": prog.credit_unit,
        "ectsPerUsCreditHour": number(prog.ects_per_us_credit_hour),
        "totalCredits": number(prog.total_credits),
        "durationTerms": prog.duration_terms,
        "durationMonths": prog.duration_months,
        "residencyTerms": prog.residency_terms,
        "residencyMonths": prog.residency_months,
        "maxRecognisedFraction": number(prog.max_recognised_fraction),
        "modules": [{"code": m.code, "name": m.name, "credits": number(m.credits)}
                    for m in prog.modules.all()],
    }


def agreement(agr: RecognitionAgreement) -> dict[str, Any]:
    prog = agr.program
    return {
        "ctid": public.agreement_ctid(agr),
        "id": agr.pk,
        "name": agr.name,
        "url": public.agreement_page(agr),
        "institution": prog.institution.slug,
        "program": prog.slug,
        "programCtid": public.program_ctid(prog),
        "creditUnit": prog.credit_unit,
        "source": agr.source_kind,
        "namedAchievements": agr.named_achievements if agr.source_kind == "named" else [],
        # false: each named achievement counts in any of its versions (.../v1 names .../v2)
        "pinVersions": agr.pin_versions,
        "criteria": criteria(agr) if agr.source_kind == "criteria" else None,
        "value": {"kind": agr.value_kind, "credits": number(agr.value_credits),
                  "factor": number(agr.value_factor)},
        "exemptedModules": [m.code for m in agr.exempted_modules.all()],
        "validFrom": agr.valid_from.isoformat() if agr.valid_from else None,
        "validUntil": agr.valid_until.isoformat() if agr.valid_until else None,
        "conditions": agr.conditions,
    }


def criteria(agr: RecognitionAgreement) -> dict[str, Any]:
    return {
        "registry": agr.criteria_registry,
        "achievementType": agr.criteria_achievement_type or None,
        "minEqfLevel": agr.criteria_min_eqf_level,
        "minNqfLevel": agr.criteria_min_nqf_level,
        "minCredits": number(agr.criteria_min_credits),
        "competencies": agr.criteria_competencies,
        "minResult": number(agr.criteria_min_result),
        "maxAgeYears": number(agr.criteria_max_age_years),
    }
