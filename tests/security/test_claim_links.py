"""Claim links (issue 12, point 2): staff can no longer become a learner.

The attack: any staff member, even a read-only viewer, read a credential's claim link on the
staff credential page and opened it in a fresh browser, signed in as the learner who already
had an account (their record, credit applications, data export). Now the link is never shown to
staff (they may resend the award e-mail), it never signs an existing account in, and it expires.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.test import Client

from microdegree.audit.models import AuditEntry
from microdegree.issuing import mail as issuing_mail
from microdegree.records import auth
from microdegree.records.models import LearnerEmail

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _cheap(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def course(institution):
    from microdegree.catalog import services as catalog

    return catalog.create_definition(
        None, institution, name="Course stats", slug="stats", description="Statistics.",
        criteria_narrative="Pass the exam.", credits_available=5)


@pytest.fixture
def staff(institution, make_user):
    from microdegree.institutions import services as inst_services

    owner = institution.members.get(role="owner").user
    out = {}
    for role in ("viewer", "issuer"):
        user = make_user(f"{role}@uni.example")
        inst_services.set_member(owner, institution, user, role)
        out[role] = user
    return out


def _award(course, email=ADA):
    from microdegree.issuing import services as issuing

    return issuing.issue_credential(None, course, recipient_email=email, send_email=False)


def _staff_client(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _learner_client(email: str) -> Client:
    """A browser signed in through the real sign-in pages (an e-mailed link)."""
    client = Client()
    client.post("/me/login", {"email": email})
    link = _last_link("/me/login/")
    assert client.post(link).status_code == 302
    return client


def _last_link(pattern: str) -> str:
    body = mail.outbox[-1].body
    found = re.findall(r"https?://[^\s]+(" + re.escape(pattern) + r"[^\s]+)", body)
    assert found, body
    return found[-1]


def _claim_token_from_outbox() -> str:
    return _last_link("/claim/").rsplit("/claim/", 1)[1]


def _detail(institution, cred) -> str:
    return f"/institutions/{institution.slug}/credentials/{cred.uuid}/"


@pytest.mark.parametrize("role", ["viewer", "issuer"])
def test_staff_credential_page_shows_no_claim_link(institution, course, staff, role):
    cred = _award(course)
    page = _staff_client(staff[role]).get(_detail(institution, cred))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/claim/" not in html
    # no token of the claim link's signature either (the credential's own uuid is on the page)
    assert not re.search(r"[A-Za-z0-9_-]{20,}:[A-Za-z0-9_-]{4,}:[A-Za-z0-9_-]{20,}", html)
    if role == "issuer":
        assert "Resend the award e-mail" in html
    else:
        assert "Resend the award e-mail" not in html


def test_a_claim_link_does_not_sign_in_an_existing_learner(institution, course):
    learner = _learner_client(ADA)  # Ada has a record already
    assert learner.get("/me/").status_code == 200
    cred = _award(course)
    token = issuing_mail.claim_token(cred)  # whoever holds the link, e.g. from an old page
    stranger = Client()
    assert stranger.get(f"/me/claim/{token}").status_code == 200  # the confirmation page
    answer = stranger.post(f"/me/claim/{token}")
    assert answer.status_code == 200
    assert b"Check your e-mail" in answer.content
    # the stranger is not signed in: no record, no data export, no credit applications
    assert stranger.get("/me/").status_code == 302
    assert stranger.get("/me/export").status_code == 302
    assert stranger.get("/me/credit/").status_code == 302
    # the sign-in link went to Ada's mailbox, and comes back to the claim
    assert mail.outbox[-1].to == [ADA]
    link = _last_link("/me/login/")
    ada_elsewhere = Client()
    signed_in = ada_elsewhere.post(link)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == f"/me/claim/{token}"
    claimed = ada_elsewhere.post(f"/me/claim/{token}")
    assert claimed["Location"] == f"/me/credentials/p-{cred.uuid}/"
    assert AuditEntry.objects.filter(action="records.credential_claimed").count() == 1


def test_a_signed_in_learner_must_confirm_another_address_first(institution, course):
    bob = _learner_client("bob@example.org")
    cred = _award(course, "bob@old-job.example")
    token = issuing_mail.claim_token(cred)
    answer = bob.post(f"/me/claim/{token}")
    assert answer.status_code == 302
    assert not LearnerEmail.objects.filter(email="bob@old-job.example",
                                           verified_at__isnull=False).exists()
    assert f"p-{cred.uuid}".encode() not in bob.get("/me/").content
    assert mail.outbox[-1].to == ["bob@old-job.example"]
    assert bob.post(_last_link("/me/emails/verify/")).status_code == 302
    assert f"p-{cred.uuid}".encode() in bob.get("/me/").content


def test_an_address_of_another_record_is_not_taken_over_by_a_claim_link(institution, course):
    _learner_client(ADA)
    mallory = _learner_client("mallory@example.org")
    cred = _award(course)
    answer = mallory.post(f"/me/claim/{issuing_mail.claim_token(cred)}")
    assert answer.status_code == 409
    assert b"another learning record" in answer.content


def test_a_new_recipient_gets_their_record_from_the_claim_link_once(institution, course):
    cred = _award(course, "new@example.org")
    token = issuing_mail.claim_token(cred)
    browser = Client()
    answer = browser.post(f"/me/claim/{token}")
    assert answer["Location"] == f"/me/credentials/p-{cred.uuid}/"
    assert browser.get("/me/").status_code == 200
    # the second time the account exists: a sign-in link, not a session
    other = Client()
    assert b"Check your e-mail" in other.post(f"/me/claim/{token}").content
    assert other.get("/me/").status_code == 302


def test_an_expired_claim_link_is_refused_with_a_sentence(institution, course):
    cred = _award(course, "new@example.org")
    days = issuing_mail.claim_link_days()
    assert days == 30
    old = issuing_mail.claim_token(cred, now=time.time() - (days + 1) * 24 * 3600)
    browser = Client()
    for answer in (browser.get(f"/me/claim/{old}"), browser.post(f"/me/claim/{old}"),
                   browser.get(f"/claim/{old}")):
        assert answer.status_code == 410
        assert b"This claim link has expired" in answer.content
    assert browser.get("/me/").status_code == 302
    fresh = issuing_mail.claim_token(cred, now=time.time() - (days - 1) * 24 * 3600)
    assert browser.get(f"/me/claim/{fresh}").status_code == 200


def test_claim_link_days_come_from_the_environment(institution, course, monkeypatch):
    cred = _award(course, "new@example.org")
    monkeypatch.setenv("MICRODEGREE_CLAIM_LINK_DAYS", "2")
    three_days_old = issuing_mail.claim_token(cred, now=time.time() - 3 * 24 * 3600)
    assert Client().get(f"/me/claim/{three_days_old}").status_code == 410


def test_a_claim_link_from_before_links_expired_is_refused(institution, course):
    from django.core import signing

    cred = _award(course, "new@example.org")
    legacy = signing.dumps({"c": str(cred.uuid)}, salt=issuing_mail.CLAIM_SALT, compress=True)
    answer = Client().post(f"/me/claim/{legacy}")
    assert answer.status_code == 410


def test_resending_renews_the_link_and_is_audited(institution, course, staff,
                                                   django_capture_on_commit_callbacks):
    cred = _award(course, "new@example.org")
    issuer = _staff_client(staff["issuer"])
    viewer = _staff_client(staff["viewer"])
    url = f"/institutions/{institution.slug}/credentials/{cred.uuid}/resend/"
    assert viewer.post(url).status_code in (403, 404)
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        answer = issuer.post(url)
    assert answer.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    assert "30 days" in mail.outbox[0].body
    entry = AuditEntry.objects.get(action="issuing.award_email_resent")
    assert entry.actor == staff["issuer"]
    # the fresh link works for the recipient
    token = _claim_token_from_outbox()
    browser = Client()
    assert browser.post(f"/me/claim/{token}")["Location"] == f"/me/credentials/p-{cred.uuid}/"
    assert auth.normalise_email("new@example.org") in [
        e.email for e in LearnerEmail.objects.filter(verified_at__isnull=False)]


def test_a_revoked_credential_is_not_sent_again(institution, course, staff):
    from microdegree.issuing import services as issuing

    cred = _award(course, "new@example.org")
    issuing.revoke(None, cred, "Mistake")
    answer = _staff_client(staff["issuer"]).post(
        f"/institutions/{institution.slug}/credentials/{cred.uuid}/resend/", follow=True)
    assert b"not sent again" in answer.content
    assert len(mail.outbox) == 0
