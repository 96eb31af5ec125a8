"""Owners manage their staff from a page linked on the institution page (issue 16, point 6):
invite by e-mail (a link from the public URL that expires and works once), accept with an
existing account or a new one, change a role, remove, withdraw; only owners; never the last
owner away; another institution's owner touches nothing; every change in the audit log page.
All through the real views (Django test client)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services
from microdegree.institutions.models import Invitation, Membership

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests/conftest.py make_user
NEW_PASSWORD = "a long and new staff password"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _link(message) -> str:
    found = re.search(r"https?://\S+/invitations/\S+", message.body)
    assert found, message.body
    return found.group(0)


@pytest.fixture
def owner(institution):
    return institution.members.get(role="owner").user


@pytest.fixture
def staff_url(institution):
    return f"/institutions/{institution.slug}/staff/"


def _invite(client, staff_url, email, role="issuer"):
    mail.outbox.clear()
    response = client.post(staff_url, {"email": email, "role": role})
    assert response.status_code == 302, _text(response)
    assert len(mail.outbox) == 1
    return _link(mail.outbox[0])


def test_the_institution_page_links_owners_to_the_staff_page(client, institution, owner,
                                                            make_user, staff_url):
    client.force_login(owner)
    overview = client.get(f"/institutions/{institution.slug}/").content.decode()
    assert f'href="{staff_url}"' in overview
    assert f'href="/institutions/{institution.slug}/audit/"' in overview
    page = client.get(staff_url)
    assert page.status_code == 200
    assert "owner@uni.example" in _text(page)
    # issuers and viewers see no link and get a 403; strangers the same 404 as a typo
    for role in ("issuer", "viewer"):
        member = make_user(f"{role}@uni.example")
        services.set_member(None, institution, member, role)
        client.force_login(member)
        assert f'href="{staff_url}"' not in client.get(
            f"/institutions/{institution.slug}/").content.decode()
        assert client.get(staff_url).status_code == 403
        assert client.post(staff_url, {"email": "x@example.org", "role": "owner"}
                           ).status_code == 403
        assert client.get(f"/institutions/{institution.slug}/audit/").status_code == 403
    client.force_login(make_user("stranger@example.org"))
    assert client.get(staff_url).status_code == 404
    assert not Invitation.objects.exists()


def test_invite_a_new_person_who_chooses_a_password(client, institution, owner, staff_url):
    client.force_login(owner)
    link = _invite(client, staff_url, "New.Person@Example.org", role="issuer")
    message = mail.outbox[0]
    assert message.to == ["new.person@example.org"]
    assert "Example University" in message.subject
    assert link.startswith(settings.PUBLIC_URL + "/invitations/")  # never the request's host
    page = client.get(staff_url)
    assert "new.person@example.org" in _text(page)  # pending, with its expiry
    token = link.rsplit("/", 1)[1]
    assert token not in page.content.decode()  # the link is for the mailbox only
    invitation = Invitation.objects.get()
    assert invitation.token_hash != token
    assert timedelta(days=6) < invitation.expires_at - timezone.now() <= timedelta(days=7)

    client.logout()
    path = link[len(settings.PUBLIC_URL):]
    landing = client.get(path)
    assert landing.status_code == 200
    assert "Join Example University" in _text(landing)
    assert "Choose a password" in _text(landing)
    mismatch = client.post(path, {"password1": NEW_PASSWORD, "password2": "something else"})
    assert mismatch.status_code == 400
    assert "The two passwords differ." in _text(mismatch)
    weak = client.post(path, {"password1": "short", "password2": "short"})
    assert weak.status_code == 400
    assert not Membership.objects.filter(user__email="new.person@example.org").exists()

    done = client.post(path, {"name": "Nia Person", "password1": NEW_PASSWORD,
                              "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == f"/institutions/{institution.slug}/"
    member = Membership.objects.get(user__email="new.person@example.org")
    assert member.role == "issuer"
    assert member.user.first_name == "Nia Person"
    assert client.get(f"/institutions/{institution.slug}/credentials/").status_code == 200
    # the new account signs in with its address and password
    client.logout()
    assert client.login(username="new.person@example.org", password=NEW_PASSWORD)
    # the link worked once
    client.logout()
    used = client.get(path)
    assert used.status_code == 410
    assert "already been accepted" in _text(used)
    actions = list(AuditEntry.objects.filter(institution_id=institution.pk)
                   .values_list("action", flat=True))
    assert "institution.invitation_sent" in actions
    assert "institution.invitation_accepted" in actions


def test_an_existing_account_signs_in_to_accept(client, institution, owner, staff_url,
                                                make_user):
    colleague = make_user("colleague@example.org")
    client.force_login(owner)
    path = _invite(client, staff_url, "colleague@example.org", role="viewer")
    path = path[len(settings.PUBLIC_URL):]
    client.logout()
    landing = client.get(path)
    assert "already has an account" in _text(landing)
    assert f'href="/accounts/login/?next={path}"' in landing.content.decode()
    assert b"password1" not in landing.content  # no way to set that account's password here
    # a POST without signing in changes nothing
    assert client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
                       ).status_code == 400
    colleague.refresh_from_db()
    assert colleague.check_password(PASSWORD)
    signed_in = client.post("/accounts/login/", {"username": "colleague@example.org",
                                                 "password": PASSWORD, "next": path})
    assert signed_in["Location"] == path
    assert "Accept the invitation" in _text(client.get(path))
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=colleague, institution=institution).role == "viewer"


def test_someone_else_signed_in_cannot_use_the_link(client, institution, owner, staff_url,
                                                    make_user):
    client.force_login(owner)
    path = _invite(client, staff_url, "invited@example.org", role="owner")[
        len(settings.PUBLIC_URL):]
    intruder = make_user("intruder@example.org")  # e.g. the link was forwarded
    client.force_login(intruder)
    page = client.get(path)
    assert "You are signed in as intruder@example.org" in _text(page)
    refused = client.post(path)
    assert refused.status_code == 403
    assert not Membership.objects.filter(user=intruder).exists()
    assert Invitation.objects.get().accepted_at is None


def test_withdrawn_replaced_and_expired_links_stop_working(client, institution, owner,
                                                          staff_url):
    client.force_login(owner)
    first = _invite(client, staff_url, "late@example.org")[len(settings.PUBLIC_URL):]
    second = _invite(client, staff_url, "late@example.org")[len(settings.PUBLIC_URL):]
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1  # replaced
    pending = Invitation.objects.get(revoked_at__isnull=True)
    withdrawn = client.post(f"/institutions/{institution.slug}/invitations/{pending.pk}/withdraw")
    assert withdrawn.status_code == 302
    assert "no longer pending" not in _text(client.get(staff_url))
    assert "No invitation is pending." in _text(client.get(staff_url))
    client.logout()
    for path in (first, second):
        gone = client.get(path)
        assert gone.status_code == 410
        assert "withdrawn" in _text(gone)
        assert client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
                           ).status_code == 410
    client.force_login(owner)
    third = _invite(client, staff_url, "late@example.org")[len(settings.PUBLIC_URL):]
    Invitation.objects.filter(revoked_at__isnull=True).update(
        expires_at=timezone.now() - timedelta(minutes=1))
    client.logout()
    expired = client.get(third)
    assert expired.status_code == 410
    assert "expired" in _text(expired)
    assert client.get("/invitations/not-a-real-token").status_code == 404
    assert not Membership.objects.filter(user__email="late@example.org").exists()
    assert AuditEntry.objects.filter(action="institution.invitation_revoked").count() == 2


def test_bad_invitations_name_the_field(client, institution, owner, staff_url):
    client.force_login(owner)
    bad = client.post(staff_url, {"email": "not an address", "role": "issuer"})
    assert bad.status_code == 400
    assert "Enter a valid email address." in _text(bad)
    already = client.post(staff_url, {"email": "owner@uni.example", "role": "viewer"})
    assert already.status_code == 400
    assert "already on the staff" in _text(already)
    assert client.post(staff_url, {"email": "x@example.org", "role": "admin"}
                       ).status_code == 400
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


def test_change_role_and_remove_never_leave_no_owner(client, institution, owner, make_user,
                                                     staff_url):
    issuer = make_user("issuer@uni.example")
    services.set_member(None, institution, issuer, "issuer")
    own = Membership.objects.get(user=owner, institution=institution)
    theirs = Membership.objects.get(user=issuer, institution=institution)
    base = f"/institutions/{institution.slug}/staff"
    client.force_login(owner)
    # the only owner cannot be demoted or removed (also not by a hand-made POST)
    page = client.get(staff_url).content.decode()
    assert f'action="{base}/{own.pk}/remove"' not in page
    for url, data in ((f"{base}/{own.pk}/role", {"role": "viewer"}),
                      (f"{base}/{own.pk}/remove", {})):
        refused = client.post(url, data, follow=True)
        assert "at least one owner" in _text(refused)
    own.refresh_from_db()
    assert own.role == "owner"

    assert client.post(f"{base}/{theirs.pk}/role", {"role": "viewer"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.role == "viewer"
    entry = AuditEntry.objects.filter(action="institution.member_set").latest("id")
    assert entry.before == {"role": "issuer"}
    assert entry.after["role"] == "viewer"
    assert entry.actor_label == "owner@uni.example"

    # with a second owner, the first may step down
    client.post(f"{base}/{theirs.pk}/role", {"role": "owner"})
    stepped = client.post(f"{base}/{own.pk}/role", {"role": "issuer"})
    assert stepped["Location"] == f"/institutions/{institution.slug}/"
    assert client.get(staff_url).status_code == 403  # no longer an owner

    client.force_login(issuer)
    assert client.post(f"{base}/{own.pk}/remove").status_code == 302
    assert not Membership.objects.filter(pk=own.pk).exists()
    removed = AuditEntry.objects.get(action="institution.member_removed")
    assert removed.before == {"user": "owner@uni.example", "role": "issuer"}
    client.force_login(owner)
    assert client.get(f"/institutions/{institution.slug}/").status_code == 404


def test_another_institutions_owner_touches_none_of_these_members(client, institution, owner,
                                                                  make_user, admin_user):
    issuer = make_user("issuer@uni.example")
    services.set_member(None, institution, issuer, "issuer")
    theirs = Membership.objects.get(user=issuer)
    client.force_login(owner)
    _invite(client, f"/institutions/{institution.slug}/staff/", "pending@example.org")
    invitation = Invitation.objects.get()

    rival = make_user("owner@rival.example")
    other = services.register_institution(rival, name="Rival College", country_code="DE",
                                          owner=rival, slug="rival")
    services.approve_institution(admin_user, other)
    client.force_login(rival)
    for slug in (institution.slug, other.slug):  # our URL (not theirs) and their own URL
        assert client.get(f"/institutions/{slug}/staff/").status_code == (
            404 if slug == institution.slug else 200)
        assert client.post(f"/institutions/{slug}/staff/{theirs.pk}/role",
                           {"role": "viewer"}).status_code == 404
        assert client.post(f"/institutions/{slug}/staff/{theirs.pk}/remove").status_code == 404
        assert client.post(f"/institutions/{slug}/invitations/{invitation.pk}/withdraw"
                           ).status_code == 404
    assert "pending@example.org" not in _text(client.get(f"/institutions/{other.slug}/staff/"))
    assert "issuer@uni.example" not in _text(client.get(f"/institutions/{other.slug}/audit/"))
    assert client.get(f"/institutions/{institution.slug}/audit/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == "issuer"
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_the_audit_log_page_shows_each_staff_change(client, institution, owner, make_user,
                                                    staff_url):
    colleague = make_user("colleague@example.org")
    client.force_login(owner)
    path = _invite(client, staff_url, "colleague@example.org", "viewer")[
        len(settings.PUBLIC_URL):]
    _invite(client, staff_url, "other@example.org", "issuer")
    client.post(f"/institutions/{institution.slug}/invitations/"
                f"{Invitation.objects.get(email='other@example.org').pk}/withdraw")
    client.force_login(colleague)
    client.post(path)
    member = Membership.objects.get(user=colleague)
    client.force_login(owner)
    client.post(f"{staff_url}{member.pk}/role", {"role": "issuer"})
    client.post(f"{staff_url}{member.pk}/remove")
    log = _text(client.get(f"/institutions/{institution.slug}/audit/", {"action": "institution."}))
    for action in ("institution.invitation_sent", "institution.invitation_revoked",
                   "institution.invitation_accepted", "institution.member_set",
                   "institution.member_removed"):
        assert action in log, action
    assert "colleague@example.org" in log
    assert '"role": "issuer"' in log.replace("&quot;", '"')


def test_a_learner_account_with_the_address_stays_the_learners(client, institution, owner,
                                                               staff_url):
    learner = get_user_model().objects.create_user(username="learner-abc",
                                                   email="ada@example.org")
    learner.set_unusable_password()
    learner.save()
    client.force_login(owner)
    path = _invite(client, staff_url, "ada@example.org")[len(settings.PUBLIC_URL):]
    client.logout()
    assert "Choose a password" in _text(client.get(path))
    client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    staff_user = Membership.objects.get(institution=institution,
                                        user__email="ada@example.org").user
    assert staff_user != learner
    assert staff_user.username == "ada@example.org"
    learner.refresh_from_db()
    assert not learner.has_usable_password()


def test_an_owner_cannot_mail_strangers_without_limit(client, institution, owner, staff_url):
    from microdegree.institutions import staff

    client.force_login(owner)
    for n in range(staff.MAX_PENDING):
        assert client.post(staff_url, {"email": f"p{n}@example.org", "role": "viewer"}
                           ).status_code == 302
    refused = client.post(staff_url, {"email": "one.more@example.org", "role": "viewer"})
    assert refused.status_code == 400
    assert "invitations are pending" in _text(refused)
    assert len(mail.outbox) == staff.MAX_PENDING
    # inviting a pending address again replaces its invitation: still allowed at the cap
    assert client.post(staff_url, {"email": "p0@example.org", "role": "issuer"}
                       ).status_code == 302


def test_a_learner_signed_in_by_link_cannot_accept_as_staff(client, institution, owner,
                                                            staff_url):
    """The attack: the invited address also has a learner record (no password, signed in by
    e-mailed link); accepting from that session would make the record an owner."""
    learner = get_user_model().objects.create_user(username="learner-ada",
                                                   email="ada@example.org")
    learner.set_unusable_password()
    learner.save()
    client.force_login(owner)
    path = _invite(client, staff_url, "ada@example.org", role="owner")[len(settings.PUBLIC_URL):]
    client.force_login(learner)  # the learner record's session
    refused = client.post(path)
    assert refused.status_code == 403
    assert "choose a password" in _text(refused)
    assert not Membership.objects.filter(user=learner).exists()
    assert Invitation.objects.get().accepted_at is None
