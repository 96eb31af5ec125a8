"""Issue 16, points 2, 8 and 13 over HTTP: agreements count every version of what they name
unless pinned; a new version that changes credits, level or parts is shown to the issuer and
told to the receiving institutions; e-mails where people wait (credit decision, new
application, re-issue request, one claim reminder), in the recipient's language."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from microdegree.audit.models import AuditEntry
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition.engine import achievement_series
from microdegree.recognition.models import AgreementNotice

from .conftest import LEARNER, award, signed_in_as, user_by_email

pytestmark = pytest.mark.django_db

ALL_THREE = {"all_of": [{"achievement": "stats"}, {"achievement": "viz"},
                        {"achievement": "ethics"}]}
TWO_OF_THREE = {"at_least": 2, "of": [{"achievement": "stats"}, {"achievement": "viz"},
                                      {"achievement": "ethics"}]}


def _worth(client, document: str) -> dict:
    response = client.post("/api/worth", json.dumps({"credentials": [document]}),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return next(p for p in response.json()["programs"] if p["name"] == "MSc Data Science")


def _version_two(pathway, captured) -> None:
    """Someone completes the microdegree (v1 awarded), then the issuer's owner changes its
    parts over HTTP: version 2."""
    _degree, courses = pathway
    for course in courses:
        award(course, "early@learner.example")
    owner = signed_in_as(user_by_email("owner@uni.example"))
    with captured(execute=True):
        response = owner.post("/institutions/example-uni/achievements/data-science/rule",
                              {"rule": json.dumps(TWO_OF_THREE)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"].endswith("?saved=2")


def _agreement_form(agreement, **changes) -> dict:
    data = {"name": agreement.name, "source_kind": "named",
            "named_text": "\n".join(f"{n['issuer']} {n['achievement']} {n['name']}"
                                    for n in agreement.named_achievements),
            "criteria_registry": "trusted", "value_kind": "fixed", "value_credits": 30,
            "modules": [m.pk for m in agreement.exempted_modules.all()], "public": "on",
            "conditions": agreement.conditions}
    data.update(changes)
    return data


# --- point 2: agreements across versions ------------------------------------------------------


def test_an_agreement_naming_v1_counts_a_learner_awarded_v2_unless_pinned(
        client, pathway, md_agreement, program, staff, learner,
        django_capture_on_commit_callbacks):
    """md_agreement was saved without saying: like every agreement the migration finds."""
    _version_two(pathway, django_capture_on_commit_callbacks)
    degree, (stats, viz, _ethics) = pathway
    assert md_agreement.named_achievements[0]["achievement"].endswith("/v1")
    award(stats)
    award(viz)  # two of three: the microdegree, now version 2
    whole = IssuedCredential.objects.get(recipient_email=LEARNER,
                                         achievement_version__definition=degree.definition)
    assert whole.achievement_version.number == 2
    proposal = _worth(client, whole.document)["proposal"]
    assert proposal["recognised"] == 30
    assert sorted(m["code"] for m in proposal["exempted_modules"]) == ["DS1", "DS2", "DS3"]

    # pinned to the versions it names (over the agreement form): version 2 no longer counts
    url = f"/institutions/tech-uni/programs/{program.slug}/agreements/{md_agreement.pk}/"
    response = signed_in_as(staff).post(url, _agreement_form(md_agreement, pin_versions="on"))
    assert response.status_code == 302, response.content.decode()
    md_agreement.refresh_from_db()
    assert md_agreement.pin_versions is True
    proposal = _worth(client, whole.document)["proposal"]
    assert proposal["recognised"] == 0
    assert proposal["credentials"][0]["code"] == "NO_AGREEMENT"


@pytest.mark.parametrize(("given", "series"), [
    ("https://uni.example/achievements/inst/data-science/v2",
     "https://uni.example/achievements/inst/data-science"),
    ("https://uni.example/achievements/inst/data-science/v12/",
     "https://uni.example/achievements/inst/data-science"),
    # not this platform's shape: each id is its own achievement
    ("https://other.example/badges/v2", "https://other.example/badges/v2"),
    ("https://uni.example/achievements/inst/data-science/v0",
     "https://uni.example/achievements/inst/data-science/v0"),
    ("urn:uuid:1234/v2", "urn:uuid:1234/v2"),
    ("", ""),
])
def test_achievement_series(given, series):
    assert achievement_series(given) == series


def test_another_issuers_same_path_does_not_match(client, pathway, md_agreement, completed):
    """Across versions, but never across issuers: the issuer DID must still match."""
    from microdegree.recognition.engine import AgreementTerms
    from microdegree.recognition.facts import CredentialFacts

    degree, _ = pathway
    terms = AgreementTerms(id=1, name="x", named=(("did:web:other", degree.achievement_id),))
    facts = CredentialFacts(key="k", issuer_id="did:web:mine",
                            achievement_id=degree.achievement_id.replace("/v1", "/v2"))
    assert not terms.names(facts)
    facts.issuer_id = "did:web:other"
    assert terms.names(facts)


def test_new_version_changing_parts_is_shown_to_the_issuer_and_told_to_the_receiver(
        pathway, md_agreement, program, staff, university, django_capture_on_commit_callbacks):
    owner = signed_in_as(user_by_email("owner@uni.example"))
    rule_page = owner.get("/institutions/example-uni/achievements/data-science/rule")
    page = rule_page.content.decode()
    # before saving, the issuer sees who counts it
    assert "Recognition agreements that name this achievement" in page
    assert "Technical University" in page
    assert md_agreement.name in page
    mail.outbox.clear()
    _version_two(pathway, django_capture_on_commit_callbacks)

    notice = AgreementNotice.objects.get()
    assert notice.agreement == md_agreement
    assert notice.version == 2
    assert [c["field"] for c in notice.changes] == ["rule"]
    # the receiving institution's issuers and owner hear of it, each alone
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == ["owner@tech.example", "registrar@tech.example"]
    message = mail.outbox[0]
    assert "Data Science Microdegree" in message.subject
    assert "version 2" in message.subject
    assert md_agreement.name in message.body
    assert "http://testserver" not in message.body
    assert "/institutions/tech-uni/programs/" in message.body
    # and on its programs page, until marked read
    registrar = signed_in_as(staff)
    page = registrar.get("/institutions/tech-uni/programs/").content.decode()
    assert "Achievements your agreements name have changed" in page
    assert "Parts (the microdegree" in page
    response = registrar.post(f"/institutions/tech-uni/programs/notices/{notice.pk}/read")
    assert response.status_code == 302
    page = registrar.get("/institutions/tech-uni/programs/").content.decode()
    assert "Achievements your agreements name have changed" not in page
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"recognition.agreement_notice_created",
            "recognition.agreement_notice_read"} <= actions


def test_a_new_version_changing_credits_is_told_but_a_new_description_is_not(
        pathway, md_agreement, django_capture_on_commit_callbacks):
    from microdegree.catalog import services as catalog

    degree, courses = pathway
    for course in courses:
        award(course, "early@learner.example")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        v2 = catalog.update_definition(None, degree.definition, description="Reworded.")
    assert v2.number == 2
    assert not AgreementNotice.objects.exists()
    assert mail.outbox == []
    for course in courses:  # the microdegree's rule awards version 2
        award(course, "second@learner.example")
    assert v2.issued_credentials.exists()
    with django_capture_on_commit_callbacks(execute=True):
        v3 = catalog.update_definition(None, degree.definition, credits_available=15)
    assert v3.number == 3
    notice = AgreementNotice.objects.get()
    assert notice.changes == [{"field": "credits_available", "before": "30", "after": "15"}]
    assert [m.to for m in mail.outbox] == [["owner@tech.example"]]  # its only staff member


def test_private_agreements_are_counted_not_named_to_the_issuer(
        pathway, program, md_agreement, institution):
    from microdegree.recognition import services

    degree, _ = pathway
    services.create_agreement(
        None, program, name="Secret deal", source_kind="named", public=False,
        named_achievements=[{"issuer": institution.did, "achievement": degree.achievement_id}],
        value_kind="fixed", value_credits=5)
    page = signed_in_as(user_by_email("owner@uni.example")).get(
        "/institutions/example-uni/achievements/data-science/").content.decode()
    assert md_agreement.name in page
    assert "Secret deal" not in page
    assert "And 1 agreement that is not public." in page


def test_another_institution_cannot_mark_a_notice_read(
        pathway, md_agreement, make_user, django_capture_on_commit_callbacks):
    _version_two(pathway, django_capture_on_commit_callbacks)
    notice = AgreementNotice.objects.get()
    # the issuer's owner is staff elsewhere, not at the receiving university
    intruder = signed_in_as(user_by_email("owner@uni.example"))
    response = intruder.post(f"/institutions/tech-uni/programs/notices/{notice.pk}/read")
    assert response.status_code == 404
    response = intruder.post(f"/institutions/example-uni/programs/notices/{notice.pk}/read")
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
