"""The Achievement JSON-LD: OB fields, EU elements, and a credential embedding it validates."""

from __future__ import annotations

import pytest

from microdegree.catalog import services
from microdegree.catalog.achievement import (
    achievement_builder,
    achievement_contexts,
    issuer_profile,
)
from microdegree.vc import builders, jsonld, schema
from microdegree.vc.contexts import is_bundled

pytestmark = pytest.mark.django_db

SUBJECT = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.fixture
def full_version(institution, issuer, make_definition):
    esco = services.create_competency(
        issuer, institution, name="Use spreadsheets", framework="esco",
        target_url="http://data.europa.eu/esco/skill/1973c966", code="S5.6.1",
    )
    own = services.create_competency(issuer, institution, name="Question a data source")
    return make_definition(
        "Data Literacy", human_code="DL-101", field_of_study="Data science", language="en",
        tags=["data", "literacy"], learning_outcomes=["Read a chart", "Question a source"],
        competencies=[esco, own], workload_hours=140, ects=5, credits_available=5, eqf_level=6,
        nqf_level="NLQF 6", assessment_type="testing", participation_form="online",
        quality_assurance="Accredited by NVAO", prerequisites="Secondary school mathematics",
        supervision="supervised online", identity_checked=True, grade_scheme="1-10, 5.5 to pass",
        stackability="stackable", further_info_url="https://uni.example/dl",
        criteria_url="https://uni.example/dl/criteria", validity_months=36,
    )


def test_achievement_has_the_ob_and_eu_fields(full_version, institution):
    doc = full_version.to_achievement()
    assert doc["id"] == "http://localhost:8000/achievements/example-uni/data-literacy/v1"
    assert doc["type"] == ["Achievement"]
    assert doc["achievementType"] == "MicroCredential"
    assert doc["criteria"] == {"id": "https://uni.example/dl/criteria",
                               "narrative": "Pass the final assessment."}
    assert doc["creditsAvailable"] == 5
    assert doc["humanCode"] == "DL-101"
    assert doc["inLanguage"] == "en"
    assert doc["version"] == "1"
    assert doc["tag"] == ["data", "literacy"]
    assert doc["image"] == {"id": f"{doc['id']}/image.svg", "type": "Image",
                            "caption": "Data Literacy"}
    assert doc["creator"]["id"] == institution.did
    assert doc["creator"]["address"]["addressCountryCode"] == "NL"
    by_name = {a["targetName"]: a for a in doc["alignment"]}
    assert by_name["EQF level 6"]["targetUrl"] == "http://data.europa.eu/snb/eqf/6"
    assert by_name["Use spreadsheets"]["targetFramework"] == "ESCO"
    assert by_name["Use spreadsheets"]["targetCode"] == "S5.6.1"
    own = by_name["Question a data source"]
    assert own["targetUrl"].startswith("http://localhost:8000/competencies/example-uni/")
    assert own["targetType"] == "ceasn:Competency"
    assert doc["resultDescription"][0]["name"] == "1-10, 5.5 to pass"
    # EU micro-credential elements through the extension context
    assert doc["ECTS"] == 5
    assert doc["workloadHours"] == 140
    assert doc["eqfLevel"] == 6
    assert doc["nqfLevel"] == "NLQF 6"
    assert doc["assessmentType"] == "testing"
    assert doc["participationType"] == "online"
    assert doc["supervisionType"] == "supervised online"
    assert doc["identityChecked"] is True
    assert doc["qualityAssurance"] == ["Accredited by NVAO"]
    assert doc["learningOutcome"] == ["Read a chart", "Question a source"]
    assert doc["integration"] == "stackable"
    assert achievement_contexts(full_version) == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        builders.eu_context(),  # embedded (ADR 0011)
    ]


def _credential(version):
    return builders.OpenBadgeCredential(
        issuer=issuer_profile(version.definition.institution),
        achievement=achievement_builder(version),
        subject_id=SUBJECT,
        valid_from="2026-11-28T00:00:00Z",
        credits_earned=5,
    ).to_dict()


def test_a_credential_embedding_it_passes_both_schema_flavours(full_version):
    credential = _credential(full_version)
    assert credential["@context"] == achievement_contexts(full_version)
    assert schema.validate(credential, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    assert schema.validate(credential, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) == []


def test_a_credential_embedding_it_canonicalises_with_no_undefined_term(full_version):
    assert is_bundled(builders.EU_CONTEXT)
    nquads = jsonld.canonicalize_general(_credential(full_version))
    assert "https://w3id.org/microdegree/vocab#" in nquads  # the EU terms are real IRIs


def test_a_minimal_definition_also_canonicalises(make_definition):
    version = make_definition(ects=None, credits_available=None)
    credential = _credential(version)
    assert schema.validate(credential, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    jsonld.canonicalize_general(credential)
