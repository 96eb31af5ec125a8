""""Apply for this credit" on /worth carries the credentials chosen there into the application
form, pre-selected: the signed-in learner's own record entries, and uploaded files kept in the
session across signing in by e-mailed link. Nothing the browser sends is trusted for them: the
record keys must be the learner's own, and carried uploads are verified again (they count only
if they name the applicant)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microdegree.recognition import carry
from microdegree.recognition.models import CreditApplication

from .conftest import LEARNER, last_link

pytestmark = pytest.mark.django_db

APPLY = re.compile(r'<a class="apply-link" href="([^"]+)"')


def _apply_link(page: str) -> str:
    (link,) = APPLY.findall(page)
    return link.replace("&amp;", "&")


def _checked(page: str) -> set[str]:
    """The values of the checked checkboxes of the page's form."""
    return set(re.findall(r'<input type="checkbox" name="record" value="([^"]+)"[^>]*checked',
                          page))


def test_signed_in_choice_comes_chosen(client, learner, program, md_agreement, completed):
    whole, parts = completed
    client.force_login(learner)
    chosen = [f"p-{whole.uuid}", f"p-{parts[0].uuid}"]
    page = client.post("/worth", {"record": chosen}).content.decode()
    link = _apply_link(page)
    assert link == f"/me/credit/apply?program={program.pk}&from=worth"
    form = client.get(link).content.decode()
    assert _checked(form) == set(chosen)  # the others (parts 2 and 3) are offered, not chosen
    assert f'value="p-{parts[1].uuid}"' in form
    assert f'<option value="{program.pk}" selected>' in form
    # submitting the form as it came: an application with exactly those credentials
    response = client.post("/me/credit/apply", {"program": program.pk, "record": chosen})
    assert response.status_code == 302
    application = CreditApplication.objects.get(learner=learner)
    assert {c.issued_id for c in application.credentials.all()} == {whole.pk, parts[0].pk}
    assert application.proposal["recognised"] == 30
    # used: the next visit starts empty
    assert _checked(client.get(link).content.decode()) == set()


def test_a_plain_visit_to_the_form_chooses_nothing(client, learner, program, md_agreement,
                                                   completed):
    whole, _ = completed
    client.force_login(learner)
    client.post("/worth", {"record": [f"p-{whole.uuid}"]})
    assert _checked(client.get("/me/credit/apply").content.decode()) == set()


def test_uploaded_files_come_along_across_signing_in(client, program, md_agreement, completed,
                                                     learner):
    whole, _ = completed
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    page = client.post("/worth", {"files": [upload]}).content.decode()
    assert "You sign in first; the credentials you gave here come along." in page
    link = _apply_link(page)
    to_login = client.get(link)
    assert to_login.status_code == 302
    login_path = to_login["Location"]
    assert login_path.startswith("/me/login")
    next_path = unquote(login_path.split("next=", 1)[1])
    assert next_path == link
    # signing in by e-mailed link in the same browser, back to the form
    assert client.post("/me/login", {"email": LEARNER, "next": next_path}).status_code == 200
    back = client.post(last_link("/me/login/"))
    assert back["Location"] == link
    form = client.get(link).content.decode()
    assert '<ul id="carried"><li>Data Science Microdegree</li></ul>' in form
    assert re.search(r'<input type="checkbox" name="carried"[^>]*checked', form)
    # kept in the session, not in the page (no hidden field carries the signed document)
    assert "credentialSubject" not in form
    assert whole.credential_id not in form
    response = client.post("/me/credit/apply", {"program": program.pk, "carried": "on"})
    assert response.status_code == 302
    application = CreditApplication.objects.get(learner=learner)
    (credential,) = application.credentials.all()
    assert (credential.source, credential.document) == ("upload", whole.document)
    assert application.proposal["recognised"] == 30
    assert '<ul id="carried">' not in client.get(link).content.decode()  # used once


def test_a_carried_upload_of_someone_else_is_verified_again(client, program, md_agreement,
                                                             completed, make_user):
    """Eve uploads Ben's credential on /worth and signs in: it comes along, and counts for
    nothing, because it does not name her."""
    from microdegree.records.models import LearnerEmail

    whole, _ = completed
    eve = make_user("eve-account@example.org")
    LearnerEmail.objects.create(user=eve, email="eve@example.org",
                                verified_at=whole.issued_at)
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    link = _apply_link(client.post("/worth", {"files": [upload]}).content.decode())
    client.force_login(eve)
    assert client.post("/me/credit/apply", {"program": program.pk, "carried": "on"}
                       ).status_code == 302
    application = CreditApplication.objects.get(learner=eve)
    assert application.proposal["recognised"] == 0
    assert application.proposal["credentials"][0]["counted"] is False
    assert link.endswith("from=worth")


def test_another_learners_credential_ids_cannot_be_carried(client, program, md_agreement,
                                                           completed, learner, make_user):
    from microdegree.records.models import LearnerEmail

    whole, _ = completed
    bens = f"p-{whole.uuid}"
    eve = make_user("eve-account@example.org")
    LearnerEmail.objects.create(user=eve, email="eve@example.org",
                                verified_at=whole.issued_at)
    client.force_login(eve)
    # not a choice of hers on /worth: refused, nothing carried
    assert client.post("/worth", {"record": [bens]}).status_code == 400
    assert carry.SESSION_KEY not in client.session
    # a carried choice made by another account in this browser is not hers either
    session = client.session
    session[carry.SESSION_KEY] = {"user": learner.pk, "keys": [bens], "uploads": [],
                                  "dropped": False}
    session.save()
    form = client.get(f"/me/credit/apply?program={program.pk}&from=worth").content.decode()
    assert bens not in form
    # and naming it in the form is refused, whatever the page said
    response = client.post("/me/credit/apply", {"program": program.pk, "record": [bens]})
    assert response.status_code == 400
    assert not CreditApplication.objects.filter(learner=eve).exists()


def test_signing_out_forgets_the_choice(client, learner, program, md_agreement, completed,
                                        sign_in):
    whole, _ = completed
    sign_in()
    link = _apply_link(client.post("/worth", {"record": [f"p-{whole.uuid}"]}).content.decode())
    assert _checked(client.get(link).content.decode()) == {f"p-{whole.uuid}"}
    client.post("/accounts/logout/")
    assert client.get(link)["Location"].startswith("/me/login")  # signed out
    sign_in()  # the same browser, signed in again by e-mailed link
    assert _checked(client.get(link).content.decode()) == set()


def test_files_too_large_to_carry_are_named(client, program, md_agreement, completed, learner,
                                            monkeypatch):
    whole, _ = completed
    monkeypatch.setattr(carry, "MAX_CHARS", 100)
    upload = SimpleUploadedFile("md.json", whole.document.encode(), "application/json")
    link = _apply_link(client.post("/worth", {"files": [upload]}).content.decode())
    client.force_login(learner)
    form = client.get(link).content.decode()
    assert "were too large to bring along: upload them again below." in form
    assert 'name="carried"' not in form
