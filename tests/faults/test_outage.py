"""The database goes away under a running `./scripts/serve`: every surface says "unavailable,
retry" (503 with Retry-After) in its own format, the verifier gives no verdict, and the log has
each failure with its request id and traceback. PostgreSQL only (a TCP proxy the test cuts)."""

from __future__ import annotations

import pytest

from tests.faults._support import app_env, http, postgres_only, proxied_database_url, served

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential"],
    "credentialSubject": {"id": "did:example:learner", "name": "Ada"},
}


def _issue(client, token: str) -> dict:
    response = client.post("/credentials/issue", {"credential": CREDENTIAL},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content
    return response.json()["verifiableCredential"]


def test_verifying_during_an_outage_is_503_not_a_verdict(client, db_proxy, issuer_token,
                                                         tmp_path):
    vc = _issue(client, issuer_token)
    env = app_env(tmp_path, proxied_database_url(db_proxy))
    with served(env, tmp_path) as server:
        db_proxy.cut()
        answer = http("POST", f"{server.base_url}/credentials/verify",
                      {"verifiableCredential": vc}, headers={"X-Request-ID": "verify-outage-1"})
        assert answer.status == 503
        assert answer.headers["retry-after"] == "7"
        body = answer.json()
        assert body["code"] in ("VERIFIER_UNAVAILABLE", "DATABASE_UNAVAILABLE")
        assert "verified" not in body  # no verdict about the credential
        db_proxy.restore()
        answer = http("POST", f"{server.base_url}/credentials/verify",
                      {"verifiableCredential": vc})
        assert answer.status == 200, answer.body
        assert answer.json()["verified"] is True
        logged = [line for line in server.log_lines() if line.get("request_id") ==
                  "verify-outage-1"]
        assert any("traceback" in line and "OperationalError" in line["traceback"]
                   for line in logged), logged


def test_every_surface_answers_503_in_its_own_format(client, db_proxy, institution, issuer_token,
                                                     tmp_path):
    env = app_env(tmp_path, proxied_database_url(db_proxy))
    bearer = {"Authorization": f"Bearer {issuer_token}"}
    with served(env, tmp_path) as server:
        base = server.base_url
        assert http("GET", f"{base}/catalogue").status == 200
        db_proxy.cut()
        # the VC API and the platform's JSON APIs: {code, message}
        for method, path, body in [
            ("POST", "/credentials/issue", {"credential": CREDENTIAL}),
            ("POST", "/credentials/status", {"credentialId": "urn:uuid:x", "credentialStatus": [
                {"type": "BitstringStatusListCredential", "status": "revoked"}]}),
            ("POST", f"/api/v1/institutions/{institution.slug}/credentials", {"x": 1}),
            ("GET", f"/api/v1/institutions/{institution.slug}/bulk-jobs", None),
            ("GET", f"/api/v1/institutions/{institution.slug}/webhooks", None),
        ]:
            answer = http(method, base + path, body, headers=bearer)
            assert answer.status == 503, (path, answer.body)
            assert answer.headers["content-type"].startswith("application/json"), path
            assert answer.headers["retry-after"] == "7", path
            assert answer.json()["code"] == "DATABASE_UNAVAILABLE", path
            assert answer.headers["x-request-id"], path
        # the Open Badges API: Imsx_StatusInfo
        answer = http("GET", f"{base}/ims/ob/v3p0/credentials",
                      headers={"Authorization": "Bearer some-token"})
        assert answer.status == 503
        info = answer.json()
        assert info["imsx_codeMajor"] == "failure"
        minor = info["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        assert minor == "server_busy"
        assert answer.headers["retry-after"] == "7"
        # pages: a plain sentence
        answer = http("GET", f"{base}/catalogue")
        assert answer.status == 503
        assert answer.headers["content-type"].startswith("text/html")
        assert b"Temporarily unavailable" in answer.body
        assert answer.headers["retry-after"] == "7"
        db_proxy.restore()
        assert http("GET", f"{base}/catalogue").status == 200


def test_a_dropped_connection_is_replaced_before_the_next_request(db_proxy, institution,
                                                                  tmp_path):
    """A database restart or failover: the web process's kept connection is dead; the next
    request still succeeds (CONN_HEALTH_CHECKS)."""
    env = app_env(tmp_path, proxied_database_url(db_proxy))
    with served(env, tmp_path, processes=1, threads=1) as server:
        assert http("GET", f"{server.base_url}/catalogue").status == 200
        assert db_proxy.connections >= 1  # kept for the next request (CONN_MAX_AGE)
        db_proxy.drop()
        for _ in range(3):
            assert http("GET", f"{server.base_url}/catalogue").status == 200
