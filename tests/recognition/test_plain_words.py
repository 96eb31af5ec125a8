"""Plain words on the recognition pages: the credential's state in the reader's language, no
internal reason codes, plural words instead of "term(s)", and the credit unit with every
number on /me/credit/."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def test_worth_shows_reasons_without_codes(client, program, md_agreement, completed):
    whole, _ = completed
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    page = client.post("/worth", {"files": [upload]}).content.decode()
    assert "Recognised under" in page
    assert "(MATCHED)" not in page
    assert 'data-code="MATCHED"' in page  # still there for scripts and tests, not shown
    assert "term(s)" not in page
    assert "1 term, 6 months" in page
    assert '<dl class="facts">' in page
    assert '<dl class="counts">' not in page


def test_record_choices_name_the_state_in_the_reader_language(client, learner, program,
                                                              md_agreement, completed):
    client.force_login(learner)
    english = client.get("/worth").content.decode()
    assert "; Valid)" in english
    assert "; valid)" not in english
    german = client.get("/worth", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "; Gültig)" in german
    assert "; valid)" not in german


def test_my_applications_show_the_credit_unit(client, learner, program, md_agreement,
                                              completed, staff):
    from microdegree.recognition import services

    whole, _ = completed
    application = services.start_application(learner, program,
                                             record_keys=[f"p-{whole.uuid}"])
    client.force_login(learner)
    page = client.get("/me/credit/").content.decode()
    assert "proposed 30 ECTS credits" in page, page
    application = services.submit_application(learner, application)
    services.decide(staff, application, outcome="accepted")
    page = client.get("/me/credit/").content.decode()
    assert "Accepted as proposed, 30 ECTS credits" in page
