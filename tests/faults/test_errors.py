"""Unexpected errors and an unavailable verifier, through the real views (any database): JSON in
each API's own format, a plain page for people, a reference id that the log line carries with
the traceback, and request ids in and out."""

from __future__ import annotations

import json
import logging

import pytest

from microdegree import logs
from microdegree.vc import verify as core_verify
from microdegree.vc.errors import VerifierUnavailable
from microdegree.vc.fetch import FetchResponse

pytestmark = pytest.mark.django_db


class Boom(RuntimeError):
    pass


def _explode(*args, **kwargs):
    raise Boom("injected fault")


@pytest.fixture
def json_log():
    """The production log format on the errors logger, captured."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestContext())
    logger = logging.getLogger("microdegree.errors")
    logger.addHandler(handler)
    yield lambda: [json.loads(r) for r in records]
    logger.removeHandler(handler)


def test_an_unexpected_vc_api_error_is_json_500_with_a_logged_reference(client, monkeypatch,
                                                                        json_log):
    monkeypatch.setattr("microdegree.vcapi.services.verify", _explode)
    response = client.post("/credentials/verify", {"verifiableCredential": {"a": 1}},
                           content_type="application/json")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "INTERNAL_ERROR"
    assert body["reference"] == response["X-Request-ID"]
    assert body["reference"] in body["message"]
    [line] = [x for x in json_log() if x.get("reference") == body["reference"]]
    assert line["request_id"] == body["reference"]
    assert line["path"] == "/credentials/verify"
    assert line["level"] == "ERROR"
    assert "injected fault" in line["traceback"]
    assert "Boom" in line["traceback"]


def test_an_unexpected_ob_api_error_is_an_imsx_500(client, monkeypatch, json_log):
    monkeypatch.setattr("microdegree.obapi.api.authenticate", _explode)
    response = client.get("/ims/ob/v3p0/credentials", HTTP_AUTHORIZATION="Bearer x")
    assert response.status_code == 500
    info = response.json()
    assert info["imsx_codeMajor"] == "failure"
    field = info["imsx_codeMinor"]["imsx_codeMinorField"][0]
    assert field["imsx_codeMinorFieldValue"] == "internal_server_error"
    assert response["X-Request-ID"] in info["imsx_description"]
    assert any(x.get("reference") == response["X-Request-ID"] for x in json_log())


def test_an_unexpected_issuing_api_error_is_code_and_message(client, institution, monkeypatch):
    monkeypatch.setattr("microdegree.issuing.services.token_from", _explode)
    response = client.get(f"/api/v1/institutions/{institution.slug}/credentials",
                          HTTP_AUTHORIZATION="Bearer mdt_x")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "INTERNAL_ERROR"


def test_an_unexpected_page_error_is_a_page_with_the_reference(client, monkeypatch, json_log):
    monkeypatch.setattr("microdegree.opendata.views._list_page", _explode)
    response = client.get("/catalogue", HTTP_X_REQUEST_ID="page-fault-0001")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "page-fault-0001" in page
    assert response["X-Request-ID"] == "page-fault-0001"
    assert any(x.get("reference") == "page-fault-0001" for x in json_log())


def test_request_ids_are_echoed_or_made(client):
    given = client.get("/catalogue", HTTP_X_REQUEST_ID="proxy-id-12345678")
    assert given["X-Request-ID"] == "proxy-id-12345678"
    made = client.get("/catalogue", HTTP_X_REQUEST_ID="no spaces <allowed>")
    assert made["X-Request-ID"] != "no spaces <allowed>"
    assert len(made["X-Request-ID"]) == 32


class _Unavailable:
    def get(self, url, *, accept="application/json") -> FetchResponse:
        raise VerifierUnavailable("the status lists cannot be read")


class _Broken:
    def get(self, url, *, accept="application/json") -> FetchResponse:
        raise KeyError("a bug")


def _signed():
    from tests.vc.helpers import signed_credential

    return signed_credential(status=True)


def test_the_core_lets_an_unavailable_verifier_propagate_instead_of_a_verdict():
    with pytest.raises(VerifierUnavailable):
        core_verify(_signed(), status_fetcher=_Unavailable())


def test_the_cores_catch_all_logs_the_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="microdegree.vc.verify"):
        report = core_verify(_signed(), status_fetcher=_Broken())
    assert report.has("VERIFIER_INTERNAL_ERROR")
    [record] = [r for r in caplog.records if r.name == "microdegree.vc.verify"]
    assert record.exc_info is not None
    assert record.exc_info[0] is KeyError
