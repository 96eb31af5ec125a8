"""Issue 12 point 14: an institution registered under a name that is already taken, or that only
looks the same (a Cyrillic e, U+0435, for the Latin one), is flagged to the registrant and to the
platform admin who approves it; before the fix both were accepted and listed with no warning.
"""

from __future__ import annotations

import pytest

from microdegree.audit.models import AuditEntry
from microdegree.institutions import services as inst_services
from microdegree.institutions.models import Institution

pytestmark = pytest.mark.django_db

CYRILLIC_E = "\u0435"


@pytest.fixture(autouse=True)
def _cheap_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_university(make_user, admin_user):
    owner = make_user("owner@demo.example")
    inst = inst_services.register_institution(owner, name="Demo University", country_code="NL",
                                              owner=owner, slug="demo-university")
    return inst_services.approve_institution(admin_user, inst)


def _register(client, name, slug, **extra):
    return client.post("/institutions/register", {
        "name": name, "country_code": "NL", "slug": slug, "url": "", "email": "",
        "description": "", **extra})


@pytest.mark.parametrize(("name", "kind"), [
    ("Demo University", "duplicate"),
    ("  demo   UNIVERSITY ", "duplicate"),
    (f"D{CYRILLIC_E}mo University", "confusable"),
    (f"D{CYRILLIC_E}mo Univ{CYRILLIC_E}rsity", "confusable"),
    ("Demo Uni\u200bversity", "duplicate"),  # a zero-width space inside: invisible
])
def test_a_look_alike_name_is_flagged_at_registration_and_approval(
        client, make_user, admin_user, demo_university, name, kind):
    registrant = make_user("someone@elsewhere.example")
    client.force_login(registrant)
    page = _register(client, name, "look-alike")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-warning="similar-name"' in html
    assert f'data-kind="{kind}"' in html
    assert "“Demo University” (demo-university, Approved)" in html
    assert not Institution.objects.filter(slug="look-alike").exists()  # not without confirming

    page = _register(client, name, "look-alike", confirm_distinct="on")
    assert page.status_code == 302
    registered = Institution.objects.get(slug="look-alike")
    entry = AuditEntry.objects.get(action="institution.registered", object_id=str(registered.pk))
    assert entry.after["similar_to"] == [
        {"slug": "demo-university", "name": "Demo University", "kind": kind}]

    client.force_login(admin_user)
    html = client.get("/dashboard/").content.decode()
    pending = html.split('id="pending-h"', 1)[1].split("</section>", 1)[0]
    assert "look-alike" in pending
    assert 'data-warning="similar-name"' in pending
    assert "“Demo University” (demo-university, Approved)" in pending


def test_a_different_name_is_not_flagged(client, make_user, admin_user, demo_university):
    client.force_login(make_user("registrar@tech.example"))
    page = _register(client, "Demo Technical University", "demo-tech")
    assert page.status_code == 302
    client.force_login(admin_user)
    html = client.get("/dashboard/").content.decode()
    assert "Demo Technical University" in html
    assert 'data-warning="similar-name"' not in html
