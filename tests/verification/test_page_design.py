"""The public credential page and /verify as a designer reviewed them: verdict first, plain
achievement types, no repeated ECTS, the badge image styled by class, and plain words (with the
technical reason in <details>) for pasted text that is not JSON."""

from __future__ import annotations

import re

import pytest

from microdegree.verification import wording

pytestmark = pytest.mark.django_db


def _issue(institution, *, slug: str, credits: float, **fields):
    from microdegree.catalog import services as catalog
    from microdegree.issuing import services as issuing

    version = catalog.create_definition(
        None, institution, name=f"Course {slug}", slug=slug, description="Reading data.",
        criteria_narrative="Pass.", credits_available=7.5, **fields,
    )
    return issuing.issue_credential(None, version, recipient_email="ada@example.org",
                                    credits_earned=credits, send_email=False)


def _page(client, credential) -> str:
    response = client.get(f"/credentials/{credential.uuid}")
    assert response.status_code == 200
    return response.content.decode()


def _facts(page: str) -> dict[str, str]:
    return dict(re.findall(r"<dt>([^<]+)</dt><dd>(.*?)</dd>", page, re.S))


def test_the_live_verdict_comes_before_the_facts(client, issued):
    page = _page(client, issued)
    assert page.index("<h1>") < page.index('id="live-heading"') < page.index('id="verdict"')
    assert page.index('id="verdict"') < page.index('<dl class="facts">')
    assert page.count("<h1>") == 1
    assert 'class="visually-hidden">About this credential</h2>' in page


def test_a_revoked_credential_says_so_before_the_verdict(client, issued):
    from microdegree.issuing import services as issuing

    issuing.revoke(None, issued, reason="Fraud")
    page = _page(client, issued)
    assert page.index("<h1>") < page.index('id="state"') < page.index('id="verdict"')
    assert page.index('id="verdict"') < page.index('<dl class="facts">')


def test_badge_image_is_styled_by_class_not_inline(client, issued):
    page = _page(client, issued)
    image = re.search(r"<img [^>]*>", page)[0]
    assert 'class="badge-img"' in image
    assert "style=" not in image


@pytest.mark.parametrize(("fields", "label"), [
    ({}, "Course"),  # MicroCredential, the default
    ({"achievement_type": "LearningProgram"}, "Programme"),
    ({"achievement_type": "Certificate"}, "Certificate"),
])
def test_the_achievement_type_is_a_plain_label(client, institution, fields, label):
    credential = _issue(institution, slug="typed", credits=5, **fields)
    assert _facts(_page(client, credential))["Type"] == label
    verified = client.post("/verify", {"credential": credential.document}).content.decode()
    assert re.search(rf"<dt>Achievement</dt><dd>Course typed \({label}\)</dd>", verified)


def test_ects_is_shown_only_when_it_differs_from_the_credits_earned(client, institution):
    same = _facts(_page(client, _issue(institution, slug="same", credits=7.5, ects=7.5)))
    assert same["Credits earned"] == "7.5"
    assert "ECTS" not in same
    other = _facts(_page(client, _issue(institution, slug="other", credits=5, ects=7.5)))
    assert other["Credits earned"] == "5"
    assert other["ECTS"] == "7.5"


def test_verify_result_badge_image_by_class_and_no_repeated_ects(client, institution):
    credential = _issue(institution, slug="same", credits=7.5, ects=7.5)
    page = client.post("/verify", {"credential": credential.document}).content.decode()
    image = re.search(r'<img [^>]*alt="Badge image[^>]*>', page)[0]
    assert 'class="badge-img"' in image
    assert "style=" not in image
    assert "<dt>ECTS</dt>" not in page


# --- not JSON: plain words first, the parser's reason in <details> ---------------------------


def test_pasted_text_that_is_not_json_is_explained_in_plain_words(client):
    response = client.post("/verify", {"credential": "{oops"})
    assert response.status_code == 400
    page = response.content.decode()
    alert = re.search(r'<div class="bad" role="alert" id="verify-error">(.*?)</div>', page, re.S)[1]
    plain = ("This text isn&#x27;t a complete credential. Paste the whole file, starting with { "
             "and ending with }.")
    assert plain in alert
    details = re.search(r"<details><summary>Technical details</summary><p>(.*?)</p></details>",
                        alert, re.S)
    assert details
    assert "The text is not valid JSON: Expecting property name" in details[1]
    assert alert.index(plain) < alert.index("<details>")
    textarea = re.search(r"<textarea [^>]*>", page)[0]
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="verify-error credential-hint"' in textarea
    url = re.search(r'<input type="url"[^>]*>', page)[0]
    assert "aria-invalid" not in url
    assert 'aria-describedby="url-hint"' in url


def test_a_failed_address_marks_the_address_field(client):
    page = client.post("/verify", {"url": "ftp://x"}).content.decode()
    url = re.search(r'<input type="url"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in url
    assert 'aria-describedby="verify-error url-hint"' in url
    textarea = re.search(r"<textarea [^>]*>", page)[0]
    assert "aria-invalid" not in textarea
    assert 'aria-describedby="credential-hint"' in textarea


def test_no_input_marks_the_text_field(client):
    page = client.post("/verify", {}).content.decode()
    textarea = re.search(r"<textarea [^>]*>", page)[0]
    assert 'aria-invalid="true"' in textarea
    assert "<details>" not in page


def test_no_error_no_invalid_field(client):
    page = client.get("/verify").content.decode()
    assert "aria-invalid" not in page
    assert "data-say-unsupported" not in page  # no apology: qr.js keeps the box hidden instead


def test_json_clients_still_get_the_technical_message(client):
    response = client.post("/verify", {"credential": "{oops"}, HTTP_ACCEPT="application/json")
    assert response.json()["code"] == "JSON_MALFORMED"
    assert response.json()["message"].startswith("The text is not valid JSON: ")


def test_wording_keeps_the_technical_sentence_as_detail():
    message = "The text is not valid JSON: Expecting value: line 1 column 1 (char 0)."
    explained = wording.plain_message(message)
    assert explained.startswith("This text isn't a complete credential.")
    assert wording.check_message(message) == message  # the technical sentence, as it is
    assert wording.plain_message("The credential could not be fetched: timeout") is None
