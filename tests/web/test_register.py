"""Registering an institution and managing API tokens through the real views."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_registration_creates_a_pending_institution_with_an_audit_entry(client, make_user):
    from microdegree.audit.models import AuditEntry
    from microdegree.institutions.models import Institution, Membership

    user = make_user("founder@micro.example")
    client.force_login(user)
    assert "Register an institution" in client.get("/institutions/register").content.decode()
    response = client.post("/institutions/register", {
        "name": "Micro College", "country_code": "ie", "url": "https://micro.example",
    }, follow=True)
    inst = Institution.objects.get(slug="micro-college")
    assert response.redirect_chain[-1][0] == "/institutions/micro-college/"
    assert inst.status == Institution.Status.PENDING
    assert inst.country_code == "IE"
    assert Membership.objects.get(institution=inst, user=user).role == "owner"
    entry = AuditEntry.objects.get(action="institution.registered", institution_id=inst.pk)
    assert entry.actor == user
    page = response.content.decode()
    assert "A platform administrator approves it" in page
    assert "Waiting for approval" in page


def test_registration_errors_are_shown(client, institution, make_user):
    client.force_login(make_user())
    page = client.post("/institutions/register", {
        "name": "Example University", "country_code": "NL", "slug": "example-uni",
    }).content.decode()
    assert "is taken" in page
    page = client.post("/institutions/register", {"name": "X", "country_code": "1"}
                       ).content.decode()
    assert "Ensure this value has at least 2 characters" in page


def test_api_tokens_owner_creates_and_revokes_issuer_reads(client, institution, owner,
                                                            make_user):
    from microdegree.institutions import services
    from microdegree.issuing.models import ApiToken
    from microdegree.issuing.services import token_from

    client.force_login(owner)
    page = client.post("/institutions/example-uni/api-tokens/",
                       {"name": "LMS", "role": "issuer"}).content.decode()
    token = ApiToken.objects.get(institution=institution, name="LMS")
    raw = page.split('id="new-token">')[1].split("<")[0]
    assert token_from(raw) == token
    assert raw not in client.get("/institutions/example-uni/api-tokens/").content.decode()

    issuer = make_user("issuer@uni.example")
    services.set_member(None, institution, issuer, "issuer")
    client.force_login(issuer)
    assert "LMS" in client.get("/institutions/example-uni/api-tokens/").content.decode()
    assert client.post("/institutions/example-uni/api-tokens/",
                       {"revoke": token.pk}).status_code == 403
    viewer = make_user("viewer@uni.example")
    services.set_member(None, institution, viewer, "viewer")
    client.force_login(viewer)
    assert client.get("/institutions/example-uni/api-tokens/").status_code == 403

    client.force_login(owner)
    client.post("/institutions/example-uni/api-tokens/", {"revoke": token.pk})
    assert token_from(raw) is None
