"""Credentials issued and changed through the W3C VC API send the same events."""

from __future__ import annotations

import copy
import json

import pytest

from microdegree.issuing import services as issuing
from microdegree.webhooks import services
from tests.vcapi.conftest import CREDENTIAL, Api
from tests.webhooks.conftest import run_worker, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


def test_vc_api_issue_and_status_changes_are_delivered(client, institution, receiver,
                                                       loopback_allowed):
    _sub, secret = services.create_subscription(
        None, institution, url=receiver.url,
        events=["credential.issued", "credential.suspended", "credential.revoked"])
    token = issuing.create_api_token(None, institution, "vc api", role="issuer")[1]
    api = Api(client)
    vc = api.issued(copy.deepcopy(CREDENTIAL), token,
                    credentialStatus={"statusPurpose": ["revocation", "suspension"]})
    assert receiver.arrived == 0
    assert api.status(vc["id"], "suspended", token).status_code == 200
    assert api.status(vc["id"], "revoked", token).status_code == 200
    run_worker()
    assert all(verify_signature(secret, r) for r in receiver.requests)
    bodies = sorted((json.loads(r.body) for r in receiver.requests), key=lambda b: b["timestamp"])
    assert [b["type"] for b in bodies] == ["credential.issued", "credential.suspended",
                                           "credential.revoked"]
    assert {b["data"]["credential"]["id"] for b in bodies} == {vc["id"]}
    assert bodies[-1]["data"]["credential"]["state"] == "revoked"
    assert bodies[0]["data"]["credential"]["source"] == "vcapi"
