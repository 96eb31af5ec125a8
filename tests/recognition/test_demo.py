"""The demo command's recognition part: a second (approved) university, its MSc and agreement,
and Carla's accepted application with a signed decision credential; safe to run twice."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from microdegree.recognition.models import CreditApplication, Decision, RecognitionAgreement
from microdegree.verification.services import verify_for_people

pytestmark = pytest.mark.django_db


def test_demo_has_a_decided_application_and_runs_twice(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=io.StringIO())
    application = CreditApplication.objects.get()
    assert application.program.institution.name == "Demo Technical University"
    assert application.program.institution.is_approved
    assert application.status == "decided"
    assert RecognitionAgreement.objects.count() == 2
    decision = Decision.objects.get()
    assert decision.outcome == "accepted"
    assert decision.credits == 30
    codes = [c["code"] for c in application.proposal["credentials"]]
    assert codes == ["MATCHED", "ALREADY_COUNTED", "ALREADY_COUNTED", "ALREADY_COUNTED"]
    assert application.proposal["residency"]["terms_saved"] == 1
    document = json.loads(decision.credential.document)
    assert sorted(m.code for m in decision.exempted_modules.all()) == [
        "MDS-101", "MDS-102", "MDS-103"]
    assert len(document["evidence"]) == 1
    assert verify_for_people(decision.credential.document).verified
    printed = out.getvalue()
    assert "recognised 30 of 120 ECTS" in printed
    assert "residency saved 1 term(s) / 6 months" in printed
