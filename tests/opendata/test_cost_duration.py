"""Cost and typical duration of a microcredential definition: set through the staff form and
the service (validated), shown on the public achievement page, and kept out of the Achievement
JSON-LD (no OB or EU-extension term defines them; they go to the open-data exports)."""

from __future__ import annotations

import json

import pytest

from microdegree.catalog import services
from microdegree.catalog.errors import Invalid
from microdegree.catalog.models import AchievementVersion

pytestmark = pytest.mark.django_db

STAFF = "/institutions/example-uni/achievements"


@pytest.fixture
def issuer(institution, make_user):
    from microdegree.institutions import services as inst_services

    user = make_user("issuer@uni.example")
    inst_services.set_member(None, institution, user, "issuer")
    return user


def create(issuer, institution, **fields):
    return services.create_definition(
        issuer, institution, name="Data Literacy", description="Read data.",
        criteria_narrative="Pass the exam.", **fields)


def test_staff_form_sets_cost_and_duration(client, issuer, institution):
    client.force_login(issuer)
    page = client.get(f"{STAFF}/new?kind=microcredential").content.decode()
    for name in ("cost_amount", "cost_currency", "duration_weeks"):
        assert f'<label for="id_{name}">' in page
    response = client.post(f"{STAFF}/new", {
        "kind": "microcredential", "name": "Data Literacy", "description": "Read data.",
        "criteria_narrative": "Pass the exam.", "achievement_type": "MicroCredential",
        "language": "en", "cost_amount": "149.90", "cost_currency": "EUR",
        "duration_weeks": "8",
    })
    assert response.status_code == 302
    version = AchievementVersion.objects.get()
    assert (version.cost_amount, version.cost_currency, version.duration_weeks) == \
        (149.9, "EUR", 8)
    assert version.duration_iso == "P8W"


@pytest.mark.parametrize(("fields", "message"), [
    ({"cost_amount": 50}, "currency"),
    ({"cost_currency": "EUR"}, "amount"),
    ({"cost_amount": 50, "cost_currency": "euro"}, "ISO 4217"),
    ({"cost_amount": -1, "cost_currency": "EUR"}, "greater than or equal to 0"),
    ({"duration_weeks": 0}, "greater than or equal to 1"),
])
def test_bad_cost_or_duration_is_refused_with_a_sentence(issuer, institution, fields, message):
    with pytest.raises(Invalid) as exc:
        create(issuer, institution, **fields)
    assert message in exc.value.message
    assert not AchievementVersion.objects.exists()


def test_the_staff_form_shows_the_error(client, issuer, institution):
    client.force_login(issuer)
    response = client.post(f"{STAFF}/new", {
        "kind": "microcredential", "name": "Data Literacy", "description": "Read data.",
        "criteria_narrative": "Pass the exam.", "achievement_type": "MicroCredential",
        "language": "en", "cost_amount": "20",
    })
    assert response.status_code == 400
    assert "Give the currency of the cost" in response.content.decode()


def test_free_is_a_cost_of_zero_without_currency(issuer, institution):
    version = create(issuer, institution, cost_amount=0)
    assert version.is_free


def test_public_page_shows_cost_and_duration(client, issuer, institution):
    paid = create(issuer, institution, cost_amount=1250, cost_currency="EUR", duration_weeks=1)
    html = client.get(paid.path).content.decode()
    assert "<dt>Cost</dt><dd>1,250.00 EUR</dd>" in html
    assert "<dt>Typical duration</dt><dd>1 week</dd>" in html
    free = services.create_definition(issuer, institution, name="Free Course",
                                      description="Gratis.", criteria_narrative="Attend.",
                                      cost_amount=0, duration_weeks=3)
    html = client.get(free.path).content.decode()
    assert "<dt>Cost</dt><dd>Free</dd>" in html
    assert "<dt>Typical duration</dt><dd>3 weeks</dd>" in html


def test_cost_and_duration_stay_out_of_the_achievement_json_ld(client, issuer, institution):
    version = create(issuer, institution, cost_amount=10, cost_currency="EUR",
                     duration_weeks=4)
    doc = json.loads(client.get(version.path, HTTP_ACCEPT="application/ld+json").content)
    text = json.dumps(doc)
    assert "P4W" not in text
    assert "EUR" not in text
    assert "cost" not in text.lower()


def test_an_edit_of_cost_in_an_awarded_version_makes_a_new_version(issuer, institution):
    version = create(issuer, institution, cost_amount=10, cost_currency="EUR")
    services.mark_awarded(version)
    same = services.update_definition(issuer, version.definition, cost_amount=10.0,
                                      cost_currency="EUR")
    assert same.number == 1  # nothing changed: no new version
    newer = services.update_definition(issuer, version.definition, cost_amount=0,
                                       cost_currency="")
    assert newer.number == 2
    assert newer.is_free
