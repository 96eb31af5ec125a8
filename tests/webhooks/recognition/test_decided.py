"""A credit decision is delivered to the receiving institution's subscriptions (not to the
institution that issued the learner's credentials)."""

from __future__ import annotations

import json

import pytest

from microdegree.recognition import services as recognition
from microdegree.webhooks import services
from tests.webhooks.conftest import run_worker, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_decision_is_delivered_to_the_receiving_institution(
        institution, university, learner, program, md_agreement, completed, staff, receiver,
        loopback_allowed):
    _theirs, their_secret = services.create_subscription(
        None, university, url=receiver.url + "/tech", events=["credit_application.decided"])
    services.create_subscription(None, institution, url=receiver.url + "/issuer",
                                 events=["credit_application.decided"])
    whole, parts = completed
    application = recognition.start_application(
        learner, program, record_keys=[f"p-{c.uuid}" for c in (whole, *parts)])
    application = recognition.submit_application(learner, application)
    decision = recognition.decide(staff, application, outcome="accepted")
    run_worker()
    [got] = receiver.requests
    assert got.path.endswith("/tech")
    assert verify_signature(their_secret, got)
    body = json.loads(got.body)
    assert body["type"] == "credit_application.decided"
    assert body["data"]["application"]["uuid"] == str(application.uuid)
    assert body["data"]["application"]["program"]["slug"] == program.slug
    assert body["data"]["decision"]["outcome"] == "accepted"
    assert body["data"]["decision"]["credits"] == 30
    assert body["data"]["decision"]["exemptedModules"] == ["DS1", "DS2", "DS3"]
    assert body["data"]["decision"]["credentialId"] == decision.credential.credential_id
