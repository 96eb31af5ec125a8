"""Awarding: signed, verifiable, stored verbatim, private, idempotent, audited, e-mailed."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import override_settings

from microdegree.audit.models import AuditEntry
from microdegree.issuing import mail as issuing_mail
from microdegree.issuing import services, statuslists
from microdegree.issuing.errors import Conflict, Invalid
from microdegree.issuing.models import IssuedCredential, StatusList
from microdegree.vc.builders.identity import identity_matches

pytestmark = pytest.mark.django_db

EMAIL = "Ada.Lovelace@Example.org"


def _codes(report):
    return {c.code for c in report.checks}


def test_issued_credential_verifies_and_hides_the_email(institution, course, check, client):
    cred = services.issue_credential(
        None, course, recipient_email=EMAIL, recipient_name="Ada Lovelace",
        credits_earned=5, result="8.5", narrative="Capstone on census data.",
        evidence_url="https://uni.example/portfolio/ada", activity_start="2026-09-01",
        activity_end="2026-12-19", send_email=False,
    )
    report = check(cred.document, institution)
    assert report.verified, [(c.code, c.message) for c in report.checks]
    assert {"SCHEMA_VALID", "STATUS_OK"} <= _codes(report)
    doc = json.loads(cred.document)
    assert "ada.lovelace" not in cred.document.lower()  # never a plain e-mail
    subject = doc["credentialSubject"]
    hashed, name = subject["identifier"]
    assert hashed["identityHash"].startswith("sha256$")
    assert identity_matches(hashed, EMAIL.lower())
    assert name == {"type": "IdentityObject", "hashed": False, "identityHash": "Ada Lovelace",
                    "identityType": "name"}
    assert subject["creditsEarned"] == 5
    assert subject["result"][0]["value"] == "8.5"
    assert subject["achievement"]["name"] == "Course data-literacy"
    assert doc["id"] == cred.credential_id
    assert doc["id"].startswith("urn:uuid:")
    assert doc["issuer"]["id"] == institution.did
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert doc["validUntil"][:4] == str(cred.issued_at.year + 2)
    assert doc["evidence"][0]["id"] == "https://uni.example/portfolio/ada"
    entry = doc["credentialStatus"]
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListIndex"] == str(cred.status_index)
    assert entry["statusListCredential"] == cred.status_list.url
    assert cred.recipient_email == EMAIL.lower()
    # the version is now immutable in the catalogue
    course.refresh_from_db()
    assert course.awarded_at is not None


def test_the_jcs_suite_is_used_when_the_institution_chose_it(institution, course, check):
    institution.suite = "eddsa-jcs-2022"
    institution.save()
    course.definition.institution.suite = "eddsa-jcs-2022"
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    assert json.loads(cred.document)["proof"][0]["cryptosuite"] == "eddsa-jcs-2022"
    assert check(cred.document, institution).verified


def test_the_stored_document_is_served_byte_for_byte(institution, course, client):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    owner = institution.members.get(role="owner").user
    client.force_login(owner)
    response = client.get(f"/api/v1/institutions/{institution.slug}/credentials/{cred.uuid}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response.content == cred.document.encode()
    assert IssuedCredential.objects.get(pk=cred.pk).document == cred.document


def test_an_idempotency_key_never_issues_twice(institution, course):
    first = services.issue_credential(None, course, recipient_email=EMAIL,
                                      idempotency_key="row-17", send_email=False)
    again = services.issue_credential(None, course, recipient_email=EMAIL,
                                      idempotency_key="row-17", send_email=False)
    assert again.pk == first.pk
    assert again.document == first.document
    assert IssuedCredential.objects.count() == 1
    with pytest.raises(Conflict) as reused:
        services.issue_credential(None, course, recipient_email="someone@else.org",
                                  idempotency_key="row-17", send_email=False)
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_a_batch_opens_the_key_once_and_dedupes_keys(institution, course):
    rows = [{"recipient_email": f"learner{i}@example.org", "idempotency_key": f"k{i % 3}"}
            for i in range(6)]
    creds = services.issue_many(None, course, rows, send_email=False)
    assert len(creds) == 6
    assert IssuedCredential.objects.count() == 3  # rows 3..5 repeat the keys of rows 0..2
    assert [c.pk for c in creds[3:]] == [c.pk for c in creds[:3]]
    again = services.issue_many(None, course, rows[:3], send_email=False)
    assert [c.pk for c in again] == [c.pk for c in creds[:3]]
    assert IssuedCredential.objects.count() == 3


def test_invalid_rows_are_refused_with_a_code(institution, course):
    with pytest.raises(Invalid) as bad_email:
        services.issue_credential(None, course, recipient_email="not an address")
    assert bad_email.value.code == "EMAIL_INVALID"
    with pytest.raises(Invalid) as bad_dates:
        services.issue_credential(None, course, recipient_email=EMAIL,
                                  activity_start="2026-10-01", activity_end="2026-09-01")
    assert bad_dates.value.code == "DATES_INVALID"
    with pytest.raises(Invalid) as bad_url:
        services.issue_credential(None, course, recipient_email=EMAIL,
                                  evidence_url="javascript:alert(1)")
    assert bad_url.value.code == "EVIDENCE_URL_INVALID"
    assert IssuedCredential.objects.count() == 0


def test_revocation_is_visible_on_the_very_next_request(institution, course, check, client):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    path = cred.status_list.path
    before = client.get(path)
    assert check(cred.document, institution).verified
    services.revoke(None, cred, "Exam fraud")
    after = client.get(path)
    assert after["ETag"] != before["ETag"]
    report = check(cred.document, institution)
    assert not report.verified
    assert "STATUS_REVOKED" in _codes(report)
    cred.refresh_from_db()
    assert cred.state == "revoked"
    assert cred.state_reason == "Exam fraud"
    with pytest.raises(Conflict):
        services.revoke(None, cred, "again")
    with pytest.raises(Conflict):
        services.suspend(None, cred, "too late")
    with pytest.raises(Conflict):
        services.unsuspend(None, cred, "revocation is permanent")
    with pytest.raises(Invalid):
        services.revoke(None, cred, "  ")


def test_suspend_and_unsuspend_flip_the_suspension_bit(institution, course):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    services.suspend(None, cred, "Under investigation")
    cred.refresh_from_db()
    assert cred.state == "suspended"
    assert statuslists.get_status(StatusList.objects.get(pk=cred.suspension_list_id),
                                  cred.suspension_index) == 1
    with pytest.raises(Conflict):
        services.suspend(None, cred, "twice")
    services.unsuspend(None, cred, "Cleared")
    cred.refresh_from_db()
    assert cred.state == "active"
    assert statuslists.get_status(StatusList.objects.get(pk=cred.suspension_list_id),
                                  cred.suspension_index) == 0
    # the revocation bit was never touched
    assert statuslists.get_status(StatusList.objects.get(pk=cred.status_list_id),
                                  cred.status_index) == 0


@override_settings(MICRODEGREE_ISSUING_EMBED_SUSPENSION=True)
def test_an_embedded_suspension_entry_is_seen_by_verifiers(institution, course, check):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    entries = json.loads(cred.document)["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert "STATUS_SUSPENDED" not in _codes(check(cred.document, institution))
    services.suspend(None, cred, "Under investigation")
    assert "STATUS_SUSPENDED" in _codes(check(cred.document, institution))
    services.unsuspend(None, cred, "Cleared")
    codes = _codes(check(cred.document, institution))
    assert "STATUS_SUSPENDED" not in codes
    assert "STATUS_OK" in codes


def test_status_lists_are_served_with_etag_cors_and_short_cache(institution, course, client):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    response = client.get(cred.status_list.path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+ld+json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == "public, max-age=60"
    body = json.loads(response.content)
    assert body["id"] == cred.status_list.url
    assert body["credentialSubject"]["ttl"] == 60_000
    assert body["credentialSubject"]["statusPurpose"] == "revocation"
    etag = response["ETag"]
    cached = client.get(cred.status_list.path, HTTP_IF_NONE_MATCH=etag)
    assert cached.status_code == 304
    assert cached["ETag"] == etag
    # unchanged bits: the cached signature is served again, not re-signed
    assert client.get(cred.status_list.path).content == response.content
    assert client.get(f"/status/{institution.slug}/revocation/99").status_code == 404
    assert client.get(f"/status/{institution.slug}/refresh/1").status_code == 404
    assert client.options(cred.status_list.path).status_code == 204


def test_indices_are_random_unique_and_a_full_list_opens_the_next(institution):
    picked = statuslists.allocate_indices(institution, "revocation", 500)
    indices = [i for _, i in picked]
    assert len(set(indices)) == 500
    assert indices != sorted(indices)
    assert max(indices) > 1000  # spread over the list, not packed at the start
    status_list = picked[0][0]
    status_list.refresh_from_db()
    assert status_list.used == 500
    # fill it up to the threshold: the next allocation goes to list 2
    StatusList.objects.filter(pk=status_list.pk).update(
        used=int(status_list.size * statuslists.FULL_THRESHOLD))
    more = statuslists.allocate_indices(institution, "revocation", 3)
    assert {sl.sequence for sl, _ in more} == {2}
    with pytest.raises(Invalid):
        statuslists.allocate_indices(institution, "bogus", 1)


def test_every_write_is_audited(institution, course, issuer):
    cred = services.issue_credential(issuer, course, recipient_email=EMAIL, send_email=False)
    services.suspend(issuer, cred, "Check")
    services.unsuspend(issuer, cred, "OK")
    services.revoke(issuer, cred, "Fraud")
    entries = AuditEntry.objects.filter(object_type="issuing.IssuedCredential",
                                        object_id=str(cred.pk)).order_by("id")
    assert [e.action for e in entries] == [
        "issuing.credential_issued", "issuing.credential_suspended",
        "issuing.credential_unsuspended", "issuing.credential_revoked",
    ]
    revoked = entries.last()
    assert revoked.actor == issuer
    assert revoked.institution_id == institution.pk
    assert revoked.before["state"] == "active"
    assert revoked.after == {"state": "revoked", "reason": "Fraud",
                             "credential_id": cred.credential_id}


def test_the_recipient_gets_an_email_with_a_claim_link(institution, course, client,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        cred = services.issue_credential(None, course, recipient_email=EMAIL,
                                         recipient_name="Ada")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL.lower()]
    assert "Course data-literacy" in message.subject
    link = next(w for w in message.body.split() if "/claim/" in w)
    path = link.split("localhost:8000", 1)[-1] if "localhost" in link else link
    token = path.rsplit("/claim/", 1)[1]
    assert issuing_mail.read_claim_token(token) == str(cred.uuid)
    page = client.get(f"/claim/{token}")
    assert page.status_code == 200
    assert b"Course data-literacy" in page.content
    assert f'href="/me/claim/{token}"'.encode() in page.content  # on to the learner's record
    download = client.get(f"/claim/{token}?format=json")
    assert download.content == cred.document.encode()
    assert client.get(f"/claim/{token}x").status_code == 404


def test_no_email_when_asked_not_to(institution, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    assert mail.outbox == []


def test_an_unapproved_institution_cannot_award(make_user, course):
    from microdegree.institutions import services as inst_services

    owner = make_user()
    pending = inst_services.register_institution(owner, name="New College", country_code="NL",
                                                 owner=owner)
    from tests.issuing.conftest import make_course

    version = make_course(pending, "intro")
    with pytest.raises(Exception) as refused:
        services.issue_credential(None, version, recipient_email=EMAIL)
    assert getattr(refused.value, "code", "") == "INSTITUTION_NOT_APPROVED"


def test_publish_re_signs_only_when_the_bits_change(institution, course):
    cred = services.issue_credential(None, course, recipient_email=EMAIL, send_email=False)
    status_list = cred.status_list
    first = statuslists.publish(status_list)
    assert statuslists.publish(status_list) == first  # cached by version
    assert first["proof"][0]["verificationMethod"].startswith(institution.did)
    statuslists.set_status(status_list, cred.status_index, 1)
    second = statuslists.publish(status_list)
    assert second["credentialSubject"]["encodedList"] != first["credentialSubject"]["encodedList"]
    assert not statuslists.set_status(status_list, cred.status_index, 1)  # no change, no bump


def test_reissue_after_a_name_change_supersedes_the_old_credential(institution, course, check):
    old = services.issue_credential(None, course, recipient_email=EMAIL, recipient_name="Ada B",
                                    result="9", send_email=False)
    new = services.reissue(None, old, reason="Name change", recipient_name="Ada Lovelace")
    old.refresh_from_db()
    assert old.state == "revoked"
    assert old.superseded_by == new
    assert new.result_value == "9"
    assert new.recipient_name == "Ada Lovelace"
    assert "STATUS_REVOKED" in _codes(check(old.document, institution))
    assert check(new.document, institution).verified
    assert AuditEntry.objects.filter(action="issuing.credential_reissued").count() == 1
    with pytest.raises(Conflict):
        services.reissue(None, old, reason="again")
