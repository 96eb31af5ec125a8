"""Issue 16, points 8 and 13 over HTTP: e-mails where people wait, in the recipient's
language (learners choose theirs on /me/, owners their institution's on its settings page);
re-issue requests reach staff (e-mail, institution page, dashboard); one claim reminder.

German: each test compares with what `gettext` gives under `translation.override("de")`, and
checks the `Content-Language` header; once the German catalogue has the strings, the same
assertions check German text."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from microdegree.audit.models import AuditEntry
from microdegree.issuing.models import IssuedCredential
from microdegree.recognition.models import CreditApplication
from microdegree.records.models import ClaimReminder, LearnerEmail, ReissueRequest

from .conftest import LEARNER, award, signed_in_as, user_by_email

pytestmark = pytest.mark.django_db


def _de(msgid: str, **values: str) -> str:
    with translation.override("de"):
        return translation.gettext(msgid) % values


def _apply(learner, program, whole, captured) -> CreditApplication:
    client = signed_in_as(learner)
    response = client.post("/me/credit/apply", {"program": program.pk,
                                                "record": [f"p-{whole.uuid}"]})
    assert response.status_code == 302, response.content.decode()
    application = CreditApplication.objects.get(learner=learner)
    with captured(execute=True):
        assert client.post(f"/me/credit/{application.uuid}/submit").status_code == 302
    return application


# --- language preferences ---------------------------------------------------------------------


def test_learner_chooses_the_language_of_their_emails(learner):
    client = signed_in_as(learner)
    page = client.get("/me/").content.decode()
    assert 'name="language"' in page
    assert client.post("/me/language", {"language": "de"}).status_code == 302
    assert 'value="de" selected' in client.get("/me/").content.decode()
    response = client.post("/me/language", {"language": "xx"})
    assert response.status_code == 400
    assert AuditEntry.objects.filter(action="records.language_set").count() == 1
    assert json.loads(client.get("/me/export").content)["emailLanguage"] == "de"


def test_owners_choose_their_institutions_language(university, staff, institution):
    owner = signed_in_as(user_by_email("owner@tech.example"))
    overview = owner.get("/institutions/tech-uni/").content.decode()
    assert "/institutions/tech-uni/settings" in overview
    assert owner.get("/institutions/tech-uni/settings").status_code == 200
    assert owner.post("/institutions/tech-uni/settings", {"language": "de"}).status_code == 302
    university.refresh_from_db()
    assert university.language == "de"
    response = owner.post("/institutions/tech-uni/settings", {"language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    entry = AuditEntry.objects.filter(action="institution.updated").latest("pk")
    assert entry.after["language"] == "de"
    # an issuer is not an owner; another institution's owner gets the same 404 as a typo
    assert signed_in_as(staff).post("/institutions/tech-uni/settings",
                           {"language": "en"}).status_code == 403
    assert signed_in_as(user_by_email("owner@uni.example")).get(
        "/institutions/tech-uni/settings").status_code == 404
    university.refresh_from_db()
    assert university.language == "de"


# --- credit applications and decisions -------------------------------------------------------


def test_new_application_emails_the_receiving_institution_in_its_language(
        learner, program, md_agreement, completed, staff, university,
        django_capture_on_commit_callbacks):
    signed_in_as(user_by_email("owner@tech.example")).post("/institutions/tech-uni/settings",
                                          {"language": "de"})
    university.refresh_from_db()
    university.email = "admissions@tech.example"
    university.save()
    whole, _ = completed
    mail.outbox.clear()
    application = _apply(learner, program, whole, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admissions@tech.example", "owner@tech.example", "registrar@tech.example"]
    message = mail.outbox[0]
    assert message.extra_headers["Content-Language"] == "de"
    assert message.subject == _de("New credit application to %(program)s",
                                  program="MSc Data Science")
    assert (f"{settings.PUBLIC_URL}/institutions/tech-uni/applications/{application.uuid}"
            in message.body)
    assert "testserver" not in message.body
    assert LEARNER not in message.body  # the learner's address stays on the page


def test_decision_emails_the_learner_in_their_language(
        learner, program, md_agreement, completed, staff, django_capture_on_commit_callbacks):
    learner_client = signed_in_as(learner)
    learner_client.post("/me/language", {"language": "de"})
    whole, _ = completed
    application = _apply(learner, program, whole, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    url = f"/institutions/tech-uni/applications/{application.uuid}"
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_as(staff).post(url, {"outcome": "refused",
                                         "reason": "Older than our agreement."})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [LEARNER]
    assert message.extra_headers["Content-Language"] == "de"
    assert message.subject == _de("Your credit application to %(program)s is decided",
                                  program="MSc Data Science")
    assert "Older than our agreement." in message.body
    assert f"{settings.PUBLIC_URL}/me/credit/{application.uuid}" in message.body
    assert _de("Refused.") in message.body


def test_english_is_the_default(learner, program, md_agreement, completed, staff,
                                django_capture_on_commit_callbacks):
    whole, _ = completed
    application = _apply(learner, program, whole, django_capture_on_commit_callbacks)
    assert {m.extra_headers["Content-Language"] for m in mail.outbox} == {"en"}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_as(staff).post(f"/institutions/tech-uni/applications/{application.uuid}",
                        {"outcome": "accepted"})
    [message] = mail.outbox
    assert message.subject == "Your credit application to MSc Data Science is decided"
    assert "30 credits recognised." in message.body


# --- re-issue requests reach staff (point 8) ---------------------------------------------------


def test_reissue_request_reaches_staff(learner, completed, institution, make_user,
                                       django_capture_on_commit_callbacks):
    from microdegree.institutions import services as inst_services

    whole, _ = completed
    issuer = make_user("issuer@uni.example")
    inst_services.set_member(None, institution, issuer, "issuer")
    viewer = make_user("viewer@uni.example")
    inst_services.set_member(None, institution, viewer, "viewer")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in_as(learner).post(f"/me/credentials/p-{whole.uuid}/reissue",
                                     {"reason": "I married.", "new_name": "Ben Neu"})
    assert response.status_code == 302
    # those who decide (issuers, owners) hear of it; viewers do not
    assert sorted(m.to[0] for m in mail.outbox) == ["issuer@uni.example", "owner@uni.example"]
    message = mail.outbox[0]
    assert message.subject == 'A learner asks you to re-issue "Data Science Microdegree"'
    assert "/institutions/example-uni/reissue-requests/" in message.body
    assert "Ben Neu" not in message.body  # the details stay on the staff page

    staff = signed_in_as(issuer)
    overview = staff.get("/institutions/example-uni/").content.decode()
    assert "/institutions/example-uni/reissue-requests/" in overview
    assert "Re-issue requests (1 waiting)" in overview
    dashboard = staff.get("/dashboard/").content.decode()
    assert "1 re-issue request waiting" in dashboard
    page = staff.get("/institutions/example-uni/reissue-requests/").content.decode()
    assert "Ben Neu" in page
    assert "I married." in page
    # viewers see neither the link nor the page
    looker = signed_in_as(viewer)
    assert "reissue-requests" not in looker.get("/institutions/example-uni/").content.decode()
    assert "re-issue request" not in looker.get("/dashboard/").content.decode()
    assert looker.get("/institutions/example-uni/reissue-requests/").status_code == 403

    req = ReissueRequest.objects.get()
    response = staff.post(f"/institutions/example-uni/reissue-requests/{req.pk}/reject",
                          {"note": "Send us the certificate."})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.state == ReissueRequest.State.REJECTED
    assert "Re-issue requests (0 waiting)" in staff.get(
        "/institutions/example-uni/").content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"records.reissue_requested", "records.reissue_rejected"} <= actions


def test_other_institutions_staff_cannot_see_or_decide_reissue_requests(
        learner, completed, university, staff, django_capture_on_commit_callbacks):
    whole, _ = completed
    with django_capture_on_commit_callbacks(execute=True):
        signed_in_as(learner).post(f"/me/credentials/p-{whole.uuid}/reissue",
                          {"reason": "I married.", "new_name": "Ben Neu"})
    req = ReissueRequest.objects.get()
    assert all(m.to[0].endswith("@uni.example") for m in mail.outbox)
    intruder = signed_in_as(staff)  # the receiving university's registrar
    assert intruder.get("/institutions/example-uni/reissue-requests/").status_code == 404
    assert intruder.post(f"/institutions/example-uni/reissue-requests/{req.pk}/approve"
                         ).status_code == 404
    # nor through their own institution's address
    assert intruder.post(f"/institutions/tech-uni/reissue-requests/{req.pk}/approve"
                         ).status_code == 404
    assert "re-issue request" not in intruder.get("/dashboard/").content.decode().replace(
        "0 re-issue requests waiting", "")
    req.refresh_from_db()
    assert req.state == ReissueRequest.State.PENDING


# --- one reminder for unclaimed credentials ---------------------------------------------------


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The cron command, its e-mails sent as after a real commit."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_claim_reminders")

    return run


def test_unclaimed_credential_is_reminded_once(pathway, institution, learner, monkeypatch,
                                               remind):
    monkeypatch.setenv("MICRODEGREE_CLAIM_REMINDER_DAYS", "7")
    _, (stats, viz, _ethics) = pathway
    old = award(stats, "nobody-yet@learner.example")
    recent = award(viz, "nobody-yet@learner.example")
    mine = award(viz)  # LEARNER has the address confirmed: it is in a record
    ancient = award(stats, "long-ago@learner.example")
    now = timezone.now()
    IssuedCredential.objects.filter(pk__in=[old.pk, mine.pk]).update(
        issued_at=now - timedelta(days=8))
    IssuedCredential.objects.filter(pk=recent.pk).update(issued_at=now - timedelta(days=2))
    IssuedCredential.objects.filter(pk=ancient.pk).update(issued_at=now - timedelta(days=400))
    institution.language = "de"
    institution.save()
    mail.outbox.clear()
    remind()
    [message] = mail.outbox
    assert message.to == ["nobody-yet@learner.example"]
    assert message.extra_headers["Content-Language"] == "de"
    assert message.subject == _de('Reminder: claim your credential "%(name)s"',
                                  name="Course stats")
    assert f"{settings.PUBLIC_URL}/claim/" in message.body
    remind()
    remind()
    assert len(mail.outbox) == 1  # once only
    assert list(ClaimReminder.objects.values_list("credential_id", flat=True)) == [old.pk]
    assert AuditEntry.objects.filter(action="records.claim_reminder_sent").count() == 1
    # the recent one, when its day comes: its own single reminder
    IssuedCredential.objects.filter(pk=recent.pk).update(issued_at=now - timedelta(days=9))
    remind()
    assert [m.to for m in mail.outbox] == [["nobody-yet@learner.example"]] * 2


def test_claimed_or_revoked_credentials_get_no_reminder(pathway, learner, remind):
    from microdegree.issuing import services as issuing

    _, (stats, _viz, _ethics) = pathway
    revoked = award(stats, "gone@learner.example")
    issuing.revoke(None, revoked, reason="Mistake.")
    claimed = award(stats, "later@learner.example")
    LearnerEmail.objects.create(user=learner, email="later@learner.example",
                                verified_at=timezone.now())
    IssuedCredential.objects.update(issued_at=timezone.now() - timedelta(days=8))
    remind()
    assert not ClaimReminder.objects.filter(credential__in=[revoked, claimed]).exists()


def test_reminders_can_be_turned_off(pathway, monkeypatch, remind):
    monkeypatch.setenv("MICRODEGREE_CLAIM_REMINDER_DAYS", "0")
    _, (stats, _viz, _ethics) = pathway
    award(stats, "nobody-yet@learner.example")
    IssuedCredential.objects.update(issued_at=timezone.now() - timedelta(days=8))
    remind()
    assert not ClaimReminder.objects.exists()


def test_overlapping_runs_remind_once(pathway, monkeypatch, django_capture_on_commit_callbacks):
    """Two runs that both found the credential due: the second one's row is refused (unique
    credential), so it sends nothing."""
    from microdegree.records import reminders

    _, (stats, _viz, _ethics) = pathway
    cred = award(stats, "nobody-yet@learner.example")
    IssuedCredential.objects.update(issued_at=timezone.now() - timedelta(days=8))
    found = reminders.due()
    assert found == [cred]
    monkeypatch.setattr(reminders, "due", lambda **_kwargs: found)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due() == 1
        assert reminders.send_due() == 0
    assert len(mail.outbox) == 1
    assert ClaimReminder.objects.count() == 1


def test_a_learner_cannot_flood_staff_with_applications(
        learner, program, md_agreement, completed, staff, django_capture_on_commit_callbacks):
    """While one application of theirs to a program waits, more from the same learner go to
    the queue without another e-mail; once decided, the next one is announced again."""
    from microdegree.recognition import services

    whole, _ = completed
    first = _apply(learner, program, whole, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    assert sorted(m.to[0] for m in mail.outbox) == ["owner@tech.example",
                                                   "registrar@tech.example"]
    for _ in range(3):
        draft = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_application(learner, draft)
    assert len(mail.outbox) == sent
    assert CreditApplication.objects.filter(status="submitted").count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        for application in CreditApplication.objects.filter(status="submitted"):
            services.decide(staff, application, outcome="refused", reason="Duplicate.")
    mail.outbox.clear()
    draft = services.start_application(learner, program, record_keys=[f"p-{whole.uuid}"])
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(learner, draft)
    assert [m.subject for m in mail.outbox] == [
        "New credit application to MSc Data Science"] * 2
    assert first.uuid != draft.uuid
