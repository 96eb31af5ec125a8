"""The API tests' `client` checks answers against the served /api/openapi.json, and the one
error model maps every app's errors the same way."""

from __future__ import annotations

import json

import pytest
from django.http import HttpResponse, JsonResponse

from microdegree import errors
from microdegree.obapi.errors import ObApiError
from microdegree.records.services import RecordError
from microdegree.vc.errors import ProofError
from tests._openapi_support import OpenApiClient, OpenApiMismatch, check_response


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").json()


def test_the_client_checks_documented_answers(client, db):
    assert isinstance(client, OpenApiClient)
    response = client.post("/api/worth", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "JSON_MALFORMED"
    assert client.checked == 1


def test_an_undocumented_status_or_body_is_a_mismatch(document):
    with pytest.raises(OpenApiMismatch, match="does not list"):
        check_response(document, "POST", "/api/worth", JsonResponse({}, status=418))
    with pytest.raises(OpenApiMismatch, match="'message' is a required property"):
        check_response(document, "POST", "/api/worth", JsonResponse({"code": "X"}, status=400))
    with pytest.raises(OpenApiMismatch, match="does not match"):
        check_response(document, "POST", "/credentials/verify",
                       JsonResponse({"verified": "yes"}, status=200))
    # the path of an operation, with the status and body it documents: fine
    check_response(document, "POST", "/api/v1/credentials/x/revoke",
                   JsonResponse({"code": "NOT_FOUND", "message": "No such credential."},
                                status=404))
    # not an API operation: not checked
    check_response(document, "GET", "/verify", HttpResponse("<html>", status=200))


def test_the_served_document_is_generated_for_every_surface(document):
    paths = document["paths"]
    for path in ("/credentials/issue", "/api/v1/institutions/{slug}/credentials",
                 "/api/v1/institutions/{slug}/bulk-jobs/{job}", "/api/worth",
                 "/ims/ob/v3p0/credentials", "/ims/ob/v3p0/register"):
        assert path in paths, path
    ob = paths["/ims/ob/v3p0/credentials"]["get"]
    assert ob["security"] == [{"OAuth2ACG": [
        "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"]}]
    assert ob["responses"]["401"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Imsx_StatusInfo"}
    assert paths["/api/v1/institutions/{slug}/credentials"]["post"]["security"] == [
        {"bearer": []}, {"session": []}]
    assert set(document["components"]["securitySchemes"]) == {"bearer", "session", "OAuth2ACG"}


def test_one_error_model():
    for exc in (RecordError("x"), ObApiError(404, "x"), errors.NotFound("x")):
        assert isinstance(exc, errors.DomainError)
        assert errors.classify(exc) is exc
    assert ObApiError(404, "gone").code == "not_found"
    # a DomainError handler never swallows "try again later"
    assert not issubclass(errors.Unavailable, errors.DomainError)
    # the core's errors stay framework-free and are mapped as the request's: a 400 with the code
    mapped = errors.classify(ProofError("bad proof"))
    assert (mapped.status, mapped.code, mapped.message) == (400, "PROOF_ERROR", "bad proof")
    assert errors.classify(RuntimeError("bug")) is None


def test_the_api_mapping_per_surface():
    from microdegree.http_errors import api_error_response

    error = errors.NotFound("No such thing.")
    plain = api_error_response(error, "json")
    assert (plain.status_code, json.loads(plain.content)) == (
        404, {"code": "NOT_FOUND", "message": "No such thing."})
    imsx = json.loads(api_error_response(error, "obapi").content)
    assert imsx["imsx_codeMajor"] == "failure"
    assert imsx["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == (
        "not_found")
    unauthorised = api_error_response(ObApiError(401, "Send a token."), "obapi")
    assert unauthorised["WWW-Authenticate"] == 'Bearer realm="ob"'


def test_the_page_mapping(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from microdegree.http_errors import page_errors
    from microdegree.web.faults import respond

    @page_errors("records/error.html")
    def refuses(request):
        raise RecordError("That link was used already.", code="USED", status=400)

    request = rf.get("/me/somewhere")
    request.user = AnonymousUser()
    page = refuses(request)
    assert page.status_code == 400
    assert "That link was used already." in page.content.decode()
    # a refusal that escaped a page view: the site's error page at its status, not a 500
    request = rf.get("/institutions/nowhere/")
    request.user = AnonymousUser()
    escaped = respond(request, errors.NotFound("No such institution."))
    assert escaped.status_code == 404
    assert "No such institution." in escaped.content.decode()
    # the same on an API path: the JSON API format
    request = rf.get("/api/v1/institutions/nowhere/credentials")
    body = json.loads(respond(request, errors.NotFound("No such institution.")).content)
    assert (body["code"], body["message"]) == ("NOT_FOUND", "No such institution.")
