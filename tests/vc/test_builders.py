"""Builders: exact shapes (STANDARDS §0-§2), schema validity, clean JSON-LD, and input errors.

The sample documents here (`full_credential`, `minimal_credential`, …) are also used by
test_schema.py and test_eu_context.py.
"""

from __future__ import annotations

import copy
import hashlib
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pyld import jsonld as pyld

from microdegree.vc import builders as b
from microdegree.vc import jsonld, schema
from microdegree.vc.contexts import (
    CLR_CONTEXT,
    OB_CONTEXT,
    OB_EXTENSIONS_CONTEXT,
    VC_V2_CONTEXT,
    document_loader,
)
from microdegree.vc.errors import BuildError
from microdegree.vc.status import BitstringStatusList, status_entry

ISSUER_DID = "did:web:uni.example"
LEARNER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
VALID_FROM = "2026-01-15T00:00:00Z"
STATUS_URL = "https://uni.example/status/1"
UUID_URN = re.compile(
    r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
)
FAKE_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2026-01-15T00:00:00Z",
    "verificationMethod": f"{ISSUER_DID}#key-0",
    "proofPurpose": "assertionMethod",
    "proofValue": "z" + "1" * 86,
}


# --- sample documents -------------------------------------------------------------------------


def issuer_profile() -> b.Profile:
    return b.Profile(
        id=ISSUER_DID,
        name="Example University",
        url="https://uni.example/",
        phone="+31 30 000 0000",
        email="registrar@uni.example",
        description="A public research university.",
        image=b.Image(id="https://uni.example/logo.png", caption="Logo"),
        address=b.Address(address_country="The Netherlands", address_country_code="NL",
                          address_region="Utrecht", address_locality="Utrecht",
                          street_address="Heidelberglaan 8", postal_code="3584 CS",
                          post_office_box_number="80125"),
        other_identifier=[b.IdentifierEntry(identifier="NL-BRIN-21PD",
                                            identifier_type="ext:BRIN")],
        official="Registrar",
        parent_org=b.Profile(id="https://ministry.example/", name="Ministry"),
    )


def full_achievement(*, eu: bool = True) -> b.Achievement:
    grade = b.ResultDescription(
        id="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0001",
        name="Final grade",
        result_type="ext:DutchGrade",
        allowed_value=["1", "5.5", "10"],
        required_value="5.5",
        value_min="1",
        value_max="10",
        alignment=[b.Alignment(target_name="Grade scale", target_url="https://uni.example/g")],
    )
    rubric = b.ResultDescription(
        id="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0002",
        name="Capstone rubric",
        result_type="RubricCriterionLevel",
        required_level="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0004",
        rubric_criterion_level=[
            b.RubricCriterionLevel(id="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0003",
                                   name="Developing", level="1", points="1",
                                   description="Partly meets the criterion."),
            b.RubricCriterionLevel(id="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0004",
                                   name="Proficient", level="2", points="2"),
        ],
    )
    eu_fields = b.EUMicroCredential(
        ects=5,
        workload_hours=140,
        participation_type="onsite or blended",
        assessment_type="testing",
        supervision_type="onsite with identity verification",
        identity_checked=True,
        quality_assurance=["Internal QA by the Faculty Board", "NVAO accredited institution"],
        prerequisites="A bachelor's degree or equivalent experience.",
        integration="stackable",
        stackable_towards=["https://uni.example/achievements/public-data-microdegree"],
        learning_outcomes=[
            "Reads and questions descriptive statistics in policy documents.",
            b.Alignment(target_name="Data literacy", target_url="http://data.europa.eu/esco/skill/S5.6.1",
                        target_framework="ESCO", target_type="ceasn:Competency"),
        ],
        eqf_level=6,
        nqf_level="6",
        nqf_framework="NLQF",
        nqf_url="https://www.nlqf.nl/nlqf-niveaus/6",
        grading_scheme="Dutch 1-10 scale, 5.5 to pass",
        instruction_language=["en", "nl"],
        further_information="See the programme page.",
    )
    return b.Achievement(
        id="https://uni.example/achievements/data-literacy/v1",
        name="Data Literacy for Public Policy",
        description="Read, question and present quantitative evidence in policy work.",
        criteria=b.Criteria(id="https://uni.example/achievements/data-literacy/criteria",
                            narrative="Pass four module assessments and a capstone."),
        achievement_type="MicroCredential",
        alignment=[b.Alignment(target_name="Statistics", target_url="https://case.example/1",
                               target_code="ST-1", target_description="Basic statistics",
                               target_framework="CASE", target_type="CFItem")],
        creator=b.Profile(id="https://uni.example/faculties/law", name="Faculty of Law"),
        credits_available=5,
        field_of_study="Public administration",
        human_code="DLPP-101",
        specialization="Data",
        tag=["data literacy", "statistics"],
        image="https://uni.example/achievements/data-literacy/badge.png",
        in_language="en",
        other_identifier=[b.IdentifierEntry(identifier="DLPP-101", identifier_type="identifier")],
        related=[b.Related(id="https://uni.example/achievements/data-literacy/v1/nl",
                           in_language="nl", version="1")],
        result_description=[grade, rubric],
        version="1",
        eu=eu_fields if eu else None,
    )


def endorsement(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "issuer": b.Profile(id="https://nvao.example/", name="NVAO (example)"),
        "subject_id": "https://uni.example/achievements/data-literacy/v1",
        "name": "Quality assurance endorsement",
        "endorsement_comment": "Meets the accreditation framework.",
        "credential_id": "urn:uuid:2f8a9c1e-0000-4000-8000-000000000001",
        "valid_from": VALID_FROM,
        "description": "Endorsement by the accreditation body.",
    }
    kwargs.update(overrides)
    return b.endorsement_credential(**kwargs)


def full_credential(*, eu: bool = True) -> dict[str, Any]:
    return b.achievement_credential(
        issuer=issuer_profile(),
        achievement=full_achievement(eu=eu),
        subject_id=LEARNER_DID,
        identifier=[b.hash_identity("ada@example.org", salt="s4lt"),
                    b.plain_identity("Ada Lovelace")],
        credential_id="urn:uuid:5c1b4f0a-5d1e-4b8e-9a43-0f1d2f6b9a01",
        valid_from=VALID_FROM,
        valid_until="2031-01-15T00:00:00Z",
        awarded_date="2025-12-20T00:00:00Z",
        name="Data Literacy for Public Policy",
        description="Awarded for completing the microcredential.",
        image=b.Image(id="https://uni.example/achievements/data-literacy/badge.png"),
        credits_earned=5,
        result=[
            b.Result(result_description="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0001",
                     value="8.5", status="Completed"),
            b.Result(result_description="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0002",
                     achieved_level="urn:uuid:7c0e1f7e-4e5d-4b0a-9c1c-2f1c7e8a0004",
                     alignment=[b.Alignment(target_name="Data audit",
                                            target_url="https://uni.example/skills/audit")]),
        ],
        narrative="Completed all modules and the capstone data audit.",
        activity_start_date="2025-09-01T00:00:00Z",
        activity_end_date="2025-12-19T00:00:00+01:00",
        license_number="L-1",
        role="Student",
        term="2025 autumn",
        source=b.Profile(id="https://uni.example/faculties/law", name="Faculty of Law"),
        subject_image="https://uni.example/learners/ada.png",
        evidence=[b.Evidence(id="https://uni.example/evidence/4711", name="Capstone",
                             narrative="The audit report.", description="Data audit project",
                             genre="Project", audience="Policy makers")],
        endorsement=[endorsement()],
        credential_status=[status_entry(STATUS_URL, 94567, "revocation")],
        refresh_service={"id": "https://uni.example/refresh/4711",
                         "type": "1EdTechCredentialRefresh"},
        terms_of_use=[{"type": "ext:TermsOfUse", "id": "https://uni.example/terms"}],
    )


def minimal_credential(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "issuer": ISSUER_DID,
        "achievement": b.Achievement(name="Badge", description="A badge.", criteria="Do it."),
        "subject_id": LEARNER_DID,
        "valid_from": VALID_FROM,
    }
    kwargs.update(overrides)
    return b.achievement_credential(**kwargs)


def signed_stand_in(document: dict[str, Any]) -> dict[str, Any]:
    """An unsigned credential with a correctly shaped (not valid) proof, for CLR nesting."""
    return {**copy.deepcopy(document), "proof": [dict(FAKE_PROOF)]}


def course(code: str) -> b.Achievement:
    return b.Achievement(id=f"https://uni.example/achievements/{code}", name=f"Course {code}",
                         description="A course.", criteria="Pass the exam.",
                         achievement_type="Course", eu=b.EUMicroCredential(ects=5))


def clr(**overrides: Any) -> dict[str, Any]:
    nested = [
        signed_stand_in(minimal_credential(achievement=course("c1"))),
        signed_stand_in(minimal_credential(achievement=course("c2"))),
    ]
    program = b.Achievement(id="https://uni.example/achievements/public-data-microdegree",
                            name="Public Data Microdegree", description="Two courses.",
                            criteria="Earn both course credentials.",
                            achievement_type="LearningProgram")
    kwargs: dict[str, Any] = {
        "issuer": issuer_profile(),
        "name": "Public Data Microdegree record",
        "verifiable_credential": nested,
        "subject_id": LEARNER_DID,
        "achievement": [program],
        "association": [
            b.Association(association_type="isPartOf",
                          source_id="https://uni.example/achievements/c1",
                          target_id="https://uni.example/achievements/public-data-microdegree"),
            b.Association(association_type="isPartOf",
                          source_id="https://uni.example/achievements/c2",
                          target_id="https://uni.example/achievements/public-data-microdegree"),
        ],
        "partial": False,
        "valid_from": VALID_FROM,
        "description": "The learner's microdegree with its course credentials.",
    }
    kwargs.update(overrides)
    return b.clr_credential(**kwargs)


# --- JSON-LD helpers ------------------------------------------------------------------------


def _no_drop(expanded_property: Any) -> None:
    raise AssertionError(f"JSON-LD dropped the property {expanded_property!r}")


_ABSOLUTE = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):\S*$")


def _check_absolute(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _check_absolute(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@id":
                assert _ABSOLUTE.match(value), f"relative @id {value!r}"
            elif key == "@type":
                for t in value if isinstance(value, list) else [value]:
                    assert _ABSOLUTE.match(t), f"relative @type {t!r}"
            elif not key.startswith("@"):
                assert _ABSOLUTE.match(key), f"relative property {key!r}"
            if key != "@value":
                _check_absolute(value)


def expand_without_loss(document: dict[str, Any]) -> list[Any]:
    """pyld expand with the bundled loader and base None; fail on any dropped term/relative IRI."""
    expanded = pyld.JsonLdProcessor(on_property_dropped=_no_drop).expand(
        copy.deepcopy(document), {"documentLoader": document_loader, "base": None}
    )
    _check_absolute(expanded)
    return expanded


def assert_clean_jsonld(document: dict[str, Any]) -> None:
    expand_without_loss(document)
    nquads = jsonld.canonicalize_general(document)
    assert nquads.endswith("\n")


# --- shapes -----------------------------------------------------------------------------------


def test_minimal_credential_shape():
    doc = minimal_credential(credential_schema=None)
    assert doc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert UUID_URN.match(doc["id"])
    assert doc["issuer"] == ISSUER_DID
    assert doc["validFrom"] == VALID_FROM
    assert doc["name"] == "Badge"
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["id"] == LEARNER_DID
    achievement = subject["achievement"]
    assert UUID_URN.match(achievement["id"])
    assert achievement["type"] == ["Achievement"]
    assert achievement["criteria"] == {"narrative": "Do it."}
    assert "credentialSchema" not in doc


def test_default_schema_brings_the_extensions_context():
    doc = minimal_credential()
    assert doc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
    assert doc["credentialSchema"] == [{
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
              "ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }]


def test_refresh_service_alone_brings_the_extensions_context():
    doc = minimal_credential(credential_schema=None,
                             refresh_service={"id": "https://uni.example/r",
                                              "type": "1EdTechCredentialRefresh"})
    assert doc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]


def test_full_credential_shape():
    doc = full_credential()
    assert doc["@context"] == [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, b.eu_context()]
    assert doc["issuer"]["type"] == ["Profile"]
    assert doc["issuer"]["address"]["type"] == ["Address"]
    assert doc["image"] == {"id": "https://uni.example/achievements/data-literacy/badge.png",
                            "type": "Image"}
    assert doc["credentialStatus"]["statusListIndex"] == "94567"
    achievement = doc["credentialSubject"]["achievement"]
    assert achievement["image"]["type"] == "Image"
    assert achievement["ECTS"] == 5
    assert achievement["creditsAvailable"] == 5
    # the EQF level is mirrored as an OB alignment, the NQF level too (it has a URL)
    eqf = [a for a in achievement["alignment"] if a["targetUrl"].endswith("/eqf/6")]
    assert eqf == [b.eqf_alignment(6)]
    assert any(a["targetFramework"] == "NLQF" for a in achievement["alignment"])
    for key in ("type",):
        assert isinstance(doc[key], list)
    assert isinstance(doc["credentialSchema"], list)
    # endorsements are whole credentials with their own context, kept as given
    assert doc["endorsement"][0]["@context"][:2] == [VC_V2_CONTEXT, OB_CONTEXT]


def test_all_string_values_are_plain_strings():
    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")
        else:
            assert isinstance(node, (str, int, float, bool)), path

    walk(full_credential(), "$")


def test_credential_subject_comes_before_trailing_fields():
    keys = list(full_credential())
    assert keys.index("credentialSubject") < keys.index("evidence")
    assert keys.index("validFrom") < keys.index("credentialSubject")


def test_two_status_entries_conflict_with_the_1edtech_schema():
    entries = [status_entry(STATUS_URL, 1, "revocation"),
               status_entry("https://uni.example/status/2", 1, "suspension")]
    assert _code(minimal_credential, credential_status=entries) == "BUILD_SCHEMA_CONFLICT"
    doc = minimal_credential(credential_status=entries, credential_schema=None)
    assert [e["statusPurpose"] for e in doc["credentialStatus"]] == ["revocation", "suspension"]
    # the reason for the refusal above: both schema flavours want a single object
    with_schema = {**doc, "credentialSchema": minimal_credential()["credentialSchema"]}
    assert schema.validate(with_schema, schema.OB_ACHIEVEMENT_CREDENTIAL) != []
    assert_clean_jsonld(doc)


def test_datetime_objects_are_accepted():
    plus_one = timezone(timedelta(hours=1))
    doc = minimal_credential(valid_from=datetime(2026, 1, 15, tzinfo=UTC),
                             valid_until=datetime(2027, 1, 15, 1, tzinfo=plus_one))
    assert doc["validFrom"] == "2026-01-15T00:00:00Z"
    assert doc["validUntil"] == "2027-01-15T01:00:00+01:00"


def test_default_valid_from_is_now():
    doc = b.achievement_credential(issuer=ISSUER_DID, subject_id=LEARNER_DID,
                                   achievement=b.Achievement(name="n", description="d",
                                                             criteria="c"))
    when = datetime.fromisoformat(doc["validFrom"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - when) < timedelta(minutes=1)


def test_subject_by_identifier_only():
    doc = minimal_credential(subject_id=None,
                             identifier=[b.IdentityObject.hashed_from("ada@example.org", "x")])
    subject = doc["credentialSubject"]
    assert "id" not in subject
    assert subject["identifier"][0]["identityHash"].startswith("sha256$")
    assert schema.validate(doc, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) == []


def test_open_badge_credential_dataclass_equals_function():
    achievement = b.Achievement(id="urn:uuid:00000000-0000-4000-8000-000000000000", name="n",
                                description="d", criteria="c")
    kwargs = {"issuer": ISSUER_DID, "achievement": achievement, "subject_id": LEARNER_DID,
              "valid_from": VALID_FROM, "credential_id": "urn:uuid:1"}
    assert b.OpenBadgeCredential(**kwargs).to_dict() == b.achievement_credential(**kwargs)


def test_endorsement_shape():
    doc = endorsement()
    assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert doc["credentialSubject"] == {
        "id": "https://uni.example/achievements/data-literacy/v1",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Meets the accreditation framework.",
    }
    assert doc["credentialSchema"][0]["id"] == schema.OB_ENDORSEMENT_CREDENTIAL


def test_clr_shape():
    doc = clr()
    assert doc["@context"] == [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT]
    assert doc["type"] == ["VerifiableCredential", "ClrCredential"]
    assert doc["partial"] is False
    subject = doc["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["association"][0] == {
        "type": "Association",
        "associationType": "isPartOf",
        "sourceId": "https://uni.example/achievements/c1",
        "targetId": "https://uni.example/achievements/public-data-microdegree",
    }
    assert doc["credentialSchema"][0]["id"] == schema.CLR_CREDENTIAL


def test_clr_keeps_nested_credentials_verbatim():
    nested = signed_stand_in(full_credential())
    doc = clr(verifiable_credential=[nested], association=[])
    assert doc["credentialSubject"]["verifiableCredential"] == [nested]
    # EU terms inside a nested credential are that credential's business, not the envelope's
    assert b.eu_context() not in doc["@context"]


def test_clr_with_an_eu_program_achievement_adds_the_eu_context():
    doc = clr(achievement=[course("program")], association=[])
    assert doc["@context"][-1] == b.eu_context()
    assert_clean_jsonld(doc)
    assert schema.validate(doc, schema.CLR_CREDENTIAL) == []


def test_profile_shape():
    profile = issuer_profile().to_dict()
    assert profile["type"] == ["Profile"]
    assert profile["image"] == {"id": "https://uni.example/logo.png", "type": "Image",
                                "caption": "Logo"}
    assert profile["parentOrg"] == {"id": "https://ministry.example/", "type": ["Profile"],
                                    "name": "Ministry"}


def test_person_profile_fields():
    person = b.Profile(id=LEARNER_DID, given_name="Ada", family_name="Lovelace",
                       family_name_prefix="de", additional_name="A.", patronymic_name="P",
                       honorific_prefix="Dr", honorific_suffix="PhD",
                       date_of_birth="1815-12-10").to_dict()
    assert person["dateOfBirth"] == "1815-12-10"
    assert schema.validate(person, schema.STRICT_OB_PROFILE) == []


def test_status_list_credential_shape():
    bits = BitstringStatusList()
    bits.set(3)
    doc = b.status_list_credential(issuer=ISSUER_DID, list_url=STATUS_URL, status_list=bits,
                                   valid_from=VALID_FROM, ttl=300000)
    assert doc == {
        "@context": [VC_V2_CONTEXT],
        "id": STATUS_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": ISSUER_DID,
        "validFrom": VALID_FROM,
        "credentialSubject": {"id": f"{STATUS_URL}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": bits.encode(),
                              "ttl": 300000},
    }
    assert_clean_jsonld(doc)


def test_verifiable_presentation_shape():
    nested = signed_stand_in(minimal_credential())
    vp = b.verifiable_presentation([nested], holder=LEARNER_DID)
    assert vp["@context"] == [VC_V2_CONTEXT]
    assert vp["type"] == ["VerifiablePresentation"]
    assert vp["holder"] == LEARNER_DID
    assert vp["verifiableCredential"] == [nested]
    assert UUID_URN.match(vp["id"])
    assert_clean_jsonld(vp)


# --- validity: both schema flavours, clean JSON-LD -------------------------------------------


OB_SAMPLES = {
    "full": full_credential,
    "full-without-eu": lambda: full_credential(eu=False),
    "minimal": minimal_credential,
    "minimal-no-schema": lambda: minimal_credential(credential_schema=None),
}


@pytest.mark.parametrize("make", OB_SAMPLES.values(), ids=OB_SAMPLES.keys())
def test_ob_credentials_pass_both_schema_flavours(make):
    doc = make()
    assert schema.validate(doc, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    assert schema.validate(doc, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) == []


@pytest.mark.parametrize("make", OB_SAMPLES.values(), ids=OB_SAMPLES.keys())
def test_ob_credentials_are_clean_json_ld(make):
    assert_clean_jsonld(make())


def test_endorsement_passes_both_schema_flavours_and_is_clean():
    doc = endorsement()
    assert schema.validate(doc, schema.OB_ENDORSEMENT_CREDENTIAL) == []
    assert schema.validate(doc, schema.STRICT_OB_ENDORSEMENT_CREDENTIAL) == []
    assert_clean_jsonld(doc)


def test_profile_passes_both_schema_flavours_and_is_clean():
    profile = issuer_profile().to_dict()
    assert schema.validate(profile, schema.OB_PROFILE) == []
    assert schema.validate(profile, schema.STRICT_OB_PROFILE) == []
    assert_clean_jsonld({"@context": [VC_V2_CONTEXT, OB_CONTEXT], **profile})


def test_clr_passes_the_clr_schema_and_is_clean():
    doc = clr()
    assert schema.validate(doc, schema.CLR_CREDENTIAL) == []
    assert_clean_jsonld(doc)


def test_clr_with_full_nested_credentials_is_valid():
    nested = [signed_stand_in(full_credential()), signed_stand_in(minimal_credential())]
    doc = clr(verifiable_credential=nested, association=[])
    assert schema.validate(doc, schema.CLR_CREDENTIAL) == []
    assert_clean_jsonld(doc)


def test_a_built_credential_signs_and_verifies():
    from microdegree.vc import did, keys, proofs
    from microdegree.vc.verify import verify

    key = keys.Ed25519Key.from_seed(bytes([7]) * 32)
    issuer = did.did_key(key)
    doc = b.achievement_credential(issuer=b.Profile(id=issuer, name="Uni"),
                                   achievement=full_achievement(), subject_id=LEARNER_DID,
                                   valid_from=VALID_FROM)
    signed = proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}",
                         created=VALID_FROM)
    report = verify(signed, now=datetime(2026, 6, 1, tzinfo=UTC))
    assert report.verified, report.to_json()


# --- identity objects -----------------------------------------------------------------------


def test_hash_identity_is_salted_sha256_of_identifier_plus_salt():
    identity = b.hash_identity("ada@example.org", salt="s4lt")
    expected = hashlib.sha256(b"ada@example.orgs4lt").hexdigest()
    assert identity == {"type": "IdentityObject", "hashed": True,
                        "identityHash": f"sha256${expected}", "identityType": "emailAddress",
                        "salt": "s4lt"}


def test_hash_identity_draws_a_random_salt():
    first, second = b.hash_identity("ada@example.org"), b.hash_identity("ada@example.org")
    assert len(first["salt"]) == 32
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_unsalted_hash_has_no_salt_field():
    identity = b.hash_identity("ada@example.org", salt="")
    assert "salt" not in identity
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(b"ada@example.org").hexdigest()


def test_identity_matches():
    identity = b.hash_identity("ada@example.org", identity_type="emailAddress")
    assert b.identity_matches(identity, "ada@example.org")
    assert not b.identity_matches(identity, "bob@example.org")
    assert not b.identity_matches({**identity, "salt": "other"}, "ada@example.org")
    digest = identity["identityHash"].removeprefix("sha256$")
    upper = {**identity, "identityHash": "sha256$" + digest.upper()}
    assert b.identity_matches(upper, "ada@example.org")
    assert b.IdentityObject.hashed_from("ada@example.org").matches("ada@example.org")


def test_identity_matches_legacy_md5_and_plain():
    md5 = {"type": "IdentityObject", "hashed": True, "identityType": "emailAddress",
           "identityHash": "md5$" + hashlib.md5(b"ada@example.orgs").hexdigest(), "salt": "s"}
    assert b.identity_matches(md5, "ada@example.org")
    plain = b.plain_identity("Ada Lovelace")
    assert plain == {"type": "IdentityObject", "hashed": False, "identityHash": "Ada Lovelace",
                     "identityType": "name"}
    assert b.identity_matches(plain, "Ada Lovelace")
    assert not b.identity_matches(plain, "Ada")


@pytest.mark.parametrize(
    "identity",
    [None, "sha256$00", {}, {"identityHash": 5}, {"identityHash": "sha1$abc"},
     {"identityHash": "nodollar"}, {"identityHash": "sha256$00", "salt": 5}],
)
def test_identity_matches_is_false_for_garbage(identity):
    assert b.identity_matches(identity, "ada@example.org") is False


# --- errors ----------------------------------------------------------------------------------


def _code(fn, *args, **kwargs) -> str:
    with pytest.raises(BuildError) as excinfo:
        fn(*args, **kwargs)
    assert excinfo.value.message
    return excinfo.value.code


@pytest.mark.parametrize(
    ("overrides", "code", "needle"),
    [
        ({"valid_from": "2026-01-15T00:00:00"}, "BUILD_INVALID_DATE", "time zone"),
        ({"valid_from": "2026-01-15"}, "BUILD_INVALID_DATE", "time zone"),
        ({"valid_from": "2026-02-30T00:00:00Z"}, "BUILD_INVALID_DATE", "real date"),
        ({"valid_from": datetime(2026, 1, 1)}, "BUILD_INVALID_DATE", "timezone-aware"),
        ({"valid_until": "2025-01-01T00:00:00Z"}, "BUILD_INVALID_DATE", "after validFrom"),
        ({"valid_until": VALID_FROM}, "BUILD_INVALID_DATE", "after validFrom"),
        ({"awarded_date": "yesterday"}, "BUILD_INVALID_DATE", "awardedDate"),
        ({"issuer": "uni.example"}, "BUILD_INVALID_ID", "issuer"),
        ({"issuer": "https:///nohost"}, "BUILD_INVALID_ID", "host"),
        ({"subject_id": "ada"}, "BUILD_INVALID_ID", "credential subject id"),
        ({"subject_id": None}, "BUILD_MISSING_FIELD", "identifier"),
        ({"credential_id": "1234"}, "BUILD_INVALID_ID", "credential id"),
        ({"credential_id": "urn:uuid:has space"}, "BUILD_INVALID_ID", "credential id"),
        ({"credits_earned": -1}, "BUILD_INVALID_VALUE", "creditsEarned"),
        ({"credits_earned": "5"}, "BUILD_INVALID_VALUE", "creditsEarned"),
        ({"activity_start_date": "2025-12-01T00:00:00Z",
          "activity_end_date": "2025-09-01T00:00:00Z"}, "BUILD_INVALID_DATE", "activityEndDate"),
        ({"image": "badge.png"}, "BUILD_INVALID_ID", "image"),
        ({"result": [b.Result(status="Passed")]}, "BUILD_INVALID_VALUE", "Result status"),
        ({"result": [b.Result(value=8.5)]}, "BUILD_INVALID_VALUE", "string"),  # type: ignore[arg-type]
        ({"evidence": [b.Evidence(id="evidence/1")]}, "BUILD_INVALID_ID", "Evidence"),
        ({"credential_status": [{"type": "BitstringStatusListEntry"}]}, "BUILD_INVALID_ID",
         "credentialStatus"),
        ({"refresh_service": {"id": "https://x.example/r"}}, "BUILD_MISSING_FIELD",
         "refreshService"),
    ],
)
def test_credential_input_errors(overrides, code, needle):
    with pytest.raises(BuildError) as excinfo:
        minimal_credential(**overrides)
    assert excinfo.value.code == code
    assert needle in excinfo.value.message


@pytest.mark.parametrize(
    ("kwargs", "code", "needle"),
    [
        ({"achievement_type": "Microcredential"}, "BUILD_INVALID_VALUE", "ext:"),
        ({"achievement_type": "ext:"}, "BUILD_INVALID_VALUE", "achievementType"),
        ({"id": "achievements/1"}, "BUILD_INVALID_ID", "Achievement id"),
        ({"name": " "}, "BUILD_MISSING_FIELD", "name"),
        ({"criteria": b.Criteria()}, "BUILD_MISSING_FIELD", "criteria"),
        ({"criteria": b.Criteria(id="criteria.html")}, "BUILD_INVALID_ID", "criteria"),
        ({"in_language": "English"}, "BUILD_INVALID_VALUE", "BCP 47"),
        ({"alignment": [b.Alignment(target_name="x", target_url="x")]}, "BUILD_INVALID_ID",
         "targetUrl"),
        ({"alignment": [b.Alignment(target_name="x", target_url="https://x.example",
                                    target_type="Competency")]}, "BUILD_INVALID_VALUE",
         "targetType"),
        ({"result_description": [b.ResultDescription(name="g", result_type="Grade")]},
         "BUILD_INVALID_VALUE", "resultType"),
        ({"result_description": [b.ResultDescription(name="g", result_type="Percent",
                                                     value_max=100)]},  # type: ignore[arg-type]
         "BUILD_INVALID_VALUE", "strings"),
        ({"other_identifier": [b.IdentifierEntry(identifier="x", identifier_type="isbn13")]},
         "BUILD_INVALID_VALUE", "identifierType"),
        ({"related": [b.Related(id="https://x.example/r", in_language="english")]},
         "BUILD_INVALID_VALUE", "inLanguage"),
        ({"credits_available": float("nan")}, "BUILD_INVALID_VALUE", "creditsAvailable"),
        ({"eu": b.EUMicroCredential(eqf_level=9)}, "BUILD_INVALID_VALUE", "eqfLevel"),
        ({"eu": b.EUMicroCredential(eqf_level=True)}, "BUILD_INVALID_VALUE", "eqfLevel"),
        ({"eu": b.EUMicroCredential(ects=-5)}, "BUILD_INVALID_VALUE", "ECTS"),
        ({"eu": b.EUMicroCredential(participation_type="remote")}, "BUILD_INVALID_VALUE",
         "participationType"),
        ({"eu": b.EUMicroCredential(assessment_type="exam")}, "BUILD_INVALID_VALUE",
         "assessmentType"),
        ({"eu": b.EUMicroCredential(supervision_type="proctored")}, "BUILD_INVALID_VALUE",
         "supervisionType"),
        ({"eu": b.EUMicroCredential(identity_checked="yes")}, "BUILD_INVALID_VALUE",  # type: ignore[arg-type]
         "identityChecked"),
        ({"eu": b.EUMicroCredential(integration="maybe")}, "BUILD_INVALID_VALUE", "integration"),
        ({"eu": b.EUMicroCredential(stackable_towards=["program"])}, "BUILD_INVALID_ID",
         "stackableTowards"),
        ({"eu": b.EUMicroCredential(instruction_language=["Dutch"])}, "BUILD_INVALID_VALUE",
         "instructionLanguage"),
        ({"eu": b.EUMicroCredential(learning_outcomes=[""])}, "BUILD_MISSING_FIELD",
         "learningOutcome"),
    ],
)
def test_achievement_input_errors(kwargs, code, needle):
    fields: dict[str, Any] = {"name": "n", "description": "d", "criteria": "c", **kwargs}
    with pytest.raises(BuildError) as excinfo:
        b.Achievement(**fields).to_dict()
    assert excinfo.value.code == code
    assert needle in excinfo.value.message


def test_ext_terms_are_accepted_in_extensible_enums():
    achievement = b.Achievement(
        name="n", description="d", criteria="c", achievement_type="ext:MicroDegree",
        alignment=[b.Alignment(target_name="x", target_url="https://x.example",
                               target_type="ext:QualityAssurance")],
        eu=b.EUMicroCredential(participation_type="ext:hackathon"),
    ).to_dict()
    assert achievement["achievementType"] == "ext:MicroDegree"
    doc = minimal_credential(achievement=b.Achievement(name="n", description="d", criteria="c",
                                                       achievement_type="ext:MicroDegree"))
    assert schema.validate(doc, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) == []


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"address": b.Address(address_country_code="nl")}, "BUILD_INVALID_VALUE"),
        ({"address": b.Address(address_country_code="NLD")}, "BUILD_INVALID_VALUE"),
        ({"email": "registrar"}, "BUILD_INVALID_VALUE"),
        ({"url": "uni.example"}, "BUILD_INVALID_ID"),
        ({"date_of_birth": "10-12-1815"}, "BUILD_INVALID_DATE"),
        ({"image": b.Image(id="logo.png")}, "BUILD_INVALID_ID"),
    ],
)
def test_profile_input_errors(kwargs, code):
    assert _code(b.Profile(id=ISSUER_DID, **kwargs).to_dict) == code


def test_profile_id_must_be_absolute():
    assert _code(b.Profile(id="uni").to_dict) == "BUILD_INVALID_ID"
    assert _code(minimal_credential, issuer={"name": "no id"}) == "BUILD_INVALID_ID"
    assert _code(minimal_credential, issuer=5) == "BUILD_INVALID_VALUE"


def test_data_uri_images_are_allowed():
    doc = minimal_credential(image="data:image/png;base64,iVBORw0KGgo=")
    assert doc["image"] == {"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image"}


def test_clr_errors():
    unsigned = minimal_credential()
    assert _code(clr, verifiable_credential=[unsigned]) == "BUILD_UNSIGNED_CREDENTIAL"
    assert _code(clr, verifiable_credential=[{"proof": [FAKE_PROOF]}]) == \
        "BUILD_UNSIGNED_CREDENTIAL"
    assert _code(clr, verifiable_credential=["jwt"]) == "BUILD_INVALID_VALUE"
    assert _code(clr, verifiable_credential=[]) == "BUILD_MISSING_FIELD"
    assert _code(clr, name="") == "BUILD_MISSING_FIELD"
    assert _code(clr, partial="no") == "BUILD_INVALID_VALUE"
    assert _code(clr, subject_id=None) == "BUILD_MISSING_FIELD"
    bad_type = b.Association(association_type="partOf", source_id="https://uni.example/a",
                             target_id="https://uni.example/b")
    assert _code(clr, association=[bad_type]) == "BUILD_INVALID_VALUE"
    unknown = b.Association(association_type="isPartOf",
                            source_id="https://uni.example/achievements/c1",
                            target_id="https://uni.example/achievements/nope")
    with pytest.raises(BuildError, match="names no achievement"):
        clr(association=[unknown])


def test_endorsement_errors():
    assert _code(endorsement, name="") == "BUILD_MISSING_FIELD"
    assert _code(endorsement, subject_id="achievement") == "BUILD_INVALID_ID"


def test_status_list_credential_errors():
    bits = BitstringStatusList()
    kwargs: dict[str, Any] = {"issuer": ISSUER_DID, "list_url": STATUS_URL, "status_list": bits,
                              "valid_from": VALID_FROM}
    assert _code(b.status_list_credential, **{**kwargs, "purpose": "deleted"}) == \
        "BUILD_INVALID_VALUE"
    assert _code(b.status_list_credential, **{**kwargs, "list_url": "status/1"}) == \
        "BUILD_INVALID_ID"
    assert _code(b.status_list_credential, **{**kwargs, "status_list": "zabc"}) == \
        "BUILD_INVALID_VALUE"
    assert _code(b.status_list_credential, **{**kwargs, "ttl": -1}) == "BUILD_INVALID_VALUE"
    assert _code(b.status_list_credential,
                 **{**kwargs, "valid_until": "2020-01-01T00:00:00Z"}) == "BUILD_INVALID_DATE"
    multi = b.status_list_credential(**{**kwargs, "purpose": ["revocation", "suspension"]})
    assert multi["credentialSubject"]["statusPurpose"] == ["revocation", "suspension"]


def test_presentation_errors():
    assert _code(b.verifiable_presentation, [{"id": "no context"}]) == "BUILD_INVALID_VALUE"
    assert _code(b.verifiable_presentation, [], holder="ada") == "BUILD_INVALID_ID"


def test_hash_identity_errors():
    assert _code(b.hash_identity, "") == "BUILD_MISSING_FIELD"
    assert _code(b.hash_identity, "ada@example.org", identity_type="mail") == \
        "BUILD_INVALID_VALUE"
    assert _code(b.hash_identity, "ada@example.org", salt=5) == "BUILD_INVALID_VALUE"
    bad = b.IdentityObject(identity_hash="abc")
    assert _code(bad.to_dict) == "BUILD_INVALID_VALUE"
