"""Issue 13 section 2: a verdict says what is known, over HTTP.

* A platform credential suspended without a suspension entry in it (ADR 0006's default) is "not
  verified" on /verify (paste and JSON), through the VC API and on its public page, and the
  verdict says what an outside verifier sees.
* A status list that cannot be fetched (a closed loopback port, a 404 on the live server) is
  STATUS_RETRIEVAL_ERROR: 422 from the VC API unless the caller sends
  `options.acceptUnknownStatus`, and "could not be fully checked" (amber) on the page.
* A credential that failed shows its fields as claimed by the document.
"""

from __future__ import annotations

import html
import json
import re
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from microdegree.issuing import services as issuing
from microdegree.vc import did, proofs
from tests.samples import sample_credential
from tests.verification.helpers import CREATED, key_credential, key_from

OUTSIDE = ("Outside verifiers that read only the credential's status entry see it as not "
           "revoked.")


def _text(response: Any) -> str:
    return response.content.decode()


def _verdict(page: str) -> tuple[str, str, str]:
    """(state class, level, headline) of the top verdict."""
    match = re.search(r'<div class="verdict (\w+)" data-level="(\w+)" role="status" '
                      r'id="verdict">\s*<p><strong>([^<]+)</strong>', page)
    assert match, page[:3000]
    return match.group(1), match.group(2), match.group(3)


def _post_json(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _problems(body: dict[str, Any], kind: str) -> dict[str, str]:
    return {p["code"]: p["detail"] for p in body[kind]}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _credential_with_status(list_url: str, **overrides: Any) -> dict[str, Any]:
    key = key_from(11)
    issuer = did.did_key(key)
    doc = sample_credential(issuer, status_list=list_url)
    doc.update(overrides)
    return proofs.sign(doc, key, verification_method=f"{issuer}#{key.public_multibase}",
                       created=CREATED)


@pytest.fixture
def loopback_fetching(settings):
    settings.MICRODEGREE_VERIFY_ALLOW_PRIVATE = True
    settings.MICRODEGREE_VERIFY_ALLOW_HTTP = True


# --- a suspension the credential does not carry ------------------------------------------------


@pytest.fixture
def suspended(issued):
    assert "suspension" not in issued.document  # the default: only a revocation entry
    issuing.suspend(None, issued, "Under review")
    return issued


@pytest.mark.django_db
def test_suspended_platform_credential_pasted_on_verify(client, suspended):
    response = client.post("/verify", {"credential": suspended.document})
    page = _text(response)
    assert _verdict(page) == ("bad", "not_verified", "Not verified")
    assert '<li class="fail" data-code="STATUS_SUSPENDED">' in page
    assert "<strong>Suspension</strong>: The issuer has suspended this credential" in page
    assert OUTSIDE in html.unescape(page)
    assert '<div class="verdict ok"' not in page
    as_json = client.post("/verify", {"credential": suspended.document},
                          HTTP_ACCEPT="application/json").json()
    assert as_json["verified"] is False
    assert as_json["level"] == "not_verified"
    assert as_json["report"]["errors"] == ["STATUS_SUSPENDED"]


@pytest.mark.django_db
def test_suspended_platform_credential_public_page(client, suspended):
    page = _text(client.get(f"/credentials/{suspended.uuid}"))
    assert "<strong>Suspended.</strong>" in page
    state, level, headline = _verdict(page)
    assert (state, level, headline) == ("bad", "not_verified", "Not verified")
    # the verdict (red) under the yellow banner says why, and what others see
    assert page.index('id="state"') < page.index('id="verdict"')
    assert OUTSIDE in html.unescape(page)
    assert "claimed-note" in page
    issuing.unsuspend(None, suspended, "Cleared")
    again = _text(client.get(f"/credentials/{suspended.uuid}"))
    assert _verdict(again) == ("ok", "verified", "Verified")
    assert "claimed-note" not in again


def test_suspended_platform_credential_through_the_vc_api(live_server, issued):
    document = json.loads(issued.document)
    url = f"{live_server.url}/credentials/verify"
    status, body = _post_json(url, {"verifiableCredential": document})
    assert (status, body["verified"]) == (200, True)
    issuing.suspend(None, issued, "Under review")
    status, body = _post_json(url, {"verifiableCredential": document})
    assert (status, body["verified"]) == (422, False)
    errors = _problems(body, "errors")
    assert list(errors) == ["STATUS_SUSPENDED"]
    assert errors["STATUS_SUSPENDED"].endswith(OUTSIDE)
    # accepting an unknown status does not accept a known suspension
    status, _ = _post_json(url, {"verifiableCredential": document,
                                 "options": {"acceptUnknownStatus": True}})
    assert status == 422
    issuing.unsuspend(None, issued, "Cleared")
    status, _ = _post_json(url, {"verifiableCredential": document})
    assert status == 200


# --- a status list that cannot be fetched ------------------------------------------------------


@pytest.mark.parametrize("where", ["closed port", "404"])
def test_unreachable_status_list_through_the_vc_api(live_server, loopback_fetching, where):
    if where == "closed port":
        list_url = f"http://127.0.0.1:{_closed_port()}/status/1"
    else:
        list_url = f"{live_server.url}/status/nobody/revocation/1"  # 404 on the live server
    credential = _credential_with_status(list_url)
    url = f"{live_server.url}/credentials/verify"
    status, body = _post_json(url, {"verifiableCredential": credential})
    assert status == 422
    assert body["verified"] is False
    errors = _problems(body, "errors")
    assert list(errors) == ["STATUS_RETRIEVAL_ERROR"]
    assert errors["STATUS_RETRIEVAL_ERROR"].startswith(f"The status list at {list_url} could "
                                                       "not be fetched")
    assert errors["STATUS_RETRIEVAL_ERROR"].endswith("The status is unknown, so the credential "
                                                     "cannot be verified.")
    status, body = _post_json(url, {"verifiableCredential": credential,
                                    "options": {"acceptUnknownStatus": True}})
    assert (status, body["verified"]) == (200, True)
    assert "STATUS_RETRIEVAL_ERROR" in _problems(body, "warnings")
    assert body["errors"] == []
    # the option is a JSON boolean, nothing else
    status, body = _post_json(url, {"verifiableCredential": credential,
                                    "options": {"acceptUnknownStatus": "yes"}})
    assert (status, body["code"]) == (400, "REQUEST_INVALID")


def test_unreachable_status_list_in_a_presentation(live_server, loopback_fetching):
    credential = _credential_with_status(f"http://127.0.0.1:{_closed_port()}/status/1")
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"],
          "type": ["VerifiablePresentation"], "verifiableCredential": [credential]}
    url = f"{live_server.url}/presentations/verify"
    status, body = _post_json(url, {"verifiablePresentation": vp})
    assert status == 422
    assert [(p["code"], p["path"]) for p in body["errors"]] == [
        ("STATUS_RETRIEVAL_ERROR", "$.verifiableCredential[0]")]
    status, _ = _post_json(url, {"verifiablePresentation": vp,
                                 "options": {"acceptUnknownStatus": True}})
    assert status == 200


@pytest.mark.django_db
def test_unreachable_status_list_on_the_verify_page(client, loopback_fetching):
    credential = _credential_with_status(f"http://127.0.0.1:{_closed_port()}/status/1")
    page = _text(client.post("/verify", {"credential": json.dumps(credential)}))
    assert _verdict(page) == ("warn", "not_fully_checked", "Could not be fully checked")
    assert "whether the issuer has revoked or suspended this credential could not be " \
           "determined" in page
    assert 'data-code="STATUS_RETRIEVAL_ERROR"' in page
    assert "could not be fetched" in page
    assert "claimed-note" not in page  # the signature held: nothing failed
    as_json = client.post("/verify", {"credential": json.dumps(credential)},
                          HTTP_ACCEPT="application/json").json()
    assert (as_json["verified"], as_json["level"]) == (False, "not_fully_checked")
    assert as_json["verdict"].startswith("Could not be fully checked: revocation: The status "
                                         "list at")


@pytest.mark.django_db
def test_unreachable_list_and_a_broken_signature_is_not_verified(client, loopback_fetching):
    credential = _credential_with_status(f"http://127.0.0.1:{_closed_port()}/status/1")
    credential["name"] = "Forged"
    page = _text(client.post("/verify", {"credential": json.dumps(credential)}))
    assert _verdict(page) == ("bad", "not_verified", "Not verified")


# --- a failed credential's fields are claims ----------------------------------------------------


@pytest.mark.django_db
def test_failed_credential_fields_are_shown_as_claimed(client):
    forged = key_credential(name="Forged Degree")
    forged["credentialSubject"]["creditsEarned"] = 50
    forged["image"] = {"id": "https://images.example/badge.png", "type": "Image"}
    page = _text(client.post("/verify", {"credential": json.dumps(forged)}))
    assert _verdict(page)[0] == "bad"
    assert "Claimed by the document: it did not pass verification" in page
    assert re.search(r"<dt>Credential <span class=\"claimed\">\(claimed\)</span></dt><dd>"
                     r"Forged Degree</dd>", page)
    assert re.search(r"<dt>Issuer <span class=\"claimed\">\(claimed\)</span></dt>", page)
    assert re.search(r"<dt>Recipient <span class=\"claimed\">\(claimed\)</span></dt>", page)
    assert 'alt="Image claimed by the document"' in page
    # the reasons are in the verdict, above the claims
    assert page.index("PROOF_INVALID_SIGNATURE") > page.index('id="verdict"')
    good = _text(client.post("/verify", {"credential": json.dumps(key_credential())}))
    assert "(claimed)" not in good
    assert "claimed-note" not in good


@pytest.mark.django_db
def test_the_option_is_documented_in_the_openapi_document(client):
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    option = schemas["VerifyOptions"]["properties"]["acceptUnknownStatus"]
    assert option["type"] == "boolean"
    assert option["default"] is False
    assert "STATUS_RETRIEVAL_ERROR" in option["description"]
