"""Imported credentials not addressed to the learner (issue 12, point 3).

The attack: learner A imports learner B's credential from its public address `/credentials/<uuid>`
(or pushes it through the OB API); the platform then signed a CLR with A's identity and B's
microdegree inside, listed it to apps, shared it and let A use it for credit. Now it stays in A's
record marked "not addressed to you", and the platform vouches for it nowhere.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from microdegree.records.models import ImportedCredential
from microdegree.vc import did, proofs
from tests.obapi.conftest import API, OAuth, bearer
from tests.samples import sample_credential
from tests.verification.helpers import key_from

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"
BOB = "bob@example.org"


@pytest.fixture(autouse=True)
def _cheap(settings):
    from microdegree.verification import services as verification_services

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    verification_services.reset()
    yield
    verification_services.reset()


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Course stats", slug="stats", description="Statistics.",
        criteria_narrative="Pass the exam.", credits_available=5, ects=5)


def _award(course, email):
    from microdegree.issuing import services as issuing

    return issuing.issue_credential(None, course, recipient_email=email, send_email=False)


def _last_link(pattern: str) -> str:
    body = mail.outbox[-1].body
    found = re.findall(r"https?://[^\s]+(" + re.escape(pattern) + r"[^\s]+)", body)
    assert found, body
    return found[-1]


def _sign_in(email: str) -> Client:
    client = Client()
    client.post("/me/login", {"email": email})
    assert client.post(_last_link("/me/login/")).status_code == 302
    return client


@pytest.fixture
def ada_with_bobs_credential(course):
    """Ada holds her own credential and has imported Bob's from its public address."""
    own = _award(course, ADA)
    bobs = _award(course, BOB)
    ada = _sign_in(ADA)
    answer = ada.post("/me/import", {"url": f"{settings.PUBLIC_URL}/credentials/{bobs.uuid}"})
    assert answer.status_code == 302  # kept, not refused
    imported = ImportedCredential.objects.get()
    return ada, own, bobs, imported


def test_it_is_kept_and_shown_as_not_addressed(ada_with_bobs_credential):
    ada, _own, _bobs, imported = ada_with_bobs_credential
    assert imported.addressed is False
    assert b"Not addressed to you" in ada.get("/me/").content
    assert b"Not addressed to you" in ada.get(f"/me/credentials/i-{imported.uuid}/").content


def test_the_platform_signs_no_clr_holding_it(ada_with_bobs_credential):
    ada, own, bobs, imported = ada_with_bobs_credential
    page = ada.get("/me/clr")
    assert f"i-{imported.uuid}" not in page.content.decode()
    alone = ada.post("/me/clr", {"credential": [f"i-{imported.uuid}"]})
    assert alone.status_code == 400
    both = ada.post("/me/clr", {"credential": [f"p-{own.uuid}", f"i-{imported.uuid}"]})
    assert both.status_code == 200
    clr = json.loads(b"".join(both.streaming_content) if both.streaming else both.content)
    text = json.dumps(clr)
    assert own.credential_id in text
    assert bobs.credential_id not in text


def test_it_cannot_be_shared(ada_with_bobs_credential):
    ada, _own, _bobs, imported = ada_with_bobs_credential
    answer = ada.post(f"/me/credentials/i-{imported.uuid}/preferences", {"visibility": "link"})
    assert answer.status_code == 409
    assert b"does not name you" in answer.content
    assert not imported.preferences.filter(visibility="link").exists()


def test_a_share_link_switched_on_before_is_dead(ada_with_bobs_credential):
    from microdegree.records.models import CredentialPreference

    _ada, _own, _bobs, imported = ada_with_bobs_credential
    pref = CredentialPreference.objects.create(user=imported.user, imported=imported,
                                               visibility="link", share_token="t" * 32)
    assert Client().get(f"/share/{pref.share_token}").status_code == 404


def test_the_ob_api_does_not_list_it_even_when_pushed_through_the_api(course):
    own = _award(course, ADA)
    bobs = _award(course, BOB)
    _sign_in(ADA)
    from microdegree.records.models import LearnerEmail

    ada_user = LearnerEmail.objects.get(email=ADA).user
    oauth = OAuth(Client())
    _app, tokens = oauth.access(ada_user)
    api = Client()
    pushed = api.post(f"{API}/credentials", bobs.document, content_type="application/json",
                      **bearer(tokens["access_token"]))
    assert pushed.status_code in (200, 201), pushed.content
    assert ImportedCredential.objects.get().addressed is False
    listed = api.get(f"{API}/credentials", **bearer(tokens["access_token"]))
    assert listed.status_code == 200
    ids = [c["id"] for c in listed.json()["credential"]]
    assert ids == [own.credential_id]


def test_a_credit_application_refuses_it(ada_with_bobs_credential, make_user, admin_user):
    from microdegree.institutions import services as inst_services
    from microdegree.recognition import services as recognition
    from microdegree.recognition.models import CreditApplication

    ada, own, _bobs, imported = ada_with_bobs_credential
    owner = make_user("owner@tech.example")
    university = inst_services.register_institution(
        owner, name="Technical University", country_code="DE", owner=owner, slug="tech-uni")
    inst_services.approve_institution(admin_user, university)
    program = recognition.create_program(
        None, university, name="MSc Data Science", total_credits=120, duration_terms=4,
        duration_months=24, residency_terms=4, residency_months=24,
        max_recognised_fraction=0.5, eqf_level=7, field_of_study="Data science")
    form = ada.get("/me/credit/apply").content.decode()
    assert f"i-{imported.uuid}" not in form
    answer = ada.post("/me/credit/apply", {"program": program.pk,
                                           "record": [f"i-{imported.uuid}"]})
    assert answer.status_code == 400
    assert not CreditApplication.objects.exists()
    # and the service refuses it whichever page asks
    with pytest.raises(Exception, match="does not name you"):
        recognition.record_items(imported.user, [f"i-{imported.uuid}"])
    assert own  # her own credential is still usable
    assert recognition.record_items(imported.user, [f"p-{own.uuid}"])


def test_confirming_the_address_it_names_makes_it_addressed(course):
    work = _award(course, "ada@work.example")
    ada = _sign_in(ADA)
    ada.post("/me/import", {"credential": work.document})
    imported = ImportedCredential.objects.get()
    assert imported.addressed is False
    ada.post("/me/emails/", {"email": "ada@work.example"})
    assert ada.post(_last_link("/me/emails/verify/")).status_code == 302
    imported.refresh_from_db()
    assert imported.addressed is True
    assert f"i-{imported.uuid}" in ada.get("/me/clr").content.decode()


def test_binding_the_did_it_names_makes_it_addressed(db):
    key = key_from(21)
    issuer = did.did_key(key)
    holder = did.did_key(key_from(22))
    doc = proofs.sign(sample_credential(issuer, status_list=None, subject_id=holder),
                      key, verification_method=f"{issuer}#{key.public_multibase}")
    ada = _sign_in(ADA)
    assert ada.post("/me/import", {"credential": json.dumps(doc)}).status_code == 302
    imported = ImportedCredential.objects.get()
    assert imported.addressed is False
    assert ada.post("/me/did", {"did": holder}).status_code == 302
    imported.refresh_from_db()
    assert imported.addressed is True
    assert ada.post("/me/did/remove").status_code == 302
    imported.refresh_from_db()
    assert imported.addressed is False
