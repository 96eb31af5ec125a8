"""German everywhere a German reader looks (issue 16, point 14).

The main pages are rendered in German for a learner, the institution's owner and a stranger, with
data behind every part of them (a microdegree, credits, a revoked credential, a credit
application, a bulk batch with a bad row, an agreement). Each page's visible text (and the text
of `alt`, `title`, `aria-label` and `placeholder` attributes) must not contain any English
sentence of the English catalogue: every msgid that has a different German translation and reads
as a phrase (three words or more) once its placeholders are cut out. Machine-readable parts
(`<pre>`, `<code>`, scripts, the signed JSON) are not prose and are left out.
"""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
from django.core import mail
from django.test import Client

import microdegree.settings

pytestmark = pytest.mark.django_db

LOCALE = Path(microdegree.settings.__file__).parent / "locale" / "de" / "LC_MESSAGES"
LEARNER = "lena@example.org"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{[^}]*\}|<[^>]+>|&\w+;")
WORD = re.compile("[A-Za-z][A-Za-z'\u2019-]*")
# Phrases whose English wording is legitimately also German (names, standards, formats).
SAME_IN_GERMAN = {"Open Badges 3.0", "Open Badge", "did:web", "did:key", "eddsa-rdfc-2022",
                  "eddsa-jcs-2022", "Europass", "Verifiable Credentials"}


def english_phrases() -> list[str]:
    """The English catalogue's phrases that German readers should see translated."""
    with open(LOCALE / "django.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    phrases: set[str] = set()
    for msgid, msgstr in catalog.items():
        if not msgid or isinstance(msgid, tuple):
            continue  # the header; plural forms are (msgid, n) tuples and checked as singular
        if msgid == msgstr:
            continue
        for fragment in PLACEHOLDER.split(msgid):
            fragment = " ".join(fragment.split()).strip(" .,:;()\"'")
            if len(WORD.findall(fragment)) >= 3 and fragment not in SAME_IN_GERMAN:
                phrases.add(fragment)
    return sorted(phrases, key=len, reverse=True)


class _Prose(HTMLParser):
    """The text a reader sees, without machine-readable blocks."""

    SKIP: ClassVar = {"script", "style", "pre", "code", "template", "textarea"}
    ATTRS: ClassVar = {"alt", "title", "aria-label", "placeholder"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        for name, value in attrs:
            if name in self.ATTRS and value:
                self.parts.append(value)
            if tag == "input" and name == "value" and value and \
                    dict(attrs).get("type") in {"submit", "button"}:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def prose(html: str) -> str:
    return " ".join(" ".join(segments(html)).split())


def segments(html: str) -> list[str]:
    parser = _Prose()
    parser.feed(html)
    return [" ".join(part.split()) for part in parser.parts if part.strip()]


# Words that are common in English sentences and are not German words.
ENGLISH_ONLY = {"the", "and", "of", "to", "is", "are", "your", "you", "this", "with", "for",
                "not", "has", "have", "be", "by", "from", "on", "it", "that", "or", "can",
                "which", "been", "their", "there", "when", "what", "who", "will"}


def english_in(text: str, phrases: list[str]) -> list[str]:
    """Catalogue phrases in the text, and text segments that read as English sentences
    (two or more English-only words): hard-coded English the catalogue never saw."""
    return [phrase for phrase in phrases if phrase in text]


def english_segments(html: str) -> list[str]:
    found = []
    for segment in segments(html):
        words = {word.lower() for word in WORD.findall(segment)}
        if len(words & ENGLISH_ONLY) >= 2:
            found.append(segment)
    return found


@pytest.fixture(scope="module")
def phrases() -> list[str]:
    return english_phrases()


@pytest.fixture
def world(institution, owner_user, make_user):
    """An institution with a course, a microdegree, awards (one revoked), a program with an
    agreement, a credit application and a bulk batch with a bad row, all in German data."""
    from microdegree.bulk import services as bulk
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing
    from microdegree.recognition import services as recognition

    course = catalog.create_definition(
        None, institution, name="Datenkompetenz", slug="daten", description="Daten lesen.",
        criteria_narrative="Prüfung bestanden.", credits_available=5, ects=5, eqf_level=6,
    )
    ethik = catalog.create_definition(
        None, institution, name="Ethik", slug="ethik", description="Ethik.",
        criteria_narrative="Essay.", credits_available=5, ects=5, eqf_level=6,
    )
    degree = catalog.create_definition(
        None, institution, name="Daten-Microdegree", slug="daten-md", kind="microdegree",
        description="Beide Kurse.", criteria_narrative="Regel.", credits_available=10,
    )
    catalog.set_rule(None, degree, {"all_of": [{"achievement": "daten"},
                                               {"achievement": "ethik"}]})
    course_version, ethik_version = course, ethik  # create_definition returns the version
    held = issuing.issue_credential(None, course_version, recipient_email=LEARNER,
                                    recipient_name="Lena Berg", send_email=False,
                                    credits_earned=5)
    revoked = issuing.issue_credential(None, ethik_version, recipient_email=LEARNER,
                                       recipient_name="Lena Berg", send_email=False,
                                       credits_earned=5)
    issuing.revoke(owner_user, revoked, reason="Fehler")
    program = recognition.create_program(owner_user, institution, name="Master Datenwissenschaft",
                                         slug="master", public=True, total_credits=120,
                                         duration_terms=4, duration_months=24,
                                         residency_terms=2, residency_months=12,
                                         max_recognised_fraction=0.5, eqf_level=7)
    module = recognition.add_module(owner_user, program, code="M1", name="Statistik", credits=5)
    recognition.create_agreement(
        owner_user, program, name="Kurse auf EQR-Niveau 6", source_kind="criteria",
        criteria_registry="platform", criteria_min_eqf_level=6, criteria_min_credits=5,
        value_kind="factor", value_factor=1, exempted_modules=[module], public=True)
    job = bulk.prepare_job(
        owner_user, course_version,
        b"email,name,credits_earned\nkai@example.org,Kai,5\nkeine-adresse,Ina,5\n",
        filename="liste.csv").job
    return {"course": course, "degree": degree, "held": held, "revoked": revoked,
            "program": program, "job": job}


def applications(world, owner_user):
    """The learner applied twice: one application decided (adjusted, with a reason), one
    waiting for a decision."""
    from django.contrib.auth import get_user_model

    from microdegree.recognition import services as recognition

    learner = get_user_model().objects.get(email=LEARNER)
    keys = [f"p-{world['held'].uuid}"]
    decided = recognition.submit_application(
        learner, recognition.start_application(learner, world["program"], record_keys=keys))
    recognition.decide(owner_user, decided, outcome="adjusted", credits=2.5,
                       reason="Nur teilweise anerkannt.")
    waiting = recognition.submit_application(
        learner, recognition.start_application(learner, world["program"], record_keys=keys))
    return decided, waiting


def test_worth_result_has_no_english_sentence(client, world, phrases):
    page = german(client).post("/worth", {"pasted": world["held"].document,
                                          "program": world["program"].pk})
    assert page.status_code == 200
    html = page.content.decode()
    english = english_in(prose(html), phrases) + english_segments(html)
    assert not english, report({"/worth (result)": english})


@pytest.fixture
def owner_user(institution):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="owner@uni.example")


def german(client: Client) -> Client:
    client.cookies["django_language"] = "de"
    return client


def learner_client() -> Client:
    client = german(Client())
    assert client.post("/me/login", {"email": LEARNER}).status_code == 200
    link = re.findall(r"https?://\S+?(/me/login/\S+)", mail.outbox[-1].body)[-1]
    assert client.post(link).status_code == 302
    return client


def report(found: dict[str, list[str]]) -> str:
    return "English on German pages:\n" + "\n".join(
        f"{page}:\n" + "\n".join(f"    {text}" for text in dict.fromkeys(texts))
        for page, texts in found.items())


def check_pages(client: Client, paths: list[str], phrases: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        response = client.get(path, follow=True)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        assert '<html lang="de">' in html, path
        english = english_in(prose(html), phrases) + english_segments(html)
        if english:
            found[path] = english
    return found


def test_the_detector_finds_english_sentences(phrases):
    """The check itself: an English page is caught, its German counterpart is not."""
    assert len(phrases) > 300
    assert english_in(prose("<p>Verify a credential</p><p>Paste a credential</p>"), phrases)
    assert not english_in(prose("<p>Nachweis prüfen</p><pre>Verify a credential</pre>"), phrases)
    # English the catalogue never saw is caught too, German is not
    assert english_segments("<p>The signature does not match the key.</p>")
    assert not english_segments("<p>Die Signatur passt nicht zum Schlüssel.</p>")


def test_public_pages_have_no_english_sentence(client, world, phrases):
    held = world["held"]
    paths = ["/", "/verify", "/catalogue", "/catalogue/institutions", "/catalogue/programs",
             "/catalogue/agreements", "/worth", "/me/login", "/accounts/login/", "/open-data",
             f"/credentials/{held.uuid}", f"/credentials/{world['revoked'].uuid}",
             "/achievements/example-uni/daten", "/achievements/example-uni/daten-md",
             "/programs/example-uni/master"]
    found = check_pages(german(client), paths, phrases)
    assert not found, report(found)


def test_verification_results_have_no_english_sentence(client, world, phrases):
    held, revoked = world["held"], world["revoked"]
    found = {}
    for name, document in [("valid", held.document), ("revoked", revoked.document),
                           ("tampered", held.document.replace("Datenkompetenz", "Datenkunde"))]:
        page = german(client).post("/verify", {"credential": document})
        html = page.content.decode()
        english = english_in(prose(html), phrases) + english_segments(html)
        if english:
            found[name] = english
    assert not found, report(found)


def test_learner_pages_have_no_english_sentence(world, owner_user, phrases):
    client = learner_client()
    held = world["held"]
    decided, waiting = applications(world, owner_user)
    paths = [f"/me/credit/{decided.uuid}", f"/me/credit/{waiting.uuid}", "/me/",
             "/me/?view=competencies", f"/me/credentials/p-{held.uuid}/",
             "/me/credit/", "/me/apps/", "/me/connect/",
             f"/me/credit/apply?program={world['program'].pk}"]
    found = check_pages(client, paths, phrases)
    assert not found, report(found)


def test_staff_pages_have_no_english_sentence(client, world, owner_user, phrases):
    learner_client()
    decided, waiting = applications(world, owner_user)
    client.force_login(owner_user)
    german(client)
    base = "/institutions/example-uni"
    paths = [f"{base}/applications/{decided.uuid}", f"{base}/applications/{waiting.uuid}",
             "/dashboard/", f"{base}/", f"{base}/achievements/", f"{base}/achievements/new",
             f"{base}/achievements/daten/", f"{base}/achievements/daten-md/rule",
             f"{base}/competencies/", f"{base}/credentials/", f"{base}/credentials/pending/",
             f"{base}/credentials/{world['held'].uuid}/",
             f"{base}/credentials/{world['revoked'].uuid}/",
             f"{base}/credentials/award/daten/", f"{base}/bulk/",
             f"{base}/bulk/upload/daten/", f"{base}/bulk/{world['job'].uuid}/",
             f"{base}/reissue-requests/", f"{base}/programs/", f"{base}/programs/master/",
             f"{base}/applications/", f"{base}/api-tokens/", f"{base}/lti/",
             f"{base}/webhooks/", f"{base}/staff/", f"{base}/audit/",
             f"{base}/credentials/{world['held'].uuid}/revoke/"]
    found = check_pages(client, paths, phrases)
    assert not found, report(found)
