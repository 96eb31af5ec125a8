"""Signing in by e-mailed link (single use, expiry, rate limit), claim links, extra addresses
matched through the salted identity hash."""

from __future__ import annotations

import json

import pytest
from django.core import mail, signing

from microdegree.audit.models import AuditEntry
from microdegree.issuing import mail as issuing_mail
from microdegree.records import auth, record, services
from microdegree.records.models import LearnerEmail, UsedToken
from microdegree.records.services import accounts

from .conftest import award, last_link

pytestmark = pytest.mark.django_db

ADA = "ada@example.org"


def test_a_link_signs_in_once_and_creates_the_learner(client, sign_in):
    user = sign_in("Ada@Example.org")
    assert user.email == ADA
    assert not user.has_usable_password()
    assert client.get("/me/").status_code == 200
    assert AuditEntry.objects.filter(action="records.signed_in", actor=user).exists()
    # the same link a second time: refused, in a fresh browser too
    link = last_link("/me/login/")
    client.logout()
    response = client.post(link)
    assert response.status_code == 400
    assert b"already been used" in response.content
    assert client.get("/me/").status_code == 302  # not signed in


def test_the_link_is_in_the_email_and_get_does_not_use_it(client):
    client.post("/me/login", {"email": ADA})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [ADA]
    link = last_link("/me/login/")
    assert client.get(link).status_code == 200  # a mail scanner's GET
    assert client.get(link).status_code == 200
    assert UsedToken.objects.count() == 0
    assert client.post(link).status_code == 302


def test_an_expired_link_is_refused(client, monkeypatch):
    token = auth.make_token("login", ADA)
    real_loads = signing.loads

    def later(*args, **kwargs):  # as if 15 minutes and one second had passed
        kwargs["max_age"] = -1
        return real_loads(*args, **kwargs)

    monkeypatch.setattr(auth.signing, "loads", later)
    response = client.post(f"/me/login/{token}")
    assert response.status_code == 400
    assert b"expired" in response.content
    assert auth.MAX_AGE["login"] == 15 * 60


def test_a_forged_or_other_purpose_token_is_refused(client):
    assert client.post("/me/login/not-a-token").status_code == 400
    verify_token = auth.make_token("verify", ADA, 1)
    assert client.post(f"/me/login/{verify_token}").status_code == 400


def test_rate_limit_per_address_and_per_ip(client):
    for _ in range(auth.RATE_LIMIT):
        assert client.post("/me/login", {"email": ADA}).status_code == 200
    response = client.post("/me/login", {"email": ADA})
    assert response.status_code == 429
    assert b"try again later" in response.content
    assert len(mail.outbox) == auth.RATE_LIMIT
    # other addresses from the same IP address are limited too
    response = client.post("/me/login", {"email": "other@example.org"})
    assert response.status_code == 429
    assert b"from your network" in response.content
    # another IP address may still ask for another address
    assert client.post("/me/login", {"email": "other@example.org"},
                       REMOTE_ADDR="10.1.2.3").status_code == 200


def test_staff_accounts_do_not_sign_in_by_link(client, admin_user, institution):
    client.post("/me/login", {"email": admin_user.email})
    response = client.post(last_link("/me/login/"))
    assert response.status_code == 403
    # nor do an institution's staff (owner@uni.example owns the institution)
    client.post("/me/login", {"email": "owner@uni.example"})
    assert client.post(last_link("/me/login/")).status_code == 403
    assert not LearnerEmail.objects.exists()


def test_a_claim_link_signs_in_and_claims(client, institution, pathway):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA)
    token = issuing_mail.claim_token(cred)
    assert client.get(f"/me/claim/{token}").status_code == 200  # a confirmation page
    response = client.post(f"/me/claim/{token}")
    assert response.status_code == 302
    assert response["Location"] == f"/me/credentials/p-{cred.uuid}/"
    page = client.get("/me/")
    assert stats.name.encode() in page.content
    learner = LearnerEmail.objects.get(email=ADA).user
    assert AuditEntry.objects.filter(action="records.credential_claimed", actor=learner).exists()
    # the claim link signs in only once, a new account; the owner, signed in, may follow it
    # again; signed out, the account exists: a sign-in link goes to the address instead
    assert client.post(f"/me/claim/{token}").status_code == 302
    client.logout()
    again = client.post(f"/me/claim/{token}")
    assert again.status_code == 200
    assert b"Check your e-mail" in again.content
    assert client.get("/me/").status_code == 302
    assert client.post("/me/claim/forged").status_code == 404


def test_credentials_to_a_second_address_appear_only_once_it_is_verified(
        client, institution, pathway, sign_in):
    _, (stats, viz, _) = pathway
    first = award(stats, ADA)
    second = award(viz, "ada@work.example")
    user = sign_in(ADA)
    assert [c.pk for c in record.platform_credentials(user)] == [first.pk]
    response = client.post("/me/emails/", {"email": "Ada@Work.example"})
    assert response.status_code == 302
    entry = LearnerEmail.objects.get(user=user, email="ada@work.example")
    assert entry.verified_at is None
    assert [c.pk for c in record.platform_credentials(user)] == [first.pk]  # not yet
    link = last_link("/me/emails/verify/")
    assert client.post(link).status_code == 302
    assert {c.pk for c in record.platform_credentials(user)} == {first.pk, second.pk}
    assert client.post(link).status_code == 400  # single use


def test_matching_checks_the_hash_in_the_credential_not_the_column(institution, pathway,
                                                                   make_user):
    from microdegree.issuing.models import IssuedCredential

    _, (stats, _, _) = pathway
    cred = award(stats, ADA)
    user = make_user("someone@example.org")
    LearnerEmail.objects.create(user=user, email=ADA, verified_at="2026-01-01T00:00:00Z")
    assert record.platform_credentials(user) == [cred]
    # the column says ADA, but the credential's salted hash names another address
    doc = json.loads(cred.document)
    doc["credentialSubject"]["identifier"][0]["salt"] = "another-salt"
    IssuedCredential.objects.filter(pk=cred.pk).update(document=json.dumps(doc))
    assert record.platform_credentials(user) == []


def test_a_verification_link_works_only_for_the_account_that_asked(client, sign_in, make_user):
    sign_in(ADA)
    client.post("/me/emails/", {"email": "ada@work.example"})
    link = last_link("/me/emails/verify/")
    client.logout()
    sign_in("mallory@example.org")
    assert client.post(link).status_code == 403
    assert not LearnerEmail.objects.filter(email="ada@work.example",
                                           verified_at__isnull=False).exists()


def test_an_address_verified_by_one_learner_cannot_be_taken_by_another(client, sign_in):
    sign_in(ADA)
    client.logout()
    other = sign_in("bob@example.org")
    with pytest.raises(services.RecordError) as err:
        accounts._verify_address(other, ADA)
    assert err.value.code == "EMAIL_TAKEN"


def test_a_signed_in_learner_claims_a_credential_sent_to_another_address(
        client, institution, pathway, sign_in):
    _, (stats, _, _) = pathway
    user = sign_in(ADA)
    cred = award(stats, "ada@old-job.example")
    token = issuing_mail.claim_token(cred)
    page = client.get(f"/me/claim/{token}")
    assert b"not in your record yet" in page.content
    assert client.post(f"/me/claim/{token}").status_code == 302
    # the claim link alone does not add the address: a confirmation link went to it
    assert record.platform_credentials(user) == []
    assert client.post(last_link("/me/emails/verify/")).status_code == 302
    assert LearnerEmail.objects.get(email="ada@old-job.example").user == user
    assert record.platform_credentials(user) == [cred]
    assert record.hidden_from_public(cred) is False


def test_a_name_and_address_change_is_reissued_after_staff_approve(
        client, institution, pathway, sign_in, make_user):
    from microdegree.institutions import services as inst_services
    from microdegree.issuing.models import IssuedCredential
    from microdegree.records.models import ReissueRequest

    _, (stats, _, _) = pathway
    cred = award(stats, ADA, recipient_name="Ada Byron")
    user = sign_in(ADA)
    client.post("/me/emails/", {"email": "ada@new.example"})
    key = f"p-{cred.uuid}"
    # the new address must be verified first
    response = client.post(f"/me/credentials/{key}/reissue",
                           {"new_email": "ada@new.example", "reason": "Moved"})
    assert response.status_code == 400
    client.post(last_link("/me/emails/verify/"))
    response = client.post(f"/me/credentials/{key}/reissue", {
        "new_name": "Ada Lovelace", "new_email": "ada@new.example", "reason": "Married; moved"})
    assert response.status_code == 302
    assert client.post(f"/me/credentials/{key}/reissue", {
        "new_name": "Ada L.", "reason": "again"}).status_code == 409  # one pending at a time
    req = ReissueRequest.objects.get()
    # staff of another role / institution do not see it; an issuer decides
    staff = make_user("registrar@uni.example")
    client.logout()
    client.force_login(staff)
    assert client.get(f"/institutions/{institution.slug}/reissue-requests/").status_code == 404
    inst_services.set_member(None, institution, staff, "issuer")
    page = client.get(f"/institutions/{institution.slug}/reissue-requests/")
    assert b"Ada Lovelace" in page.content
    response = client.post(f"/institutions/{institution.slug}/reissue-requests/{req.pk}/approve")
    assert response.status_code == 302
    req.refresh_from_db()
    cred.refresh_from_db()
    new = req.new_credential
    assert req.state == "done"
    assert cred.state == IssuedCredential.State.REVOKED
    assert cred.superseded_by == new
    assert (new.recipient_email, new.recipient_name) == ("ada@new.example", "Ada Lovelace")
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"records.reissue_requested", "records.reissue_done",
            "issuing.credential_reissued", "issuing.credential_revoked"} <= actions
    # the learner's record shows the new one valid and the old one revoked
    states = {i.obj.pk: i.state for i in record.items(user)}
    assert states == {cred.pk: "revoked", new.pk: "valid"}
    assert client.post(
        f"/institutions/{institution.slug}/reissue-requests/{req.pk}/approve").status_code == 409


def test_bind_a_generated_or_own_did_key(client, institution, pathway, sign_in):
    from microdegree.records.models import LearnerDid
    from microdegree.vc import did as vc_did
    from microdegree.vc.keys import Ed25519Key

    _, (stats, _, _) = pathway
    user = sign_in(ADA)
    response = client.post("/me/did")
    assert response["Content-Disposition"] == 'attachment; filename="my-did-key.json"'
    keyfile = json.loads(response.content)
    bound = LearnerDid.objects.get(user=user)
    assert bound.generated
    assert keyfile["controller"] == bound.did
    assert "secretKeyMultibase" in keyfile
    assert keyfile["secretKeyMultibase"] not in json.dumps(
        list(AuditEntry.objects.values("before", "after")))
    assert services.did_for_email(ADA) == bound.did
    assert services.did_for_email("ADA@example.org ") == bound.did
    # issuers name it in later credentials
    cred = award(stats, ADA, recipient_did=services.did_for_email(ADA))
    assert json.loads(cred.document)["credentialSubject"]["id"] == bound.did
    # an own did:key replaces it; a malformed one is refused
    own = vc_did.did_key(Ed25519Key.from_seed(b"\x05" * 32))
    assert client.post("/me/did", {"did": "did:web:evil.example"}).status_code == 400
    assert client.post("/me/did", {"did": own}).status_code == 302
    assert services.did_for_email(ADA) == own
    assert client.post("/me/did/remove").status_code == 302
    assert services.did_for_email(ADA) is None
    assert services.did_for_email("nobody@example.org") is None


def test_signing_in_returns_to_the_page_asked_for(client, institution, pathway):
    _, (stats, _, _) = pathway
    cred = award(stats, ADA)
    wanted = f"/me/credentials/p-{cred.uuid}/"
    response = client.get(wanted)
    assert response["Location"] == f"/me/login?next={wanted}"
    page = client.get(response["Location"])
    assert f'name="next" value="{wanted}"'.encode() in page.content
    client.post("/me/login", {"email": ADA, "next": wanted})
    assert client.post(last_link("/me/login/"))["Location"] == wanted
    # never to another site
    client.logout()
    client.post("/me/login", {"email": ADA, "next": "//evil.example/"})
    assert client.post(last_link("/me/login/"))["Location"] == "/me/"
