"""Revoking is permanent, so it is confirmed (issue 16, point 3): the credential page links to a
confirmation page that says so; only the POST from that page revokes; the status list the
verifiers read and the audit log show it."""

from __future__ import annotations

import re

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.issuing import services
from microdegree.issuing.models import IssuedCredential

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def cred(course):
    return services.issue_credential(None, course, recipient_email="lin@example.org",
                                     recipient_name="Lin", send_email=False)


def test_the_credential_page_links_to_a_confirmation_styled_as_dangerous(client, institution,
                                                                       cred, issuer):
    client.force_login(issuer)
    base = f"/institutions/{institution.slug}/credentials/{cred.uuid}"
    page = client.get(f"{base}/").content.decode()
    # Revoke is a link to the confirmation page, red, apart from Suspend (a reversible pause)
    assert re.search(rf'<a class="button danger" href="{base}/revoke/">', page)
    assert f'action="{base}/revoke/"' not in page  # no one-click revoke form
    suspend = re.search(r'<button type="submit" class="([^"]*)">Suspend</button>', page)
    assert suspend is not None
    assert "danger" not in suspend.group(1)
    assert "Revoking is permanent" in _text(client.get(f"{base}/"))

    confirm = client.get(f"{base}/revoke/")
    assert confirm.status_code == 200
    text = _text(confirm)
    assert "Revoke this credential permanently?" in text
    assert "cannot be undone" in text
    assert "every verifier" in text
    html = confirm.content.decode()
    assert '<button type="submit" class="danger">Revoke permanently</button>' in html
    assert re.search(r'<input type="text" id="revoke-reason" name="reason" required', html)
    assert f'href="{base}/"' in html  # cancel goes back
    cred.refresh_from_db()
    assert cred.state == "active"  # looking at the page changes nothing


def test_a_post_without_the_confirmation_revokes_nothing(client, institution, cred, issuer,
                                                         fetcher, check):
    client.force_login(issuer)
    url = f"/institutions/{institution.slug}/credentials/{cred.uuid}/revoke/"
    # what the old one-click form sent: a reason and nothing else
    refused = client.post(url, {"reason": "fraud"})
    assert refused.status_code == 400
    assert "Nothing was revoked" in _text(refused)
    assert "Revoke this credential permanently?" in _text(refused)
    # a wrong confirmation value is no confirmation either
    assert client.post(url, {"reason": "fraud", "confirm": "yes"}).status_code == 400
    cred.refresh_from_db()
    assert cred.state == "active"
    assert not AuditEntry.objects.filter(action="issuing.credential_revoked").exists()
    assert check(cred.document, institution).verified  # verifiers still see it valid

    no_reason = client.post(url, {"reason": " ", "confirm": "permanent"})
    assert no_reason.status_code == 400
    assert "Give the reason" in _text(no_reason)
    cred.refresh_from_db()
    assert cred.state == "active"


def test_the_confirmed_post_revokes_for_every_verifier_and_is_audited(client, institution, cred,
                                                                      issuer, check):
    client.force_login(issuer)
    base = f"/institutions/{institution.slug}/credentials/{cred.uuid}"
    done = client.post(f"{base}/revoke/", {"reason": "Awarded in error", "confirm": "permanent"})
    assert done.status_code == 302
    assert done["Location"] == f"{base}/"
    cred.refresh_from_db()
    assert cred.state == IssuedCredential.State.REVOKED
    assert cred.state_reason == "Awarded in error"
    result = check(cred.document, institution)
    assert not result.verified  # the published status list says revoked
    entry = AuditEntry.objects.get(action="issuing.credential_revoked")
    assert entry.actor_label == "issuer@uni.example"
    assert entry.object_id == str(cred.pk)
    assert entry.before["state"] == "active"
    assert entry.after == {"state": "revoked", "reason": "Awarded in error",
                           "credential_id": cred.credential_id}
    # ... which owners read on the institution's audit log page
    owner = institution.members.get(role="owner").user
    client.force_login(owner)
    log = _text(client.get(f"/institutions/{institution.slug}/audit/"))
    assert "issuing.credential_revoked" in log
    assert "Awarded in error" in log
    client.force_login(issuer)
    # the page now says so, and offers no revoke any more
    assert "Revoke permanently" not in _text(client.get(f"{base}/"))
    again = client.get(f"{base}/revoke/")
    assert "already revoked" in _text(again)
    assert b'name="confirm"' not in again.content


def test_viewers_and_other_institutions_cannot_reach_the_confirmation(client, institution, cred,
                                                                      other_institution,
                                                                      make_user):
    from microdegree.institutions import services as inst_services

    viewer = make_user("viewer@uni.example")
    inst_services.set_member(None, institution, viewer, "viewer")
    url = f"/institutions/{institution.slug}/credentials/{cred.uuid}/revoke/"
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x", "confirm": "permanent"}).status_code == 403
    client.force_login(other_institution.members.get(role="owner").user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x", "confirm": "permanent"}).status_code == 404
    cred.refresh_from_db()
    assert cred.state == "active"
