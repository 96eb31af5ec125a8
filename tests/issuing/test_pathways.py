"""Microdegrees: awarded when the last component is issued, never on revoked parts, or queued
for approval; the credential names its parts and sums their credits."""

from __future__ import annotations

import json

import pytest

from microdegree.issuing import services
from microdegree.issuing.errors import Conflict, Invalid
from microdegree.issuing.models import IssuedCredential, PendingMicrodegree

pytestmark = pytest.mark.django_db

EMAIL = "grace@example.org"


def _award(version, email=EMAIL, **kwargs):
    return services.issue_credential(None, version, recipient_email=email, send_email=False,
                                     **kwargs)


def _degrees(degree, email=EMAIL):
    return IssuedCredential.objects.filter(achievement_version__definition=degree.definition,
                                           recipient_email=email)


def test_the_microdegree_is_awarded_with_the_last_component(institution, pathway, check):
    degree, (stats, viz, ethics) = pathway
    parts = [_award(stats, credits_earned=5), _award(viz, credits_earned=4.5)]
    assert not _degrees(degree).exists()
    parts.append(_award(ethics, recipient_name="Grace Hopper", credits_earned=5))
    awarded = _degrees(degree).get()
    assert set(awarded.components.all()) == set(parts)
    assert awarded.credits_earned == 14.5
    doc = json.loads(awarded.document)
    assert doc["credentialSubject"]["creditsEarned"] == 14.5
    assert doc["credentialSubject"]["achievement"]["name"] == "Data Science Microdegree"
    evidence_ids = {e["id"] for e in doc["evidence"]}
    assert evidence_ids == {p.credential_id for p in parts}
    assert all(e["genre"] == "Component credential" for e in doc["evidence"])
    assert doc["credentialSubject"]["identifier"][1]["identityHash"] == "Grace Hopper"
    assert check(awarded.document, institution).verified
    # issuing another component again does not award the microdegree twice
    _award(stats)
    assert _degrees(degree).count() == 1


def test_a_revoked_component_does_not_count(institution, pathway):
    degree, (stats, viz, ethics) = pathway
    first = _award(stats)
    _award(viz)
    services.revoke(None, first, "Mistake")
    _award(ethics)
    assert not _degrees(degree).exists()
    _award(stats)  # re-earned: now complete
    assert _degrees(degree).count() == 1


def test_a_suspended_or_expired_component_does_not_count(institution, pathway):
    from datetime import timedelta

    from django.utils import timezone

    degree, (stats, viz, ethics) = pathway
    suspended = _award(stats)
    services.suspend(None, suspended, "Check")
    expired = _award(viz)
    IssuedCredential.objects.filter(pk=expired.pk).update(
        valid_until=timezone.now() - timedelta(days=1))
    _award(ethics)
    assert not _degrees(degree).exists()


def test_other_recipients_credentials_never_count(institution, pathway):
    degree, (stats, viz, ethics) = pathway
    _award(stats)
    _award(viz)
    _award(ethics, email="someone-else@example.org")
    assert not IssuedCredential.objects.filter(
        achievement_version__definition=degree.definition).exists()


def test_approval_flow(institution, pathway, issuer):
    institution.approve_microdegrees = True
    institution.save()
    degree, (stats, viz, ethics) = pathway
    for version in (stats, viz, ethics):
        version.definition.institution.approve_microdegrees = True
        _award(version)
    assert not _degrees(degree).exists()
    pending = PendingMicrodegree.objects.get()
    assert pending.state == "pending"
    assert pending.components.count() == 3
    _award(stats)  # completing again does not queue a second approval
    assert PendingMicrodegree.objects.count() == 1
    cred = services.approve_microdegree(issuer, pending)
    pending.refresh_from_db()
    assert pending.state == "approved"
    assert pending.credential == cred
    assert cred.credits_earned == 15
    assert _degrees(degree).count() == 1
    with pytest.raises(Conflict):
        services.approve_microdegree(issuer, pending)


def test_approval_refuses_when_a_component_was_revoked_meanwhile(institution, pathway, issuer):
    institution.approve_microdegrees = True
    institution.save()
    _degree, versions = pathway
    parts = []
    for version in versions:
        version.definition.institution.approve_microdegrees = True
        parts.append(_award(version))
    pending = PendingMicrodegree.objects.get()
    services.revoke(issuer, parts[0], "Fraud")
    with pytest.raises(Conflict) as refused:
        services.approve_microdegree(issuer, pending)
    assert refused.value.code == "COMPONENT_INVALID"
    services.reject_microdegree(issuer, pending, "Component revoked")
    pending.refresh_from_db()
    assert pending.state == "rejected"


def test_a_microdegree_is_not_awarded_by_hand_without_components(institution, pathway):
    degree, _ = pathway
    with pytest.raises(Invalid) as refused:
        _award(degree)
    assert refused.value.code == "COMPONENTS_REQUIRED"


def test_unsuspending_the_missing_component_completes_the_pathway(institution, pathway):
    degree, (stats, viz, ethics) = pathway
    held = _award(stats)
    services.suspend(None, held, "Check")
    _award(viz)
    _award(ethics)
    assert not _degrees(degree).exists()
    services.unsuspend(None, held, "Cleared")
    assert _degrees(degree).count() == 1
