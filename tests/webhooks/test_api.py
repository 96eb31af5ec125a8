"""The webhooks JSON API (ninja Router, issuing API bearer tokens): add (the secret once),
list, pause, test, delivery log, delete; roles, tenant isolation, 4xx with codes, audit entries;
the secret sealed at rest."""

from __future__ import annotations

import json

import pytest
from cryptography.exceptions import InvalidTag
from django.db import connection

from microdegree.audit.models import AuditEntry
from microdegree.institutions import keystore
from microdegree.issuing import services as issuing
from microdegree.webhooks.models import Subscription, secret_context
from tests.webhooks.conftest import run_worker, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


class Api:
    def __init__(self, client, institution, role="issuer"):
        self.client = client
        self.base = f"/api/v1/institutions/{institution.slug}/webhooks"
        raw = issuing.create_api_token(None, institution, f"{role} token", role=role)[1]
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def call(self, method, path="", body=None, base=None):
        kwargs = dict(self.auth)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)((base or self.base) + path, **kwargs)


def test_manage_a_subscription_through_the_api(client, institution, receiver,
                                               loopback_allowed):
    api = Api(client, institution)
    created = api.call("post", body={"url": receiver.url, "description": "our SIS",
                                     "events": ["credential.revoked", "credential.issued"]})
    assert created.status_code == 201, created.content
    data = created.json()
    secret = data["secret"]
    assert secret.startswith("whsec_")
    assert data["events"] == ["credential.issued", "credential.revoked"]
    assert data["active"] is True
    sub_url = "/" + data["id"]

    listing = api.call("get").json()
    assert [s["id"] for s in listing] == [data["id"]]
    assert "secret" not in listing[0]
    assert "secret" not in api.call("get", sub_url).json()

    tested = api.call("post", sub_url + "/test")
    assert tested.status_code == 202
    assert tested.json()["state"] == "pending"
    run_worker()
    [got] = receiver.requests
    assert verify_signature(secret, got)
    assert json.loads(got.body)["type"] == "webhook.test"
    [logged] = api.call("get", sub_url + "/deliveries").json()
    assert (logged["eventType"], logged["state"], logged["attempts"], logged["lastStatus"]) == (
        "webhook.test", "delivered", 1, 200)
    assert logged["eventId"] == got.headers["webhook-id"]

    paused = api.call("patch", sub_url, {"active": False})
    assert paused.status_code == 200
    assert paused.json()["active"] is False
    assert api.call("delete", sub_url).status_code == 204
    assert api.call("get", sub_url).status_code == 404
    assert list(AuditEntry.objects.filter(action__startswith="webhooks.")
                .order_by("pk").values_list("action", flat=True)) == [
        "webhooks.subscription_created", "webhooks.test_sent", "webhooks.subscription_paused",
        "webhooks.subscription_deleted"]
    assert secret not in json.dumps(list(AuditEntry.objects.values("before", "after")))


def test_bad_requests_are_4xx_with_a_code(client, institution, loopback_allowed):
    api = Api(client, institution)
    cases = [
        ({"url": "ftp://x.example/", "events": ["credential.issued"]}, "URL_INVALID"),
        ({"url": "not a url", "events": ["credential.issued"]}, "URL_INVALID"),
        ({"url": "https://x.example/", "events": ["credential.exploded"]}, "EVENT_UNKNOWN"),
        ({"url": "https://x.example/", "events": []}, "REQUEST_INVALID"),
        ({"url": "https://x.example/", "events": "credential.issued"}, "REQUEST_INVALID"),
        ({"url": "https://x.example/", "events": ["credential.issued"], "admin": True},
         "REQUEST_INVALID"),
        (["not", "an", "object"], "REQUEST_INVALID"),
    ]
    for body, code in cases:
        response = api.call("post", body=body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["code"] == code, body
        assert response.json()["message"]
    assert api.call("patch", "/not-a-uuid", {"active": False}).status_code == 404
    assert Subscription.objects.count() == 0


def test_tokens_roles_and_tenants(client, institution, other_institution, loopback_allowed):
    mine = Api(client, institution)
    sub_id = mine.call("post", body={"url": "https://hooks.example/",
                                     "events": ["credential.issued"]}).json()["id"]
    viewer = Api(client, institution, role="viewer")
    assert viewer.call("get").status_code == 200
    denied = viewer.call("post", body={"url": "https://a.example/",
                                       "events": ["credential.issued"]})
    assert denied.status_code == 403
    assert denied.json()["code"] == "PERMISSION_DENIED"
    assert viewer.call("delete", "/" + sub_id).status_code == 403

    theirs = Api(client, other_institution)
    # their token on our slug, and our subscription under their slug: both a plain 404
    assert theirs.call("get", base=mine.base).status_code == 404
    for method in ("get", "delete"):
        assert theirs.call(method, "/" + sub_id).status_code == 404
    assert theirs.call("patch", "/" + sub_id, {"active": False}).status_code == 404
    assert theirs.call("post", "/" + sub_id + "/test").status_code == 404
    assert theirs.call("get").json() == []
    assert Subscription.objects.get().active

    anonymous = client.get(mine.base)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "AUTHENTICATION_REQUIRED"
    assert client.get(mine.base, HTTP_AUTHORIZATION="Bearer mdt_wrong").status_code == 401


def test_the_secret_is_sealed_at_rest(client, institution, other_institution, loopback_allowed):
    secret = Api(client, institution).call("post", body={
        "url": "https://hooks.example/", "events": ["credential.issued"]}).json()["secret"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM webhooks_subscription")
        rows = cursor.fetchall()
    raw = repr(rows).encode() + b"".join(bytes(v) for r in rows for v in r
                                         if isinstance(v, (bytes, memoryview)))
    assert secret.encode() not in raw
    assert secret.removeprefix("whsec_").encode() not in raw
    sub = Subscription.objects.get()
    assert sub.secret() == secret  # opened with the master key
    # a sealed secret copied onto another row (another institution) does not open
    other = Subscription.objects.create(institution=other_institution, url=sub.url,
                                        events=sub.events, secret_sealed=sub.secret_sealed)
    with pytest.raises(InvalidTag):
        other.secret()
    assert keystore.default_keystore().open(bytes(sub.secret_sealed), secret_context(sub))
    from microdegree.institutions import sealed
    assert "webhooks.Subscription.secret_sealed" in {
        f"{f.model}.{f.field}" for f in sealed.sealed_fields()}


def test_the_openapi_document_names_every_operation(client):
    """The webhook operations are part of the platform's one served document."""
    doc = client.get("/api/openapi.json").json()
    operations = {op["operationId"] for path, item in doc["paths"].items() if "/webhooks" in path
                  for op in item.values()}
    assert operations == {"listWebhooks", "addWebhook", "getWebhook", "pauseWebhook",
                          "deleteWebhook", "listWebhookDeliveries", "testWebhook"}


def test_master_key_rotation_reseals_the_secrets(institution, loopback_allowed):
    import os

    from microdegree.institutions import sealed
    from microdegree.webhooks import services

    sub, secret = services.create_subscription(None, institution, url="https://hooks.example/",
                                               events=["credential.issued"])
    new_store = keystore.MasterKeyStore(os.urandom(32))
    counts = sealed.reseal_all("ops", new_store)
    assert counts["webhooks.Subscription.secret_sealed"] == 1
    sub.refresh_from_db()
    assert new_store.open(bytes(sub.secret_sealed), secret_context(sub)).decode() == secret
