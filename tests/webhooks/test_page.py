"""The staff page /institutions/SLUG/webhooks/: owners add (the secret shown once), test,
pause, resume and delete; the delivery log shows status codes, attempts and the next retry;
issuers read; other institutions get a 404."""

from __future__ import annotations

import re

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.institutions.models import Membership
from microdegree.webhooks.models import Delivery, Subscription
from tests.webhooks.conftest import run_worker, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner(institution):
    return Membership.objects.get(institution=institution, role="owner").user


def _page(institution):
    return f"/institutions/{institution.slug}/webhooks/"


def test_an_owner_adds_tests_pauses_and_deletes(client, institution, owner, receiver,
                                                loopback_allowed):
    client.force_login(owner)
    overview = client.get(f"/institutions/{institution.slug}/")
    assert _page(institution).encode() in overview.content
    added = client.post(_page(institution), {"url": receiver.url, "description": "SIS",
                                             "events": ["credential.issued",
                                                        "microdegree.completed"]})
    assert added.status_code == 200
    secret = re.search(rb'id="new-secret">(whsec_[A-Za-z0-9+/=]+)<', added.content)[1].decode()
    sub = Subscription.objects.get()
    assert sub.events == ["credential.issued", "microdegree.completed"]
    assert secret.encode() not in client.get(_page(institution)).content  # shown once

    receiver.statuses = [502, 200]
    assert client.post(_page(institution), {"action": "test",
                                            "subscription": str(sub.uuid)}).status_code == 302
    run_worker()
    assert verify_signature(secret, receiver.requests[0])
    log = client.get(_page(institution)).content.decode()
    assert "webhook.test" in log
    assert "HTTP 502" in log
    next_retry = Delivery.objects.get().next_attempt_at
    assert next_retry is not None
    assert "<td>1</td>" in log  # attempts

    client.post(_page(institution), {"action": "pause", "subscription": str(sub.uuid)})
    sub.refresh_from_db()
    assert not sub.active
    assert "paused" in client.get(_page(institution)).content.decode()
    client.post(_page(institution), {"action": "resume", "subscription": str(sub.uuid)})
    sub.refresh_from_db()
    assert sub.active
    client.post(_page(institution), {"action": "delete", "subscription": str(sub.uuid)})
    assert not Subscription.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="webhooks.").count() == 5


def test_bad_form_input_is_a_400_with_a_sentence(client, institution, owner, loopback_allowed):
    client.force_login(owner)
    for data in ({"url": "https://hooks.example/", "events": []},
                 {"url": "https://hooks.example/", "events": ["nope"]},
                 {"url": "javascript:alert(1)", "events": ["credential.issued"]}):
        response = client.post(_page(institution), data)
        assert response.status_code == 400
        assert b'class="error"' in response.content
    assert client.post(_page(institution), {"action": "delete",
                                            "subscription": "x"}).status_code == 404
    assert client.post(_page(institution), {"action": "explode", "subscription": ""}
                       ).status_code == 404
    assert not Subscription.objects.exists()


def test_issuers_read_and_others_are_kept_out(client, institution, other_institution, issuer,
                                              make_user):
    from microdegree.webhooks import services

    sub, _ = services.create_subscription(None, institution, url="https://hooks.example/",
                                          events=["credential.issued"])
    client.force_login(issuer)
    page = client.get(_page(institution))
    assert page.status_code == 200
    assert b"https://hooks.example/" in page.content
    assert b"Add webhook" not in page.content
    assert client.post(_page(institution), {"action": "delete",
                                            "subscription": str(sub.uuid)}).status_code == 403
    outsider = Membership.objects.get(institution=other_institution, role="owner").user
    client.force_login(outsider)
    assert client.get(_page(institution)).status_code == 404
    assert client.post(_page(institution), {"action": "delete",
                                            "subscription": str(sub.uuid)}).status_code == 404
    # and under their own slug, our subscription does not exist
    assert client.post(_page(other_institution), {"action": "delete",
                                                  "subscription": str(sub.uuid)}
                       ).status_code == 404
    assert Subscription.objects.filter(pk=sub.pk).exists()
    client.logout()
    assert client.get(_page(institution)).status_code == 302  # to the sign-in page
