"""SSRF through webhooks: a subscription to a private, loopback or cloud-metadata address is
refused when it is added (API and page), and a delivery to one is refused by the fetcher even
if such a row exists; plain http is refused. Only the test-only setting
MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE (default off) lets them through."""

from __future__ import annotations

import json

import pytest

from microdegree.institutions import services as inst_services
from microdegree.issuing import services as issuing
from microdegree.webhooks import services
from microdegree.webhooks.models import Delivery, Subscription
from tests.webhooks.conftest import run_worker, start_receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

REFUSED = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://10.0.0.1/hook",
    "https://192.168.1.20/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "https://100.64.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fd00::1]/hook",
    "https://0.0.0.0/hook",
    "https://localhost/hook",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/hook",
    "http://hooks.example/hook",  # plain http
    "https://user:pw@hooks.example/hook",
]


@pytest.fixture
def api(client, institution):
    raw = issuing.create_api_token(None, institution, "lms", role="issuer")[1]

    def post(url: str):
        return client.post(f"/api/v1/institutions/{institution.slug}/webhooks",
                           data=json.dumps({"url": url, "events": ["credential.issued"]}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    return post


@pytest.mark.parametrize("url", REFUSED)
def test_the_api_refuses_internal_targets(api, url):
    response = api(url)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in {"URL_REFUSED", "URL_INVALID"}
    assert response.json()["message"]
    assert Subscription.objects.count() == 0


def test_the_page_refuses_internal_targets(client, institution):
    owner = inst_services.Membership.objects.get(institution=institution, role="owner").user
    client.force_login(owner)
    for url in ("https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data/"):
        response = client.post(f"/institutions/{institution.slug}/webhooks/",
                               {"url": url, "events": ["credential.issued"]})
        assert response.status_code == 400
        assert b"webhooks go to public addresses only" in response.content
    assert Subscription.objects.count() == 0


def test_a_public_https_url_is_accepted(api):
    assert api("https://203.0.113.9/hook").status_code == 400  # (TEST-NET-3: documentation)
    assert api("https://8.8.8.8/hook").status_code == 201


def test_delivery_to_a_loopback_row_is_refused_by_the_fetcher(institution, settings):
    """A row that points inside (added while the allowance was on, or by a name that now
    resolves inside) is still never reached."""
    with start_receiver() as receiver:
        _deliver_to_loopback(institution, settings, receiver)


def _deliver_to_loopback(institution, settings, receiver):
    settings.MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE = True
    services.create_subscription(None, institution, events=["credential.issued"],
                                 url=receiver.url.replace("http://", "https://"))
    settings.MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE = False
    from tests.issuing.conftest import make_course

    course = make_course(institution, "c1")
    issuing.issue_credential(None, course, recipient_email="a@example.org", send_email=False)
    run_worker()
    assert receiver.arrived == 0
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.state) == (1, "pending")
    assert "resolves to the non-public address 127.0.0.1" in delivery.last_error


def test_production_refuses_the_private_allowance(settings):
    from microdegree.webhooks import checks

    settings.DEBUG = False
    settings.PUBLIC_URL = "https://credentials.uni.example"
    assert checks.private_webhooks() == []
    settings.MICRODEGREE_WEBHOOKS_ALLOW_PRIVATE = True
    assert [e.id for e in checks.private_webhooks()] == ["webhooks.E001"]
    settings.PUBLIC_URL = "http://localhost:8000"  # a production-like run on this machine
    assert checks.private_webhooks() == []
