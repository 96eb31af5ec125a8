"""Models → the engine's plain terms (`ProgramTerms`, `AgreementTerms`); the only place that
reads the database on the engine's behalf."""

from __future__ import annotations

from typing import Any

from microdegree.recognition.engine import AgreementTerms, ProgramTerms
from microdegree.recognition.models import Program, RecognitionAgreement


def program_terms(program: Program) -> ProgramTerms:
    return ProgramTerms(
        name=program.name,
        credit_unit=program.credit_unit,
        total_credits=program.total_credits,
        duration_terms=program.duration_terms,
        duration_months=program.duration_months,
        residency_terms=program.residency_terms,
        residency_months=program.residency_months,
        max_recognised_fraction=program.max_recognised_fraction,
        ects_per_us_credit_hour=program.ects_per_us_credit_hour,
        modules={m.code: m.name for m in program.modules.all()},
    )


def _named(items: Any) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            out.append((str(item.get("issuer") or ""), str(item.get("achievement") or "")))
    return tuple(out)


def agreement_terms(agreement: RecognitionAgreement) -> AgreementTerms:
    return AgreementTerms(
        id=agreement.pk,
        name=agreement.name,
        source_kind=agreement.source_kind,
        named=_named(agreement.named_achievements),
        pin_versions=agreement.pin_versions,
        registry=agreement.criteria_registry,
        achievement_type=agreement.criteria_achievement_type,
        min_eqf_level=agreement.criteria_min_eqf_level,
        min_nqf_level=agreement.criteria_min_nqf_level,
        min_credits=agreement.criteria_min_credits,
        competencies=tuple(str(c) for c in agreement.criteria_competencies or ()),
        min_result=agreement.criteria_min_result,
        max_age_years=agreement.criteria_max_age_years,
        value_kind=agreement.value_kind,
        value_credits=agreement.value_credits,
        value_factor=agreement.value_factor,
        exempted_modules=tuple(m.code for m in agreement.exempted_modules.all()),
        valid_from=agreement.valid_from,
        valid_until=agreement.valid_until,
        conditions=agreement.conditions,
    )


def agreements_of(program: Program, *, public_only: bool = False) -> list[AgreementTerms]:
    query = program.agreements.prefetch_related("exempted_modules")
    if public_only:
        query = query.filter(public=True)
    return [agreement_terms(a) for a in query]
