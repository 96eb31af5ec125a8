"""An AchievementVersion as an OB 3.0 Achievement (through the core's builders).

`achievement_builder(version)` gives the core's `Achievement` object, which the issuing code
passes to `OpenBadgeCredential`; `achievement_document(version)` is its JSON-LD dict, served at
the version's public URL; `achievement_contexts(version)` is the `@context` a credential
embedding it needs (the EU extension context whenever EU elements are present).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from microdegree.vc import builders as b
from microdegree.vc.builders import EU_TERMS, OB_CONTEXTS
from microdegree.vc.claims import scheme_description
from microdegree.vc.contexts import OB_EXTENSIONS_CONTEXT

if TYPE_CHECKING:
    from microdegree.catalog.models import AchievementVersion, Competency
    from microdegree.institutions.models import Institution

FRAMEWORK_NAMES = {"esco": "ESCO", "onet": "O*NET"}


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def image_url(version: AchievementVersion) -> str:
    """The uploaded image (PNG or SVG) if there is one, else the generated SVG badge."""
    suffix = "png" if version.image and version.image.name.endswith(".png") else "svg"
    return f"{version.achievement_id}/image.{suffix}"


def image_path(version: AchievementVersion) -> str:
    """`image_url` as a path on this site (for <img> on our own pages, whatever PUBLIC_URL)."""
    suffix = "png" if version.image and version.image.name.endswith(".png") else "svg"
    return f"{version.path}/image.{suffix}"


def badge_of(achievement_id: str, issuer_id: str) -> str:
    """The badge image path of one of this platform's achievements, named by its `id` in a
    credential issued by the achievement's own institution; "" for anything else (another
    issuer's credential naming our achievement gets no picture of ours)."""
    from microdegree.catalog.models import AchievementVersion

    prefix = f"{settings.PUBLIC_URL}/achievements/"
    if not achievement_id.startswith(prefix):
        return ""
    parts = achievement_id[len(prefix):].split("/")
    if len(parts) != 3 or not parts[2].startswith("v") or not parts[2][1:].isdigit():
        return ""
    version = (AchievementVersion.objects.select_related("definition__institution")
               .filter(definition__institution__slug=parts[0], definition__slug=parts[1],
                       number=int(parts[2][1:])).first())
    if version is None or version.definition.institution.did != issuer_id:
        return ""
    return image_path(version)


def competency_url(competency: Competency) -> str:
    return f"{settings.PUBLIC_URL}/competencies/{competency.institution.slug}/{competency.pk}"


def issuer_profile(institution: Institution) -> b.Profile:
    """The institution as an OB Profile (creator of its achievements, issuer of credentials)."""
    return b.Profile(
        id=institution.did,
        name=institution.name,
        url=institution.url or None,
        email=institution.email or None,
        description=institution.description or None,
        address=b.Address(
            address_country_code=institution.country_code,
            address_region=institution.region or None,
            address_locality=institution.locality or None,
        ),
    )


def competency_alignment(competency: Competency) -> b.Alignment:
    framework = competency.framework_name or FRAMEWORK_NAMES.get(competency.framework)
    if framework is None and competency.framework == "own":
        framework = competency.institution.name
    return b.Alignment(
        target_name=competency.name,
        target_url=competency.target_url or competency_url(competency),
        target_code=competency.code or None,
        target_description=competency.description or None,
        target_framework=framework,
        target_type="ceasn:Competency",
    )


def _eu(version: AchievementVersion) -> b.EUMicroCredential:
    qa = version.quality_assurance or version.definition.institution.quality_assurance
    return b.EUMicroCredential(
        ects=_number(version.ects),
        workload_hours=_number(version.workload_hours),
        participation_type=version.participation_form or None,
        assessment_type=version.assessment_type or None,
        supervision_type=version.supervision or None,
        identity_checked=version.identity_checked if version.supervision else None,
        quality_assurance=[qa] if qa else [],
        prerequisites=version.prerequisites or None,
        integration=version.stackability or None,
        learning_outcomes=list(version.learning_outcomes or []),
        eqf_level=version.eqf_level,
        nqf_level=version.nqf_level or None,
        grading_scheme=version.grade_scheme or None,
        instruction_language=[version.language] if version.language else [],
        further_information=version.further_info_url or None,
    )


def achievement_builder(version: AchievementVersion) -> b.Achievement:
    achievement_id = version.achievement_id
    results = []
    if version.grade_scheme:
        limits = scheme_description(version.grade_scheme)  # docs/adr/0031
        results.append(b.ResultDescription(
            id=f"{achievement_id}#grade", name=version.grade_scheme, result_type="Result",
            allowed_value=limits.get("allowedValue", ()),
            required_value=limits.get("requiredValue"),
            value_min=limits.get("valueMin"), value_max=limits.get("valueMax"),
        ))
    competencies = sorted(version.competencies.all(), key=lambda c: (c.name, c.pk))
    return b.Achievement(
        id=achievement_id,
        name=version.name,
        description=version.description,
        criteria=b.Criteria(id=version.criteria_url or None,
                            narrative=version.criteria_narrative or None),
        achievement_type=version.achievement_type,
        alignment=[competency_alignment(c) for c in competencies],
        creator=issuer_profile(version.definition.institution),
        credits_available=_number(version.credits_available),
        field_of_study=version.field_of_study or None,
        human_code=version.human_code or None,
        tag=list(version.tags or []),
        image=b.Image(id=image_url(version), caption=version.name),
        in_language=version.language or None,
        result_description=results,
        version=str(version.number),
        eu=_eu(version),
    )


def achievement_document(version: AchievementVersion) -> dict[str, Any]:
    """The Achievement JSON (no @context: see `achievement_contexts`)."""
    return achievement_builder(version).to_dict()


def _contexts(document: dict[str, Any], *,
              extensions: bool = False) -> list[str | dict[str, Any]]:
    contexts: list[str | dict[str, Any]] = list(OB_CONTEXTS)
    if extensions:
        contexts.append(OB_EXTENSIONS_CONTEXT)
    if EU_TERMS & set(document):
        contexts.append(b.eu_context())  # embedded: ADR 0011
    return contexts


def achievement_contexts(version: AchievementVersion, *,
                         credential_schema: bool = True) -> list[str | dict[str, Any]]:
    """The `@context` list of an OB credential embedding this Achievement.

    Our credentials carry a `credentialSchema` of type 1EdTechJsonSchemaValidator2019, which
    only `extensions.json` defines (STANDARDS §0); pass `credential_schema=False` without one.
    """
    return _contexts(achievement_document(version), extensions=credential_schema)


def achievement_jsonld(version: AchievementVersion) -> dict[str, Any]:
    """The Achievement as a standalone JSON-LD document (what its public URL serves)."""
    document = achievement_document(version)
    return {"@context": _contexts(document), **document}
