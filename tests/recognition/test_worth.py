""""What is it worth?": the public page (upload, or pick from the record when signed in) and
`POST /api/worth`; nothing is stored; bad input is a 4xx with a code."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microdegree.recognition.models import CreditApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_program(university):
    from microdegree.recognition import services

    return services.create_program(
        None, university, name="MSc Philosophy", total_credits=120, duration_terms=4,
        duration_months=24, residency_terms=4, residency_months=24)


def test_page_upload_shows_programs_and_reasons(client, program, md_agreement, completed,
                                                other_program):
    whole, _ = completed
    assert client.get("/worth").status_code == 200
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    response = client.post("/worth", {"files": [upload]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 program recognises them" in page
    assert "MSc Data Science" in page
    assert "Recognised under" in page
    assert "1 term, 6 months" in page
    # the program that recognises nothing is listed with its reason
    assert "MSc Philosophy" in page
    assert "No agreement of this program covers this achievement." in page
    assert CreditApplication.objects.count() == 0


def test_page_pick_from_the_record(client, learner, program, md_agreement, completed):
    whole, _ = completed
    client.force_login(learner)
    form = client.get("/worth").content.decode()
    assert f"p-{whole.uuid}" in form
    response = client.post("/worth", {"record": [f"p-{whole.uuid}"]})
    assert response.status_code == 200
    assert "Recognised under" in response.content.decode()


def test_page_without_credentials_is_a_form_error(client, program):
    response = client.post("/worth", {})
    assert response.status_code == 400
    assert "Give at least one credential." in response.content.decode()


def test_api(client, program, md_agreement, completed, other_program):
    whole, parts = completed
    response = client.post("/api/worth", json.dumps(
        {"credentials": [json.loads(whole.document), parts[0].document]}),
        content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert [c["achievement_name"] for c in body["credentials"]] == [
        "Data Science Microdegree", "Course stats"]
    first = body["programs"][0]
    assert first["name"] == "MSc Data Science"
    assert first["institution"]["did"].endswith(":issuers:tech-uni")
    proposal = first["proposal"]
    assert proposal["recognised"] == 30
    assert proposal["residency"]["terms_saved"] == 1
    assert [c["code"] for c in proposal["credentials"]] == ["MATCHED", "NO_AGREEMENT"]
    assert body["programs"][1]["proposal"]["recognised"] == 0
    assert CreditApplication.objects.count() == 0


@pytest.mark.parametrize(("body", "code"), [
    ("not json", "JSON_MALFORMED"),
    ("[]", "CREDENTIALS_REQUIRED"),
    ('{"credentials": "x"}', "CREDENTIALS_REQUIRED"),
    ('{"credentials": [1]}', "CREDENTIAL_INVALID"),
    ('{"credentials": []}', "NO_CREDENTIALS"),
])
def test_api_errors(client, body, code):
    response = client.post("/api/worth", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_api_only_post(client):
    assert client.get("/api/worth").status_code == 405


def test_baked_badge_upload_is_stored_as_its_credential(client, learner, program, md_agreement,
                                                        completed):
    from microdegree.verification.bake import bake_png
    from tests.verification.helpers import tiny_png

    whole, _ = completed
    png = SimpleUploadedFile("badge.png", bake_png(tiny_png(), whole.document), "image/png")
    client.force_login(learner)
    response = client.post("/me/credit/apply", {"program": program.pk, "files": [png]})
    assert response.status_code == 302, response.content.decode()
    application = CreditApplication.objects.get()
    stored = application.credentials.get()
    assert stored.source == "upload"
    assert json.loads(stored.document)["id"] == whole.credential_id
    assert application.proposal["credentials"][0]["code"] == "MATCHED"
    # and on the worth page
    png = SimpleUploadedFile("badge.png", bake_png(tiny_png(), whole.document), "image/png")
    assert "Recognised under" in client.post("/worth", {"files": [png]}).content.decode()


def test_api_answers_match_the_openapi_schema(client, program, md_agreement, completed):
    import jsonschema

    whole, parts = completed
    response = client.post("/api/worth", json.dumps(
        {"credentials": [whole.document, parts[0].document, "garbage"]}),
        content_type="application/json")
    assert response.status_code == 200
    # the schema as served (generated from recognition/api.py's ninja Schemas)
    components = client.get("/api/openapi.json").json()["components"]
    schema = {**components["schemas"]["WorthResponse"], "components": components}
    jsonschema.validate(response.json(), schema)
    broken = json.loads(response.content)
    broken["programs"][0]["proposal"]["credentials"][0]["code"] = "MAYBE"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    codes = [c["code"] for c in response.json()["programs"][0]["proposal"]["credentials"]]
    assert codes == ["MATCHED", "NO_AGREEMENT", "UNREADABLE"]
