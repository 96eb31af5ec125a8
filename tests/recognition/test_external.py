"""A credential signed elsewhere (did:key, built and signed with microdegree.vc here), matched by
a named-achievement agreement and by criteria; unknown issuers where the agreement needs a
registry; a verifiable presentation carrying it."""

from __future__ import annotations

import pytest

from microdegree.recognition import checking, services
from microdegree.records import services as records_services
from microdegree.vc import Ed25519Key, did_key, sign
from microdegree.vc.builders.identity import hash_identity
from tests.samples import sample_credential

from .conftest import LEARNER

pytestmark = pytest.mark.django_db

ACHIEVEMENT = "https://uni.example/achievements/data-literacy/v1"


@pytest.fixture
def elsewhere():
    key = Ed25519Key.generate()
    return key, did_key(key)


def external(elsewhere, *, subject_did=None, email=None, **changes):
    key, issuer = elsewhere
    credential = sample_credential(issuer, status_list=None,
                                   subject_id=subject_did or "did:key:z6MkNobody")
    subject = credential["credentialSubject"]
    if email:
        del subject["id"]
        subject["identifier"] = [hash_identity(email, "pepper", "emailAddress")]
    subject.update(changes)
    return sign(credential, key, verification_method=f"{issuer}#{key.public_multibase}")


def evaluate(program, learner, *docs):
    facts = checking.check_all(list(docs), applicant=learner)
    return services.evaluate(program, facts).to_json()


def test_named_agreement_matches_an_external_did_key_credential(program, learner, elsewhere):
    _, issuer = elsewhere
    services.create_agreement(
        None, program, name="Data Literacy (Example University)", source_kind="named",
        named_achievements=[{"issuer": issuer, "achievement": ACHIEVEMENT}],
        value_kind="fixed", value_credits=6)
    result = evaluate(program, learner, external(elsewhere, email=LEARNER))
    item = result["credentials"][0]
    assert item["code"] == "MATCHED"
    assert item["credits"] == 6
    assert item["credential"]["issuer_id"] == issuer
    assert item["credential"]["registry"] is None  # unknown to registries, named by the agreement
    # the same achievement from another did:key is not what the agreement names
    other = (Ed25519Key.generate(),)
    forged = external((other[0], did_key(other[0])), email=LEARNER)
    assert evaluate(program, learner, forged)["credentials"][0]["code"] == "UNKNOWN_ISSUER"


def test_criteria_agreement_matches_it_when_any_issuer_is_accepted(program, learner,
                                                                    elsewhere):
    records_services.bind_did(learner, did_key(Ed25519Key.generate()))
    learner_did = learner.learner_did.did
    services.create_agreement(
        None, program, name="EQF 6 microcredentials with a grade of 7", source_kind="criteria",
        criteria_registry="any", criteria_achievement_type="MicroCredential",
        criteria_min_eqf_level=6, criteria_min_result=7, criteria_min_credits=5,
        value_kind="factor", value_factor=1)
    result = evaluate(program, learner, external(elsewhere, subject_did=learner_did))
    assert [c["code"] for c in result["credentials"]] == ["MATCHED"]
    assert result["recognised"] == 5  # creditsEarned 5 ECTS x 1
    # below the grade
    low = external(elsewhere, subject_did=learner_did,
                   result=[{"type": ["Result"], "value": "6", "status": "Completed"}])
    assert evaluate(program, learner, low)["credentials"][0]["code"] == "BELOW_MIN_GRADE"
    # another person's DID
    assert (evaluate(program, learner, external(elsewhere))["credentials"][0]["code"]
            == "NOT_APPLICANT")


def test_unknown_issuer_when_the_agreement_needs_a_registry(program, learner, elsewhere):
    services.create_agreement(
        None, program, name="Trusted issuers", source_kind="criteria",
        criteria_registry="trusted", value_kind="fixed", value_credits=5)
    result = evaluate(program, learner, external(elsewhere, email=LEARNER))
    item = result["credentials"][0]
    assert item["code"] == "UNKNOWN_ISSUER"
    assert "not in any registry" in item["message"]


def test_a_presentation_is_read_credential_by_credential(program, learner, elsewhere,
                                                         completed, md_agreement):
    whole, _ = completed
    import json

    _, issuer = elsewhere
    services.create_agreement(
        None, program, name="Data Literacy", source_kind="named",
        named_achievements=[{"issuer": issuer, "achievement": ACHIEVEMENT}],
        value_kind="fixed", value_credits=6)
    presentation = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiablePresentation"],
        "verifiableCredential": [json.loads(whole.document),
                                 external(elsewhere, email=LEARNER)],
    }
    result = evaluate(program, learner, presentation)
    assert [c["code"] for c in result["credentials"]] == ["MATCHED", "MATCHED"]
    assert result["recognised"] == 36


def test_credits_claimed_above_the_achievement_count_as_what_it_offers(client, program, learner,
                                                                       elsewhere):
    """Issue 16, point 1: another issuer's credential claiming 50 credits earned on a 5-credit
    achievement (signed: its proof is valid) counts for 5, and the reader is told why."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    services.create_agreement(
        None, program, name="Any microcredential, credit for credit", source_kind="criteria",
        criteria_registry="any", value_kind="factor", value_factor=1)
    forged = external(elsewhere, email=LEARNER, creditsEarned=50)
    assert forged["credentialSubject"]["achievement"]["creditsAvailable"] == 5
    result = evaluate(program, learner, forged)
    item = result["credentials"][0]
    assert item["code"] == "MATCHED"
    assert item["credits"] == 5
    assert (item["credential"]["credits_ects"], item["credential"]["credits_claimed"]) == (5, 50)
    assert result["recognised"] == 5
    # the public page says so, and so does the JSON API
    upload = SimpleUploadedFile("forged.json", json.dumps(forged).encode(), "application/json")
    page = client.post("/worth", {"files": [upload]}).content.decode()
    assert ("This credential claims 50 credits earned, more than the 5 its own achievement "
            "offers: at most 5 count.") in page
    assert "50 ECTS" not in page
    body = client.post("/api/worth", json.dumps({"credentials": [forged]}),
                       content_type="application/json").json()
    assert body["credentials"][0]["credits_claimed"] == 50
    proposal = body["programs"][0]["proposal"]
    assert proposal["recognised"] == 5
    # a claim within what the achievement offers carries no warning
    honest = evaluate(program, learner, external(elsewhere, email=LEARNER, creditsEarned=4))
    assert honest["credentials"][0]["credential"]["credits_claimed"] is None
    assert honest["recognised"] == 4
