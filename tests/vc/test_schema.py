"""JSON Schema validation with the bundled 1EdTech schemas (offline, both flavours)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator
from referencing.exceptions import Unresolvable

from microdegree.vc import schema
from microdegree.vc.errors import VcError
from tests.samples import sample_credential

from .test_builders import clr, endorsement, full_credential, issuer_profile, minimal_credential

EXAMPLES = Path(__file__).parents[1] / "data" / "examples"
SCHEMA_DIR = Path(schema.__file__).parent / "schemas"


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def test_every_bundled_json_schema_is_known_and_itself_valid():
    index = json.loads((SCHEMA_DIR / "INDEX.json").read_text())
    urls = {u for u in index if "/schema/json/" in u}
    assert schema.known_schemas() == urls
    assert len(urls) == 16
    for url in urls:
        document = json.loads((SCHEMA_DIR / index[url]).read_text())
        Draft201909Validator.check_schema(document)
        assert document["$id"] == url


def test_constants_name_bundled_schemas():
    for url in (schema.OB_ACHIEVEMENT_CREDENTIAL, schema.OB_ENDORSEMENT_CREDENTIAL,
                schema.OB_PROFILE, schema.CLR_CREDENTIAL, schema.CLR_PROFILE,
                schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL, schema.STRICT_OB_ENDORSEMENT_CREDENTIAL,
                schema.STRICT_OB_PROFILE):
        assert schema.is_known(url), url
    assert not schema.is_known("https://purl.imsglobal.org/spec/ob/v3p0/schema/openapi/ob_v3p0_oas.json")


def test_an_unknown_schema_is_an_error_not_a_fetch():
    with pytest.raises(VcError) as excinfo:
        schema.validate({}, "https://example.com/schema.json")
    assert excinfo.value.code == "SCHEMA_UNKNOWN"


def test_the_registry_never_retrieves():
    with pytest.raises(Unresolvable):
        schema._registry().resolver().lookup("https://example.com/other-schema.json")


def test_validators_are_cached():
    assert schema._validator(schema.OB_PROFILE) is schema._validator(schema.OB_PROFILE)


# --- known-good documents -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("1edtech-ob-spec/examples-basicopenbadgecredential-L7-sample-openbadgecredential.json",
         schema.OB_ACHIEVEMENT_CREDENTIAL),
        ("1edtech-ob-spec/examples-fullopenbadge-L3-complete-openbadgecredential.json",
         schema.OB_ACHIEVEMENT_CREDENTIAL),
        ("1edtech-ob-spec/examples-endorsement-L3-sample-endorsementcredential.json",
         schema.OB_ENDORSEMENT_CREDENTIAL),
        ("educredentials-obv3-examples/mbob-eo-eov-microcredential-full.json",
         schema.OB_ACHIEVEMENT_CREDENTIAL),
    ],
)
def test_spec_examples_pass_both_flavours(name, url):
    document = example(name)
    assert schema.validate(document, url) == []
    assert schema.validate(document, schema.strict_counterpart(url)) == []


def test_the_1edtech_clr_vector_passes_the_clr_schema():
    document = example("1edtech-ob-spec/impl-linked-data-proof-clr-L404-signed-credential.json")
    assert schema.validate(document, schema.CLR_CREDENTIAL) == []


def test_the_sample_credential_passes_both_flavours():
    document = sample_credential()
    assert schema.validate(document, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    assert schema.validate(document, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) == []


@pytest.mark.parametrize(
    ("make", "lenient"),
    [
        (full_credential, schema.OB_ACHIEVEMENT_CREDENTIAL),
        (minimal_credential, schema.OB_ACHIEVEMENT_CREDENTIAL),
        (endorsement, schema.OB_ENDORSEMENT_CREDENTIAL),
        (lambda: issuer_profile().to_dict(), schema.OB_PROFILE),
    ],
    ids=["full", "minimal", "endorsement", "profile"],
)
def test_built_documents_pass_both_flavours(make, lenient):
    document = make()
    assert schema.schema_for_type(document) == lenient
    assert schema.validate(document, lenient) == []
    assert schema.validate(document, schema.strict_counterpart(lenient)) == []


def test_built_clr_passes_the_clr_schema():
    document = clr()
    assert schema.schema_for_type(document) == schema.CLR_CREDENTIAL
    assert schema.validate(document, schema.CLR_CREDENTIAL) == []


# --- the two flavours differ ----------------------------------------------------------------


def test_a_single_proof_object_is_lenient_only():
    document = example("1edtech-ob-spec/impl-linked-data-proof-ob-L238-signed-credential.json")
    assert isinstance(document["proof"], dict)
    assert schema.validate(document, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    problems = schema.validate(document, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL)
    assert [p.path for p in problems] == ["$.proof"]
    assert "array" in problems[0].message


def test_a_language_map_is_lenient_only():
    document = sample_credential()
    document["name"] = {"en": "Data Literacy", "nl": "Datageletterdheid"}
    assert schema.validate(document, schema.OB_ACHIEVEMENT_CREDENTIAL) == []
    problems = schema.validate(document, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL)
    assert [p.path for p in problems] == ["$.name"]


# --- problems -------------------------------------------------------------------------------


def test_problems_name_the_path_and_the_rule():
    document = sample_credential()
    del document["credentialSubject"]["achievement"]["name"]
    document["validFrom"] = 5
    for url in (schema.OB_ACHIEVEMENT_CREDENTIAL, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL):
        problems = schema.validate(document, url)
        assert [(p.path, p.message) for p in problems] == [
            ("$.credentialSubject.achievement", "'name' is a required property"),
            ("$.validFrom", "5 is not of type 'string'"),
        ]
        assert str(problems[0]) == "$.credentialSubject.achievement: 'name' is a required property"


def test_problem_messages_stay_short():
    document = example("1edtech-ob-spec/readme-L76-sample-assertion-credential.json")
    problems = schema.validate(document, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL)
    assert problems
    assert all(len(p.message) <= 240 for p in problems)
    assert all("{" not in p.message for p in problems)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["credentialSubject", "achievement", "achievementType"], "Microcredential"),
        (["credentialSubject", "achievement", "image"], {"id": "https://x.example/i.png",
                                                         "type": "Image", "alt": "closed"}),
        (["credentialSubject", "identifier"], [{"type": "IdentityObject", "hashed": True}]),
        (["@context"], ["https://www.w3.org/ns/credentials/v2"]),
        (["type"], ["VerifiableCredential"]),
    ],
)
def test_tampered_fields_are_reported(path, value):
    document = copy.deepcopy(sample_credential())
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    assert schema.validate(document, schema.OB_ACHIEVEMENT_CREDENTIAL) != []
    assert schema.validate(document, schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL) != []


def test_non_objects_do_not_crash():
    assert schema.validate("text", schema.OB_PROFILE) != []
    assert schema.validate(None, schema.CLR_CREDENTIAL) != []


# --- schema_for_type -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("types", "lenient", "strict"),
    [
        (["VerifiableCredential", "OpenBadgeCredential"], schema.OB_ACHIEVEMENT_CREDENTIAL,
         schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL),
        (["VerifiableCredential", "AchievementCredential"], schema.OB_ACHIEVEMENT_CREDENTIAL,
         schema.STRICT_OB_ACHIEVEMENT_CREDENTIAL),
        (["VerifiableCredential", "EndorsementCredential"], schema.OB_ENDORSEMENT_CREDENTIAL,
         schema.STRICT_OB_ENDORSEMENT_CREDENTIAL),
        (["VerifiableCredential", "ClrCredential"], schema.CLR_CREDENTIAL, schema.CLR_CREDENTIAL),
        ("Profile", schema.OB_PROFILE, schema.STRICT_OB_PROFILE),
        (["VerifiableCredential"], None, None),
        (None, None, None),
    ],
)
def test_schema_for_type(types, lenient, strict):
    document = {"type": types}
    assert schema.schema_for_type(document) == lenient
    assert schema.schema_for_type(document, strict=True) == strict


def test_schema_for_type_of_non_documents():
    assert schema.schema_for_type([]) is None
    assert schema.schema_for_type("OpenBadgeCredential") is None
