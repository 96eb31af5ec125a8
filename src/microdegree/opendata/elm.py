"""European Learning Model (ELM 3) JSON-LD for microcredential definitions.

Each definition is an `elm:LearningOpportunity` (the offer: provider, cost, duration, homepage)
whose `learningAchievementSpecification` is an `elm:LearningAchievementSpecification` (or an
`elm:Qualification` for a microdegree) carrying the EU micro-credential elements that belong to
a definition: title, awarding body and its country, learning outcomes, workload (ECTS credit
points and volume of learning), EQF level, type of assessment, form of participation and
quality assurance, with the optional ones when stated. The learner and the date of issuing
belong to an issued credential, not to a definition. Codes use the EU vocabularies
(data.europa.eu/snb, publications.europa.eu authority tables) as absolute IRIs.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation

from microdegree.catalog.models import AchievementVersion, Competency
from microdegree.institutions.models import Institution
from microdegree.opendata import public

CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
ECTS = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
AUTHORITY = "http://publications.europa.eu/resource/authority"
SNB = "http://data.europa.eu/snb"

# ISO 3166 alpha-2 → the EU country authority table (alpha-3): EU/EEA and frequent others.
COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "HR": "HRV", "CY": "CYP", "CZ": "CZE", "DK": "DNK",
    "EE": "EST", "FI": "FIN", "FR": "FRA", "DE": "DEU", "GR": "GRC", "HU": "HUN", "IE": "IRL",
    "IT": "ITA", "LV": "LVA", "LT": "LTU", "LU": "LUX", "MT": "MLT", "NL": "NLD", "PL": "POL",
    "PT": "PRT", "RO": "ROU", "SK": "SVK", "SI": "SVN", "ES": "ESP", "SE": "SWE", "IS": "ISL",
    "LI": "LIE", "NO": "NOR", "CH": "CHE", "GB": "GBR", "US": "USA", "CA": "CAN", "AU": "AUS",
    "UA": "UKR", "TR": "TUR", "RS": "SRB", "IN": "IND", "CN": "CHN", "JP": "JPN", "BR": "BRA",
}
# ISO 639-1 → the EU language authority table.
LANGUAGES = {
    "bg": "BUL", "cs": "CES", "da": "DAN", "de": "DEU", "el": "ELL", "en": "ENG", "es": "SPA",
    "et": "EST", "fi": "FIN", "fr": "FRA", "ga": "GLE", "hr": "HRV", "hu": "HUN", "it": "ITA",
    "lt": "LIT", "lv": "LAV", "mt": "MLT", "nl": "NLD", "pl": "POL", "pt": "POR", "ro": "RON",
    "sk": "SLK", "sl": "SLV", "sv": "SWE", "no": "NOR", "is": "ISL", "uk": "UKR", "tr": "TUR",
}
# Our (EU Recommendation) vocabulary → ELM concept IRIs; the label is always kept too.
PARTICIPATION = f"{SNB}/learning-setting"
ASSESSMENT = f"{SNB}/assessment"
SUPERVISION = f"{SNB}/supervision-verification"


def concept(iri: str, label: str, scheme: str, language: str) -> dict[str, Any]:
    """A concept labelled in the document's language (our choice labels are translatable, so a
    German specification reads "Vor Ort", whatever language the request asked in)."""
    with translation.override(language):
        label = str(label)
    return {"@id": iri, "@type": "Concept", "prefLabel": {language: label},
            "inScheme": {"@id": scheme, "@type": "ConceptScheme"}}


def _slug(value: str) -> str:
    return "-".join(value.lower().replace(":", " ").split())


def country(code: str) -> str:
    code = code.upper()
    return f"{AUTHORITY}/country/{COUNTRIES.get(code, code)}"


def language_iri(tag: str) -> str:
    base = tag.split("-")[0].lower()
    return f"{AUTHORITY}/language/{LANGUAGES.get(base, base.upper())}"


def organisation(inst: Institution, language: str) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@id": inst.did,
        "@type": "Organisation",
        "legalName": {language: inst.name},
        "location": [{
            "@id": f"{public.absolute('/issuers/' + inst.slug)}#location",
            "@type": "Location",
            "address": [{
                "@id": f"{public.absolute('/issuers/' + inst.slug)}#address",
                "@type": "Address",
                "countryCode": concept(country(inst.country_code), inst.country_code,
                                       f"{AUTHORITY}/country", language),
            }],
        }],
    }
    if inst.url:
        doc["homepage"] = [{"@id": inst.url, "@type": "WebResource"}]
    return doc


def _note(text: str, language: str) -> dict[str, Any]:
    return {"@type": "Note", "noteLiteral": {language: text}}


def specification(version: AchievementVersion, part_of: list[str]) -> dict[str, Any]:
    inst = version.definition.institution
    lang = version.language
    spec_id = version.achievement_id
    outcomes = version.learning_outcomes or [version.criteria_narrative]
    doc: dict[str, Any] = {
        "@id": spec_id,
        "@type": "Qualification" if version.definition.is_microdegree
        else "LearningAchievementSpecification",
        "title": {lang: version.name},
        "description": {lang: version.description},
        "language": [concept(language_iri(lang), lang, f"{AUTHORITY}/language", lang)],
        "learningOutcome": [
            {"@id": f"{spec_id}#outcome-{n}", "@type": "LearningOutcome",
             "title": {lang: text}}
            for n, text in enumerate(outcomes, 1)
        ],
        "learningOutcomeSummary": _note("; ".join(outcomes), lang),
        "awardingOpportunity": [{
            "@id": f"{spec_id}#awarding",
            "@type": "AwardingOpportunity",
            "awardingBody": [organisation(inst, lang)],
            "location": [{"@id": f"{public.absolute('/issuers/' + inst.slug)}#location",
                          "@type": "Location"}],
        }],
    }
    if version.ects is not None:
        doc["creditPoint"] = [{"@type": "CreditPoint", "point": f"{version.ects:g}",
                               "framework": concept(ECTS, "ECTS",
                                                    f"{SNB}/education-credit", lang)}]
    if version.workload_hours is not None:
        doc["volumeOfLearning"] = f"PT{version.workload_hours:g}H"
    if version.eqf_level:
        doc["eqfLevel"] = concept(f"{SNB}/eqf/{version.eqf_level}",
                                  f"Level {version.eqf_level}", f"{SNB}/eqf/25831c2", lang)
    if version.participation_form:
        doc["mode"] = [concept(f"{PARTICIPATION}/{_slug(version.participation_form)}",
                               version.get_participation_form_display(), PARTICIPATION, lang)]
    if version.assessment_type or version.supervision:
        assessment: dict[str, Any] = {
            "@id": f"{spec_id}#assessment", "@type": "LearningAssessmentSpecification",
            "title": {lang: f"Assessment of {version.name}"},
        }
        if version.assessment_type:
            assessment["dcType"] = concept(f"{ASSESSMENT}/{_slug(version.assessment_type)}",
                                           version.get_assessment_type_display(), ASSESSMENT,
                                           lang)
        if version.supervision:
            assessment["idVerification"] = concept(
                f"{SUPERVISION}/{_slug(version.supervision)}", version.get_supervision_display(),
                SUPERVISION, lang)
        if version.grade_scheme:
            assessment["gradingScheme"] = {"@id": f"{spec_id}#grading",
                                           "@type": "GradingScheme",
                                           "title": {lang: version.grade_scheme}}
        doc["provenBy"] = [assessment]
    qa = version.quality_assurance or inst.quality_assurance
    if qa:
        doc["accreditation"] = [{"@id": f"{spec_id}#quality-assurance",
                                 "@type": "Accreditation", "title": {lang: qa},
                                 "organisation": {"@id": inst.did}}]
    if version.prerequisites:
        doc["entryRequirement"] = _note(version.prerequisites, lang)
    if part_of:
        doc["isPartOf"] = part_of
    if version.further_info_url:
        doc["supplementaryDocument"] = [{"@id": version.further_info_url,
                                         "@type": "WebResource"}]
    competencies: list[Competency] = list(version.competencies.all())
    esco = [c.target_url for c in competencies if c.target_url and "esco" in c.target_url]
    if esco:
        doc["relatedESCOSkill"] = esco
    if version.field_of_study:
        doc["additionalNote"] = [_note(f"Field of study: {version.field_of_study}", lang)]
    return doc


def opportunity(version: AchievementVersion, part_of: list[str]) -> dict[str, Any]:
    """The offer of one definition, with its specification inside."""
    inst = version.definition.institution
    lang = version.language
    doc: dict[str, Any] = {
        "@id": f"{version.achievement_id}#opportunity",
        "@type": "LearningOpportunity",
        "title": {lang: version.name},
        "learningAchievementSpecification": specification(version, part_of),
        "providedBy": {"@id": inst.did},
        "homepage": [{"@id": public.absolute(
            f"/achievements/{inst.slug}/{version.definition.slug}"), "@type": "WebResource"}],
    }
    if version.duration_weeks:
        doc["duration"] = version.duration_iso
    if version.cost_amount is not None:
        price: dict[str, Any] = {"@type": "PriceDetail",
                                 "prefLabel": {lang: "Free" if version.is_free else "Fee"}}
        if version.cost_currency:
            price["amount"] = {"@type": "Amount", "value": version.cost_amount,
                               "unit": concept(f"{AUTHORITY}/currency/{version.cost_currency}",
                                               version.cost_currency,
                                               f"{AUTHORITY}/currency", lang)}
        else:
            price["amount"] = {"@type": "Amount", "value": 0}
        doc["priceDetail"] = [price]
    return doc


def document(versions: list[AchievementVersion],
             part_of: dict[int, list[str]]) -> dict[str, Any]:
    return {"@context": CONTEXT,
            "@graph": [opportunity(v, part_of.get(v.pk, [])) for v in versions]}
