"""The interface in English and German: chosen by Accept-Language or the switcher (a cookie),
dates and numbers in the reader's format, every German string translated, JSON unchanged."""

from __future__ import annotations

import ast
import gettext
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

import microdegree.settings
from microdegree.catalog import services as catalog
from microdegree.issuing import services as issuing
from microdegree.verification import services as verification_services

pytestmark = pytest.mark.django_db

LOCALE = Path(microdegree.settings.__file__).parent / "locale" / "de" / "LC_MESSAGES"
GERMAN_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                 "September", "Oktober", "November", "Dezember"]
LEARNER = "lena@example.org"


@pytest.fixture(autouse=True)
def _fresh_verifier():
    verification_services.reset()
    yield
    verification_services.reset()


@pytest.fixture
def course(institution):
    """A course worth 7.5 ECTS (a decimal a German reader writes "7,5")."""
    return catalog.create_definition(
        None, institution, name="Data Literacy", slug="data-literacy",
        description="Reading data.", criteria_narrative="Pass the exam.",
        credits_available=7.5, ects=7.5, eqf_level=6,
    )


@pytest.fixture
def credential(course):
    return issuing.issue_credential(None, course, recipient_email=LEARNER, send_email=False,
                                    credits_earned=7.5)


def german_date(moment: datetime) -> str:
    return f"{moment.day}. {GERMAN_MONTHS[moment.month - 1]} {moment.year}"


def english_date(moment: datetime) -> str:
    return moment.strftime("%-d %B %Y")


def html_of(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def signed_in_learner(client: Client) -> Client:
    """Sign in by the e-mailed one-time link, as a learner does."""
    assert client.post("/me/login", {"email": LEARNER}).status_code == 200
    link = re.findall(r"https?://\S+?(/me/login/\S+)", mail.outbox[-1].body)[-1]
    assert client.post(link).status_code == 302
    return client


# --- Accept-Language -------------------------------------------------------------------------


def test_home_verify_and_sign_in_pages_in_german(client):
    home = html_of(client.get("/", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in home
    assert "Microcredentials und kombinierbare Microdegrees" in home
    assert ">Nachweis prüfen<" in home  # the site navigation
    assert "Zum Inhalt springen" in home
    assert 'lang="de" selected>Deutsch</option>' in home  # the switcher shows the language

    verify = html_of(client.get("/verify", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5"))
    assert '<html lang="de">' in verify
    assert "<h1>Nachweis prüfen</h1>" in verify
    assert "Oder laden Sie eine Datei hoch" in verify

    login = html_of(client.get("/me/login", HTTP_ACCEPT_LANGUAGE="de"))
    assert "<h1>Bei Ihrem Lernprofil anmelden</h1>" in login
    assert "Anmeldelink senden" in login
    asked = client.post("/me/login", {"email": LEARNER}, HTTP_ACCEPT_LANGUAGE="de")
    assert asked.status_code == 200
    assert mail.outbox[-1].subject == "Ihr Anmeldelink"  # the e-mail in the asker's language
    assert "Mit diesem Link melden Sie sich bei Ihrem Microdegree-Lernprofil an:" in \
        mail.outbox[-1].body
    staff = html_of(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Passwort" in staff
    assert "<h1>Anmelden</h1>" in staff


def test_verification_result_in_german_with_codes_unchanged(client, credential):
    page = html_of(client.post("/verify", {"credential": credential.document},
                               HTTP_ACCEPT_LANGUAGE="de"))
    assert "<strong>Verifiziert</strong>" in page
    assert "<strong>Signatur</strong>: Die eddsa-rdfc-2022-Signatur ist gültig." in page
    assert "Der Nachweis ist formal korrekt." in page
    assert "Der Signaturschlüssel gehört dem Aussteller" in page
    assert 'data-code="PROOF_VALID"' in page  # machine codes are never translated
    assert "Bestanden:" in page
    assert "The credential is well formed." not in page


def test_core_sentences_with_dates_and_numbers_read_the_german_way():
    from django.utils import translation

    from microdegree.verification.wording import check_message

    with translation.override("de"):
        assert check_message("The credential is valid now, until 2027-11-28T00:00:00Z.") == \
            "Der Nachweis ist derzeit gültig, bis 28. November 2027."
        assert check_message("The credential expired on 2025-03-04T10:30:00+01:00.") == \
            "Der Nachweis ist am 4. März 2025 09:30 UTC abgelaufen."
        assert check_message("At least 7.5 credits from:") == \
            "Mindestens 7,5 Leistungspunkte aus:"
        assert check_message("A sentence the core added later.") == \
            "A sentence the core added later."  # unknown: shown as written, never lost
    with translation.override("en"):
        assert check_message("The credential is valid now, until 2027-11-28T00:00:00Z.") == \
            "The credential is valid now, until 28 November 2027."


def test_verify_page_explains_unreadable_input_in_german(client):
    page = client.post("/verify", {"credential": "  "}, HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 400
    html = page.content.decode()
    assert "Das konnte nicht geprüft werden." in html
    assert "Fügen Sie einen Nachweis ein, wählen Sie eine Datei" in html
    as_json = client.post("/verify", {"credential": "  "}, HTTP_ACCEPT="application/json",
                          HTTP_ACCEPT_LANGUAGE="de")
    assert as_json.status_code == 400
    assert as_json.json() == {"code": "NO_INPUT", "message": "Paste a credential, choose a file, "
                              "or give the credential's address."}


def test_public_credential_page_in_german_with_german_date_and_decimal(client, credential):
    page = html_of(client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in page
    assert "<dt>Ausgestellt von</dt>" in page
    assert "<h2 id=\"live-heading\">Soeben geprüft</h2>" in page
    assert "<dt>Erworbene Leistungspunkte</dt><dd>7,5</dd>" in page
    assert "<dt>ECTS</dt>" not in page  # the same as the credits earned: shown once
    assert f"<dt>Gültig ab</dt><dd>{german_date(credential.valid_from)}</dd>" in page
    assert "<dt>Niveau</dt><dd>EQR-Niveau 6</dd>" in page
    assert "Verifiziert" in page


def test_record_page_in_german_with_german_numbers(client, credential):
    signed_in_learner(client)
    page = html_of(client.get("/me/", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in page
    assert "<h1>Ihr Lernprofil</h1>" in page
    assert "7,5 ECTS aus 1 gültigen Nachweis" in page
    assert ">Gültig</span>" in page  # the credential's state
    assert "<td>EQR 6</td><td>7,5</td>" in page  # ECTS by level
    by_competency = html_of(client.get("/me/?view=competencies", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Nachweise für" in by_competency
    detail = html_of(client.get(f"/me/credentials/p-{credential.uuid}/",
                                HTTP_ACCEPT_LANGUAGE="de"))
    assert f"<dt>Ausgestellt</dt><dd>{german_date(credential.valid_from)}</dd>" in detail
    assert "<dt>ECTS</dt><dd>7,5</dd>" in detail
    assert "<dt>Niveau</dt><dd>EQR-Niveau 6</dd>" in detail
    added = client.post("/me/emails/", {"email": "lena@work.example"}, HTTP_ACCEPT_LANGUAGE="de",
                        follow=True)
    assert "Wir haben einen Bestätigungslink an lena@work.example geschickt." in html_of(added)
    refused = client.post("/me/emails/", {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="de")
    assert refused.status_code == 400
    assert "Geben Sie eine gültige E-Mail-Adresse ein." in refused.content.decode()
    assert "<h2>Teilen</h2>" in detail
    # the three choices of who can see it (ADR 0027), the new sentences come with the catalogue
    assert '<label for="visibility-public" class="inline">Öffentlich</label>' in detail
    assert '<label for="visibility-hidden" class="inline">Verborgen</label>' in detail


def test_progress_toward_a_microdegree_in_german(client, institution, course, credential):
    catalog.create_definition(None, institution, name="Ethics", slug="ethics",
                              description="Ethics.", criteria_narrative="Essay.",
                              credits_available=2.5)
    degree = catalog.create_definition(
        None, institution, name="Data Microdegree", slug="data-degree", kind="microdegree",
        description="Both courses.", criteria_narrative="Rule.", credits_available=10,
    )
    catalog.set_rule(None, degree, {"all_of": [{"achievement": "data-literacy"},
                                               {"achievement": "ethics"}]})
    signed_in_learner(client)
    page = html_of(client.get("/me/", HTTP_ACCEPT_LANGUAGE="de"))
    assert "Fortschritt auf dem Weg zum Microdegree" in page
    assert "Alle:" in page
    assert '<span class="hint">1 von 2 erledigt</span>' in page
    assert '<progress value="1" max="2"' in page  # attribute values stay machine-readable
    assert "7,5 Leistungspunkte erreicht" in page
    english = html_of(client.get("/me/"))
    assert '<span class="hint">1 of 2 done</span>' in english
    rule = html_of(client.get("/achievements/example-uni/data-degree/v1", HTTP_ACCEPT="text/html",
                              HTTP_ACCEPT_LANGUAGE="de"))
    assert "<h2>So wird er erworben (Lernpfad)</h2>" in rule
    assert "<li>Alle:" in rule


def test_claim_page_from_the_award_email_in_german(client, credential):
    from microdegree.issuing.mail import claim_token

    page = html_of(client.get(f"/claim/{claim_token(credential)}", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in page
    when = german_date(credential.issued_at)
    assert f"Example University hat Ihnen diesen Nachweis am {when} verliehen." in page
    assert "Zu Ihrem Lernprofil hinzufügen" in page


def test_public_achievement_page_in_german(client, course):
    page = html_of(client.get("/achievements/example-uni/data-literacy/v1",
                              HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="de"))
    assert '<html lang="de">' in page
    assert "<h2>Kriterien</h2>" in page
    assert "<dt>ECTS-Punkte</dt><dd>7,50</dd>" in page  # the catalogue shows two decimals
    assert "EQR-Niveau 6" in page


# --- English stays the default ---------------------------------------------------------------


def test_every_page_renders_in_english_by_default(client, credential, course):
    pages = {
        "/": "Microcredentials and stackable microdegrees",
        "/verify": "<h1>Verify a credential</h1>",
        "/me/login": "<h1>Sign in to your learning record</h1>",
        "/accounts/login/": "<h1>Sign in</h1>",
        f"/credentials/{credential.uuid}": "<dt>Credits earned</dt><dd>7.5</dd>",
        "/achievements/example-uni/data-literacy/v1": "<dt>ECTS credits</dt><dd>7.50</dd>",
    }
    for path, text in pages.items():
        html = html_of(client.get(path, HTTP_ACCEPT="text/html"))
        assert '<html lang="en">' in html, path
        assert text in html, path
        assert "Nachweis" not in html, path
    public = html_of(client.get(f"/credentials/{credential.uuid}"))
    assert f"<dt>Valid from</dt><dd>{english_date(credential.valid_from)}</dd>" in public
    signed_in_learner(client)
    record = html_of(client.get("/me/"))
    assert "<h1>Your learning record</h1>" in record
    assert mail.outbox[-1].subject == "Your sign-in link"
    assert "7.5 ECTS from 1 valid credential " in record


def test_an_unknown_language_falls_back_to_english(client):
    page = html_of(client.get("/verify", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"))
    assert '<html lang="en">' in page
    assert "<h1>Verify a credential</h1>" in page


# --- the switcher ----------------------------------------------------------------------------


def test_switcher_sets_a_cookie_that_wins_over_accept_language_and_switches_back():
    client = Client(enforce_csrf_checks=True)
    page = html_of(client.get("/verify"))
    form = re.search(r'<form class="language-switcher" method="post" action="([^"]+)".*?</form>',
                     page, re.S)
    assert form, "the base template has the language switcher"
    assert '<label for="language-select"' in form[0]
    assert '<select id="language-select"' in form[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form[0])[1]
    assert client.post(form[1], {"language": "de", "next": "/verify"}).status_code == 403, \
        "without the CSRF token the switch is refused"

    switched = client.post(form[1], {"language": "de", "next": "/verify",
                                     "csrfmiddlewaretoken": token})
    assert switched.status_code == 302
    assert switched["Location"] == "/verify"
    assert client.cookies["django_language"].value == "de"
    german = html_of(client.get("/verify", HTTP_ACCEPT_LANGUAGE="en"))
    assert '<html lang="de">' in german
    assert "<h1>Nachweis prüfen</h1>" in german

    back = client.post(form[1], {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert back.status_code == 302
    assert back["Location"] == "/"
    english = html_of(client.get("/verify"))
    assert '<html lang="en">' in english
    assert "<h1>Verify a credential</h1>" in english


def test_switcher_ignores_an_unknown_language_and_an_offsite_next(client):
    response = client.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies
    assert '<html lang="en">' in html_of(client.get("/"))


# --- machine-readable answers do not change with the language ----------------------------


def test_json_answers_stay_english_and_do_not_vary_by_language(client, credential):
    signed = client.get(f"/credentials/{credential.uuid}", HTTP_ACCEPT="application/vc+ld+json",
                        HTTP_ACCEPT_LANGUAGE="de")
    assert signed.status_code == 200
    assert signed.content.decode() == credential.document
    assert "Accept-Language" not in signed.get("Vary", "")
    assert "Content-Language" not in signed

    report = client.post("/verify", {"credential": credential.document},
                         HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="de")
    body = report.json()
    assert body["verified"] is True
    assert body["verdict"] == "Verified"
    messages = [c["message"] for c in body["report"]["checks"]]
    assert "The credential is well formed." in messages

    html = client.get("/verify", HTTP_ACCEPT_LANGUAGE="de")
    assert "Accept-Language" in html["Vary"]
    assert html["Content-Language"] == "de"


# --- the translation files -------------------------------------------------------------------


def _po_entries(text: str) -> list[dict[str, str]]:
    """The .po file's entries: msgctxt/msgid/msgid_plural/msgstr[...] and a 'flags' line."""
    entries: list[dict[str, str]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += _unquote(line)
            else:
                key, _, rest = line.partition(" ")
                entry[key] = _unquote(rest)
        entries.append(entry)
    return entries


def _unquote(quoted: str) -> str:
    assert quoted.startswith('"'), quoted
    assert quoted.endswith('"'), quoted
    value = ast.literal_eval(quoted)  # .po escapes (\\n, \\", \\\\) are Python's
    assert isinstance(value, str)
    return value


def test_po_file_has_no_untranslated_or_fuzzy_entry_and_the_mo_matches():
    entries = _po_entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: de" in header["msgstr"]
    assert len(messages) > 150
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    problems = []
    for entry in messages:
        msgid = entry["msgid"]
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {msgid!r}")
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        if not translations or any(not t.strip() for t in translations):
            problems.append(f"untranslated: {msgid!r}")
            continue
        wanted = set(re.findall(r"%\(\w+\)[sd]", msgid))
        if any(set(re.findall(r"%\(\w+\)[sd]", t)) != wanted for t in translations):
            problems.append(f"placeholders differ: {msgid!r}")
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = compiled.ngettext(msgid, entry["msgid_plural"], 1)
            expected = entry["msgstr[0]"]
        elif context is not None:
            got, expected = compiled.pgettext(context, msgid), entry["msgstr"]
        else:
            got, expected = compiled.gettext(msgid), entry["msgstr"]
        if got != expected:
            problems.append(f"not compiled (run compilemessages): {msgid!r}")
    assert not problems, "\n".join(problems)


# --- in a browser ----------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_switching_language_in_chromium(live_server, browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/verify")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Verify a credential")
    page.get_by_label("Language", exact=True).select_option("de")
    page.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("h1")).to_have_text("Nachweis prüfen")
    assert page.url == f"{live_server.url}/verify"  # back on the same page
    if page.evaluate("!('BarcodeDetector' in window)"):
        expect(page.locator("#qr")).to_be_hidden()  # no scanner here: no scanner box
    page.get_by_role("link", name="Mein Lernprofil").click()
    expect(page.locator("h1")).to_have_text("Bei Ihrem Lernprofil anmelden")
    page.get_by_label("Sprache", exact=True).select_option("en")
    page.get_by_role("button", name="Sprache wechseln").click()
    expect(page.locator("h1")).to_have_text("Sign in to your learning record")
    expect(page.locator("html")).to_have_attribute("lang", "en")
