"""The whole public catalogue, gathered once, and the exports made from it (CTDL, ELM, CSV, dump).

Everything here reads; nothing is written. Stable URLs and the licence are in `views.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from microdegree.base.spreadsheet import cell
from microdegree.catalog import rules
from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.opendata import ctdl, elm, entries, public
from microdegree.recognition.models import Program, RecognitionAgreement

CSV_COLUMNS = (
    "achievement_id", "ctid", "institution", "institution_name", "institution_did",
    "institution_country", "slug", "kind", "version", "name", "description",
    "achievement_type", "language", "eqf_level", "nqf_level", "ects", "credits_available",
    "workload_hours", "field_of_study", "participation_form", "assessment_type",
    "cost_free", "cost_amount", "cost_currency", "duration_weeks", "duration_iso",
)


@dataclass
class Catalogue:
    institutions: list[Institution]
    versions: list[AchievementVersion]
    programs: list[Program]
    agreements: list[RecognitionAgreement]
    # microdegree version pk → stable URLs of its parts; part version pk → microdegree ids
    components: dict[int, list[str]] = field(default_factory=dict)
    part_of: dict[int, list[str]] = field(default_factory=dict)


def collect() -> Catalogue:
    versions = list(public.latest_versions().prefetch_related("competencies")
                    .order_by("definition__institution__name", "name", "pk"))
    cat = Catalogue(
        institutions=list(public.institutions().order_by("name", "pk")),
        versions=versions,
        programs=list(public.programs().prefetch_related("modules").order_by("name", "pk")),
        agreements=list(public.agreements().prefetch_related("exempted_modules")
                        .order_by("program__name", "name", "pk")),
    )
    by_definition = {v.definition_id: v for v in versions}
    for v in versions:
        if not v.rule:
            continue
        parts = [by_definition[i] for i in rules.achievement_ids(v.rule) if i in by_definition]
        cat.components[v.pk] = [
            public.absolute(f"/achievements/{p.definition.institution.slug}/{p.definition.slug}")
            for p in parts
        ]
        for p in parts:
            cat.part_of.setdefault(p.pk, []).append(v.achievement_id)
    return cat


def ctdl_graph(cat: Catalogue) -> dict[str, Any]:
    return ctdl.graph(cat.versions, cat.institutions, cat.programs, cat.agreements,
                      cat.components)


def elm_document(cat: Catalogue) -> dict[str, Any]:
    return elm.document(cat.versions, cat.part_of)


def csv_text(cat: Catalogue) -> str:
    """One row per microcredential or microdegree definition (its latest version)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for v in cat.versions:
        inst = v.definition.institution
        writer.writerow([cell(x) for x in (
            v.achievement_id, public.definition_ctid(v), inst.slug, inst.name, inst.did,
            inst.country_code, v.definition.slug, v.definition.kind, v.number, v.name,
            v.description, v.achievement_type, v.language, v.eqf_level, v.nqf_level, v.ects,
            v.credits_available, v.workload_hours, v.field_of_study, v.participation_form,
            v.assessment_type, v.is_free if v.cost_amount is not None else None,
            v.cost_amount, v.cost_currency, v.duration_weeks, v.duration_iso,
        )])
    return out.getvalue()


def dump(cat: Catalogue, links: dict[str, str]) -> dict[str, Any]:
    """Everything public in one JSON document, with its licence in the metadata."""
    return {
        "title": "Microdegree open catalogue: full data dump",
        "license": {"id": public.LICENSE_ID, "name": public.LICENSE_NAME,
                    "url": public.LICENSE_URL},
        "publisher": public.absolute("/"),
        "generatedAt": timezone.now().isoformat(timespec="seconds"),
        "exports": links,
        "institutions": [entries.institution(i) for i in cat.institutions],
        "achievements": [entries.achievement(v, cat.components.get(v.pk, []))
                         for v in cat.versions],
        "programs": [entries.program(p) for p in cat.programs],
        "agreements": [entries.agreement(a) for a in cat.agreements],
    }
