"""Credential Engine CTDL JSON-LD for the open catalogue.

Classes (why these, see docs/adr/0008-open-catalogue.md): a microcredential definition is the
CTDL class matching its OB achievement type (`ceterms:MicroCredential` by default); a microdegree
is a `ceterms:AcademicCertificate` (a sub-degree, credit-bearing award of an educational
institution, earned by completing its parts: `ceterms:requires` names them); an institution is
a `ceterms:CredentialOrganization`; a degree program a `ceterms:LearningProgram`; a recognition
agreement a `ceterms:TransferValueProfile`. Texts are language maps, references are the
resources' `@id`s (this platform's stable URLs for them), and every resource has a `ctid`.
"""

from __future__ import annotations

from typing import Any

from microdegree.catalog.models import AchievementVersion
from microdegree.institutions.models import Institution
from microdegree.opendata import public
from microdegree.recognition.models import Program, RecognitionAgreement

CONTEXT = "https://credreg.net/ctdl/schema/context/json"
PLATFORM_LANGUAGE = "en"
ECTS = "ects"  # recognition.models.CreditUnit values


# OB achievementType → the CTDL credential class (the Registry rejects plain ceterms:Credential).
CLASSES = {
    "MicroCredential": "ceterms:MicroCredential",
    "Badge": "ceterms:DigitalBadge",
    "Certificate": "ceterms:Certificate",
    "CertificateOfCompletion": "ceterms:CertificateOfCompletion",
    "Certification": "ceterms:Certification",
    "MasterCertificate": "ceterms:MasterCertificate",  # both: a master craftsman's certificate
    "Degree": "ceterms:Degree",
    "Diploma": "ceterms:Diploma",
}
MICRODEGREE_CLASS = "ceterms:AcademicCertificate"
DEFAULT_CLASS = "ceterms:MicroCredential"

DELIVERY: dict[str, tuple[str, str]] = {
    "online": ("deliveryType:OnlineOnly", "Online Only"),
    "onsite": ("deliveryType:InPerson", "In Person Only"),
    "blended": ("deliveryType:BlendedDelivery", "Blended Delivery"),
}
CREDIT_UNITS: dict[str, tuple[str, str]] = {
    ECTS: ("creditUnit:DegreeCredit", "ECTS credits"),
    "us-credit-hour": ("creditUnit:SemesterHour", "US semester credit hours"),
}


def resource_id(ctid: str) -> str:
    """The stable address of one CTDL resource on this platform (it serves that resource)."""
    return public.absolute(f"/open-data/ctdl/{ctid}")


def text(value: str, language: str = PLATFORM_LANGUAGE) -> dict[str, str]:
    return {language: value}


def alignment(framework: str, framework_name: str, node: str, node_name: str,
              ) -> dict[str, Any]:
    return {
        "@type": "ceterms:CredentialAlignmentObject",
        "ceterms:framework": framework,
        "ceterms:frameworkName": text(framework_name),
        "ceterms:targetNode": node,
        "ceterms:targetNodeName": text(node_name),
    }


def status_active() -> dict[str, Any]:
    return alignment("https://credreg.net/ctdl/terms/CredentialStatus", "Credential Status",
                     "credentialStat:Active", "Active")


def lifecycle_active() -> dict[str, Any]:
    return alignment("https://credreg.net/ctdl/terms/LifeCycleStatus", "Life Cycle Status",
                     "lifeCycle:Active", "Active")


def credit_value(amount: float, unit: str, language: str = PLATFORM_LANGUAGE,
                 ) -> dict[str, Any]:
    node, label = CREDIT_UNITS.get(unit, CREDIT_UNITS[ECTS])
    return {
        "@type": "ceterms:ValueProfile",
        "schema:value": amount,
        "ceterms:creditUnitType": [alignment("https://credreg.net/ctdl/terms/CreditUnit",
                                             "Credit Unit", node, label)],
        "ceterms:creditUnitTypeDescription": text(label, language),
    }


def organization(inst: Institution) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@id": resource_id(public.institution_ctid(inst)),
        "@type": "ceterms:CredentialOrganization",
        "ceterms:ctid": public.institution_ctid(inst),
        "ceterms:name": text(inst.name),
        "ceterms:description": text(inst.description or inst.name),
        "ceterms:subjectWebpage": inst.url or public.institution_page(inst),
        "ceterms:sameAs": [inst.did],
        "ceterms:lifeCycleStatusType": lifecycle_active(),
        "ceterms:address": [{
            "@type": "ceterms:Place",
            "ceterms:addressCountry": text(inst.country_code),
            **({"ceterms:addressRegion": text(inst.region)} if inst.region else {}),
            **({"ceterms:addressLocality": text(inst.locality)} if inst.locality else {}),
        }],
    }
    if inst.email:
        doc["ceterms:email"] = [inst.email]
    return doc


def credential_class(version: AchievementVersion) -> str:
    if version.definition.is_microdegree:
        return MICRODEGREE_CLASS
    return CLASSES.get(version.achievement_type, DEFAULT_CLASS)


def credential(version: AchievementVersion, component_ids: list[str]) -> dict[str, Any]:
    """One microcredential or microdegree definition (its latest version)."""
    inst = version.definition.institution
    lang = version.language
    ctid = public.definition_ctid(version)
    owner = resource_id(public.institution_ctid(inst))
    doc: dict[str, Any] = {
        "@id": resource_id(ctid),
        "@type": credential_class(version),
        "ceterms:ctid": ctid,
        "ceterms:name": text(version.name, lang),
        "ceterms:description": text(version.description, lang),
        "ceterms:subjectWebpage": public.absolute(
            f"/achievements/{inst.slug}/{version.definition.slug}"),
        "ceterms:credentialStatusType": status_active(),
        "ceterms:inLanguage": [lang],
        "ceterms:ownedBy": [owner],
        "ceterms:offeredBy": [owner],
    }
    if version.ects is not None:
        doc["ceterms:creditValue"] = [credit_value(version.ects, ECTS, lang)]
    if version.duration_weeks:
        doc["ceterms:estimatedDuration"] = [{"@type": "ceterms:DurationProfile",
                                             "ceterms:exactDuration": version.duration_iso}]
    if version.cost_amount is not None:
        doc["ceterms:estimatedCost"] = [cost(version)]
    if version.participation_form in DELIVERY:
        node, label = DELIVERY[version.participation_form]
        doc["ceterms:learningDeliveryType"] = [alignment(
            "https://credreg.net/ctdl/terms/Delivery", "Delivery Type", node, label)]
    if version.eqf_level:
        doc["ceterms:audienceLevelType"] = [alignment(
            "http://data.europa.eu/snb/eqf/25831c2", "European Qualifications Framework",
            f"http://data.europa.eu/snb/eqf/{version.eqf_level}",
            f"EQF level {version.eqf_level}")]
    if version.tags:
        doc["ceterms:keyword"] = {lang: list(version.tags)}
    if component_ids:
        doc["ceterms:hasPart"] = component_ids
        doc["ceterms:requires"] = [{
            "@type": "ceterms:ConditionProfile",
            "ceterms:description": text("Earn the microcredentials of this pathway "
                                        "(see its award rule).", lang),
            "ceterms:targetCredential": component_ids,
        }]
    return doc


def cost(version: AchievementVersion) -> dict[str, Any]:
    lang = version.language
    profile: dict[str, Any] = {
        "@type": "ceterms:CostProfile",
        "ceterms:description": text("Free of charge" if version.is_free else
                                    "Cost for a learner", lang),
        "ceterms:price": version.cost_amount,
        "ceterms:directCostType": [alignment("https://credreg.net/ctdl/terms/CostType",
                                             "Cost Type", "costType:AggregateCost",
                                             "Aggregate Cost")],
    }
    if version.cost_currency:
        profile["ceterms:currency"] = version.cost_currency
    return profile


def learning_program(prog: Program) -> dict[str, Any]:
    ctid = public.program_ctid(prog)
    owner = resource_id(public.institution_ctid(prog.institution))
    doc: dict[str, Any] = {
        "@id": resource_id(ctid),
        "@type": "ceterms:LearningProgram",
        "ceterms:ctid": ctid,
        "ceterms:name": text(prog.name),
        "ceterms:description": text(prog.description or prog.name),
        "ceterms:subjectWebpage": public.program_page(prog),
        "ceterms:lifeCycleStatusType": lifecycle_active(),
        "ceterms:ownedBy": [owner],
        "ceterms:offeredBy": [owner],
        "ceterms:creditValue": [credit_value(prog.total_credits, prog.credit_unit)],
        "ceterms:estimatedDuration": [{"@type": "ceterms:DurationProfile",
                                       "ceterms:exactDuration": f"P{prog.duration_months}M"}],
    }
    if prog.eqf_level:
        doc["ceterms:audienceLevelType"] = [alignment(
            "http://data.europa.eu/snb/eqf/25831c2", "European Qualifications Framework",
            f"http://data.europa.eu/snb/eqf/{prog.eqf_level}", f"EQF level {prog.eqf_level}")]
    return doc


def transfer_value(agr: RecognitionAgreement, ids_by_achievement: dict[str, str],
                   ) -> dict[str, Any]:
    """A recognition agreement. `ids_by_achievement` maps this platform's achievement URLs
    (any version) to their CTDL resource ids; other issuers' achievements keep their own id."""
    prog = agr.program
    ctid = public.agreement_ctid(agr)
    if agr.value_kind == RecognitionAgreement.ValueKind.FIXED:
        value = credit_value(agr.value_credits or 0, prog.credit_unit)
    else:
        value = credit_value(0, prog.credit_unit)
        value["schema:description"] = text(
            f"The credits earned times {agr.value_factor:g}, in the program's unit")
        del value["schema:value"]
    doc: dict[str, Any] = {
        "@id": resource_id(ctid),
        "@type": "ceterms:TransferValueProfile",
        "ceterms:ctid": ctid,
        "ceterms:name": text(agr.name),
        "ceterms:description": text(describe(agr)),
        "ceterms:subjectWebpage": public.agreement_page(agr),
        "ceterms:lifeCycleStatusType": lifecycle_active(),
        "ceterms:ownedBy": [resource_id(public.institution_ctid(prog.institution))],
        "ceterms:transferValue": [value],
        "ceterms:transferValueFor": [resource_id(public.program_ctid(prog))],
    }
    sources = [ids_by_achievement.get(item.get("achievement", ""), item.get("achievement"))
               for item in agr.named_achievements if isinstance(item, dict)]
    sources = [s for s in sources if isinstance(s, str) and ":" in s]
    if sources:
        doc["ceterms:transferValueFrom"] = sources
    if agr.valid_from:
        doc["ceterms:startDate"] = agr.valid_from.isoformat()
    if agr.valid_until:
        doc["ceterms:endDate"] = agr.valid_until.isoformat()
    return doc


def describe(agr: RecognitionAgreement) -> str:
    """A sentence for people: what counts, for how much, on which conditions."""
    unit = CREDIT_UNITS.get(agr.program.credit_unit, CREDIT_UNITS[ECTS])[1]
    if agr.value_kind == RecognitionAgreement.ValueKind.FIXED:
        value = f"{agr.value_credits or 0:g} {unit}"
    else:
        value = f"the credits earned times {agr.value_factor or 0:g} ({unit})"
    if agr.source_kind == RecognitionAgreement.SourceKind.NAMED:
        names = [str(i.get("name") or i.get("achievement")) for i in agr.named_achievements
                 if isinstance(i, dict)]
        source = ", ".join(names) or "the named achievements"
        verb = "counts" if len(names) == 1 else "count"
    else:
        source, verb = "credentials that meet the agreement's criteria", "count"
    sentence = f"{source} {verb} for {value} toward {agr.program.name}."
    if agr.conditions:
        sentence += f" Conditions: {agr.conditions}"
    return sentence[0].upper() + sentence[1:]


def graph(versions: list[AchievementVersion], institutions: list[Institution],
          programs: list[Program], agreements: list[RecognitionAgreement],
          component_urls: dict[int, list[str]]) -> dict[str, Any]:
    """The whole public catalogue as one CTDL document (`@graph`)."""
    ids = {}
    for v in versions:
        rid = resource_id(public.definition_ctid(v))
        d = v.definition
        ids[public.absolute(f"/achievements/{d.institution.slug}/{d.slug}")] = rid
        for n in range(1, v.number + 1):
            ids[public.absolute(f"/achievements/{d.institution.slug}/{d.slug}/v{n}")] = rid
    nodes: list[dict[str, Any]] = [organization(i) for i in institutions]
    nodes += [credential(v, [ids.get(u, u) for u in component_urls.get(v.pk, [])])
              for v in versions]
    nodes += [learning_program(p) for p in programs]
    nodes += [transfer_value(a, ids) for a in agreements]
    return {"@context": CONTEXT, "@graph": nodes}
