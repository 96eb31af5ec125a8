"""Issue 12 point 4: an institution cannot sign another university's name, and pages name the
issuer from the registry.

The attack: an approved institution's issuer token asks the VC API to sign a credential whose
issuer profile is its own DID with the name (and web site) of another university; before the
fix the API signed it (201) and /verify headlined the false name beside a green verdict.
"""

from __future__ import annotations

import json
import re

import pytest

from microdegree.institutions import services as inst_services
from microdegree.issuing import services as issuing_services
from microdegree.vc import proofs
from microdegree.vcapi.models import ApiCredential
from tests.samples import sample_credential

from ._http_support import call

pytestmark = pytest.mark.django_db(transaction=True)

VC_V2 = "https://www.w3.org/ns/credentials/v2"
MIT = "Massachusetts Institute of Technology"


def _credential(issuer):
    return {"@context": [VC_V2], "type": ["VerifiableCredential"], "issuer": issuer,
            "credentialSubject": {"id": "did:example:learner", "name": "Ada"}}


@pytest.fixture
def token(institution):
    return issuing_services.create_api_token(None, institution, "lms", role="issuer")[1]


def _issue(live_server, token, credential):
    return call("POST", f"{live_server.url}/credentials/issue", {"credential": credential},
                token=token)


@pytest.mark.parametrize("profile", [
    {"name": MIT},
    {"name": "Example University", "url": "https://web.mit.edu/"},
    {"name": "Example University", "email": "registrar@mit.edu"},
    {"name": "Example University", "image": "https://web.mit.edu/logo.png"},
])
def test_the_vc_api_refuses_another_issuer_profile(live_server, token, institution, profile):
    answer = _issue(live_server, token, _credential({"id": institution.did, **profile}))
    assert answer.status == 400, answer.text
    body = answer.json()
    assert body["code"] == "ISSUER_PROFILE_MISMATCH"
    assert "registered" in body["message"]
    assert {p["code"] for p in body["problems"]} == {"ISSUER_PROFILE_MISMATCH"}
    assert not ApiCredential.objects.exists()


def test_the_registered_profile_is_filled_in(live_server, token, institution, admin_user):
    inst_services.update_institution(admin_user, institution, url="https://uni.example/",
                                     email="registrar@uni.example")
    answer = _issue(live_server, token, _credential({"id": institution.did}))
    assert answer.status == 201, answer.text
    # a plain VC: the name (VCDM 2.0 defines it; url and email need the OB context)
    assert answer.json()["verifiableCredential"]["issuer"] == {
        "id": institution.did, "name": "Example University"}
    # an Open Badge: the whole registered profile
    badge = sample_credential(issuer=institution.did, status_list=None)
    badge.pop("id")
    badge["issuer"] = {"id": institution.did, "type": ["Profile"]}
    answer = _issue(live_server, token, badge)
    assert answer.status == 201, answer.text
    assert answer.json()["verifiableCredential"]["issuer"] == {
        "id": institution.did, "type": ["Profile"], "name": "Example University",
        "url": "https://uni.example/", "email": "registrar@uni.example"}
    # the registered values themselves are accepted (spacing, case of the e-mail, a final /)
    badge["issuer"] = {"id": institution.did, "type": ["Profile"],
                       "name": " Example  University ", "url": "https://uni.example",
                       "email": "Registrar@Uni.Example"}
    assert _issue(live_server, token, badge).status == 201


def _signed_with_institution_key(institution, name):
    """What the API signed before the fix (or any document the institution's key signs)."""
    key, method = inst_services.signer_for(institution)
    return proofs.sign(_credential({"id": institution.did, "name": name}), key,
                       verification_method=method)


def test_verify_names_the_issuer_from_the_registry_and_flags_the_false_name(
        live_server, client, institution):
    signed = _signed_with_institution_key(institution, MIT)
    page = client.post("/verify", {"credential": json.dumps(signed)})  # the page (CSRF form)
    assert page.status_code == 200
    html = page.content.decode()
    issuer_cell = re.search(r'<span class="issuer-name">(.*?)</span>\s*(?:<span|<br)', html,
                            re.S)
    assert issuer_cell is not None
    assert "Example University" in issuer_cell.group(1)
    assert MIT not in issuer_cell.group(1)
    assert 'data-code="ISSUER_NAME_MISMATCH"' in html
    assert (f"The document calls its issuer “{MIT}”; the registry knows this DID as "
            "“Example University”.") in html
    assert "Verified, with warnings" in html  # never a plain green "Verified" beside it

    body = client.post("/verify", {"credential": json.dumps(signed)},
                       headers={"Accept": "application/json"}).json()
    assert body["issuer"]["name"] == "Example University"
    assert body["issuer"]["known"] is True
    assert body["issuer"]["claimedName"] == MIT
    assert body["issuer"]["mismatch"] is True

    api = call("POST", f"{live_server.url}/credentials/verify", {"verifiableCredential": signed})
    assert "ISSUER_NAME_MISMATCH" in [w["code"] for w in api.json()["warnings"]]


def test_a_matching_name_is_not_flagged(client, institution):
    signed = _signed_with_institution_key(institution, "Example University")
    html = client.post("/verify", {"credential": json.dumps(signed)}).content.decode()
    assert "ISSUER_NAME_MISMATCH" not in html
    assert "known to Microdegree platform" in html
    assert "Verified, with warnings" not in html


def test_the_public_credential_and_share_pages_name_the_registered_issuer(
        client, institution, admin_user, make_user):
    """A credential the platform issued under an earlier name: the pages name the institution
    as registered now and say what the document calls it."""
    from django.utils import timezone

    from microdegree.catalog import services as catalog
    from microdegree.records import services as records_services
    from microdegree.records.models import LearnerEmail

    course = catalog.create_definition(
        None, institution, name="Data Literacy", slug="data-literacy", description="Data.",
        criteria_narrative="Pass.", credits_available=5, validity_months=24, eqf_level=6)
    issued = issuing_services.issue_credential(
        None, course, recipient_email="ada@example.org", recipient_name="Ada Lovelace",
        credits_earned=5, send_email=False)
    inst_services.update_institution(admin_user, institution, name="Example University of Tech")
    flagged = ("The document calls its issuer “Example University”; the registry knows this DID "
               "as “Example University of Tech”.")
    html = client.get(f"/credentials/{issued.uuid}").content.decode()
    assert re.search(r'<span class="issuer-name">Example University of Tech ', html)
    assert flagged in html

    ada = make_user("ada-account@example.org")
    LearnerEmail.objects.create(user=ada, email="ada@example.org", verified_at=timezone.now())
    pref = records_services.set_preference(ada, f"p-{issued.uuid}", visibility="link")
    html = client.get(f"/share/{pref.share_token}").content.decode()
    assert re.search(r'<span class="issuer-name">Example University of Tech ', html)
    assert flagged in html
