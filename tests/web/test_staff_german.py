"""The institution staff pages in German (language cookie or Accept-Language); English by
default."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
OVERVIEW = "/institutions/example-uni/"
DEFINITIONS = "/institutions/example-uni/achievements/"
AWARD = "/institutions/example-uni/credentials/award/stats/"
BULK_UPLOAD = "/institutions/example-uni/bulk/upload/stats/"
CREDENTIALS = "/institutions/example-uni/credentials/"


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


@pytest.fixture
def german_owner(client: Client, owner, course) -> Client:
    """The institution's owner, signed in, who chose German with the language switcher."""
    client.force_login(owner)
    client.cookies["django_language"] = "de"
    return client


def test_dashboard_in_german(german_owner):
    page = html_of(german_owner.get(DASHBOARD))
    assert '<html lang="de">' in page
    assert "<h1>Übersicht</h1>" in page
    assert "Ihre Einrichtungen" in page
    assert "Ihre Rolle: Eigentümer" in page
    assert "0 Nachweise ausgestellt" in page
    assert "Einrichtung registrieren" in page
    assert "Your institutions" not in page


def test_institution_overview_in_german(german_owner):
    page = html_of(german_owner.get(OVERVIEW))
    assert '<html lang="de">' in page
    assert "Katalog (1 Leistung)" in page
    assert "Nachweise und Verleihung" in page
    assert "Noch nichts verliehen." in page


def test_definition_list_in_german(german_owner):
    page = html_of(german_owner.get(DEFINITIONS))
    assert '<html lang="de">' in page
    assert "<h1>Leistungen von Example University</h1>" in page
    assert "Neues Microcredential" in page
    assert "Neuer Microdegree" in page
    assert "Öffentliche Seite" in page
    assert "noch nicht" in page  # the course has not been awarded yet
    assert "Achievements of" not in page


def test_award_page_in_german_and_the_success_message(german_owner):
    page = html_of(german_owner.get(AWARD))
    assert '<html lang="de">' in page
    assert "<h1>„Course stats“ verleihen</h1>" in page
    assert "5,0 Leistungspunkte erreichbar" in page  # a German decimal comma
    assert "E-Mail-Adresse des Empfängers" in page  # a form label
    assert "Signieren und verleihen" in page
    response = german_owner.post(AWARD, {"recipient_email": "lena@example.org"}, follow=True)
    detail = html_of(response)
    assert "Course stats an lena@example.org verliehen." in detail
    # the claim link itself is no longer shown to staff: they can only have the e-mail resent
    assert "<h2>Verleihungs-E-Mail</h2>" in detail
    assert '<button type="submit">Verleihungs-E-Mail erneut senden</button>' in detail
    assert "Abruflinks gehen nur an das Postfach des Empfängers" in detail
    assert "Signierter Nachweis" in detail


def test_bulk_upload_page_in_german(german_owner):
    page = html_of(german_owner.get(BULK_UPLOAD))
    assert '<html lang="de">' in page
    assert "<h1>„Course stats“ sammelweise verleihen</h1>" in page
    assert "CSV-Datei (UTF-8, durch Komma oder Semikolon getrennt; kann als .csv.gz" in page
    assert "Jedem Empfänger einen Abruflink per E-Mail senden" in page
    assert "Datei prüfen" in page


def test_accept_language_also_gives_german(client, owner, course):
    client.force_login(owner)
    page = html_of(client.get(CREDENTIALS, HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in page
    assert "Von Example University ausgestellte Nachweise" in page
    assert "Keine passenden Nachweise." in page


def test_staff_pages_stay_english_by_default(client, owner, course):
    client.force_login(owner)
    dashboard = html_of(client.get(DASHBOARD))
    assert '<html lang="en">' in dashboard
    assert "Your role: owner" in dashboard
    assert "0 credentials issued" in dashboard
    definitions = html_of(client.get(DEFINITIONS))
    assert "<h1>Achievements of Example University</h1>" in definitions
    award = html_of(client.get(AWARD))
    assert "<h1>Award “Course stats”</h1>" in award
    assert "Recipient e-mail" in award
    bulk = html_of(client.get(BULK_UPLOAD))
    assert "<h1>Award “Course stats” in bulk</h1>" in bulk
    assert "Check the file" in bulk
    for page in (dashboard, definitions, award, bulk):
        assert "Leistung" not in page


def test_look_alike_name_warning_in_german(german_owner):
    """Registering a name another institution already has (apart from case) warns in German,
    the other institution's status included."""
    page = html_of(german_owner.post("/institutions/register", {
        "name": "example  UNIVERSITY", "country_code": "DE"}))
    assert "Dieser Name könnte mit dem einer anderen Einrichtung verwechselt werden." in page
    assert ("Derselbe Name wie „Example University“ (example-uni, Zugelassen), abgesehen von "
            "Groß- und Kleinschreibung oder Leerzeichen.") in page
    assert "Dies ist eine andere Einrichtung: trotzdem unter diesem Namen registrieren" in page
    assert "Approved" not in page
