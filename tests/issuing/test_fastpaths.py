"""The bulk fast paths give exactly what the plain paths give.

- `prepare_issue` results remember their validated row (`PreparedAward`), yet are plain JSON:
  a copy reloaded from JSON is stored the same way (validated again).
- The stored document text is `json.dumps(..., ensure_ascii=False, separators=(",", ":"))`.
- `store_issued(keys_unused=True)` skips the look-up of stored keys, and is still idempotent: a
  stored key gives back the stored credential (same award) or a Conflict (another award).
- `send_award_emails` loads a batch's institution and version once and the template once; every
  message is the one `award_message` renders for the credential loaded on its own.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail

from microdegree.audit.models import AuditEntry
from microdegree.issuing import mail as issuing_mail
from microdegree.issuing import services
from microdegree.issuing.errors import Conflict
from microdegree.issuing.models import IssuedCredential

from .conftest import make_course

pytestmark = pytest.mark.django_db

AWKWARD = 'Tab\there, "quotes", back\\slash, new\nline, é, 日本, 🎓, \u2028, end'


def _rows(n: int, **extra):
    return [{"recipient_email": f"Learner{i}@Example.org", "recipient_name": f"{AWKWARD} {i}",
             "narrative": AWKWARD, "result": str(i), "credits_earned": 2.5,
             "activity_start": "2025-09-01", **extra} for i in range(n)]


def test_prepared_awards_remember_their_row_and_are_plain_json(course):
    prepared = services.prepare_issue(course, _rows(3))
    reloaded = json.loads(json.dumps(prepared))
    assert reloaded == prepared
    for item in prepared:
        assert isinstance(item, services.PreparedAward)
        assert item.validated == services.validate_row(item["row"])
    # a reloaded copy (plain dicts: validated again) stores the same columns
    creds = services.store_issued(None, course, reloaded, send_email=False)
    for item, cred in zip(prepared, creds, strict=True):
        stored = IssuedCredential.objects.get(pk=cred.pk)
        row = item.validated
        assert stored.document == item["document"]
        assert (stored.recipient_email, stored.recipient_name, stored.narrative,
                stored.result_value, stored.credits_earned) == (
            row.recipient_email, row.recipient_name, row.narrative, row.result,
            row.credits_earned)


def test_remembered_rows_store_what_validation_would(course, institution):
    """The same rows through the remembered row and through validate_row: equal columns."""
    other = make_course(institution, "other", credits=5, validity_months=24)
    fast = services.store_issued(None, course, services.prepare_issue(course, _rows(3)),
                                 send_email=False)
    plain = services.store_issued(
        None, other, json.loads(json.dumps(services.prepare_issue(other, _rows(3)))),
        send_email=False)
    columns = ("recipient_email", "recipient_name", "recipient_identifier", "recipient_did",
               "credits_earned", "result_value", "narrative", "evidence_url", "idempotency_key")
    for a, b in zip(fast, plain, strict=True):
        a.refresh_from_db()
        b.refresh_from_db()
        assert [getattr(a, c) for c in columns] == [getattr(b, c) for c in columns]


def test_document_text_is_compact_json_dumps(course):
    [item] = services.prepare_issue(course, _rows(1))
    document = json.loads(item["document"])
    assert item["document"] == json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert AWKWARD in document["credentialSubject"]["narrative"]


def test_keys_unused_is_still_idempotent(course):
    row = {"recipient_email": "ada@example.org", "idempotency_key": "bulk:k:2"}
    [first] = services.store_issued(None, course, services.prepare_issue(course, [row]),
                                    send_email=False)
    audits = AuditEntry.objects.filter(action="issuing.credential_issued").count()
    # the same award under the same key, told the keys are unused: the stored credential back
    again = services.prepare_issue(course, [row, {"recipient_email": "bo@example.org",
                                                  "idempotency_key": "bulk:k:3"}])
    creds = services.store_issued(None, course, again, send_email=False, keys_unused=True)
    assert creds[0].pk == first.pk
    assert creds[0].document == first.document
    assert creds[1].recipient_email == "bo@example.org"
    assert IssuedCredential.objects.count() == 2
    assert IssuedCredential.objects.filter(idempotency_key="bulk:k:2").count() == 1
    assert AuditEntry.objects.filter(action="issuing.credential_issued").count() == audits + 1
    # another award under a stored key: a Conflict, nothing stored
    other = services.prepare_issue(course, [{"recipient_email": "cy@example.org",
                                             "idempotency_key": "bulk:k:2"}])
    with pytest.raises(Conflict) as exc:
        services.store_issued(None, course, other, send_email=False, keys_unused=True)
    assert exc.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert IssuedCredential.objects.count() == 2


def test_batched_award_emails_are_the_one_by_one_messages(institution, course,
                                                         django_assert_max_num_queries):
    other = make_course(institution, "other", credits=5)  # no validity: no "valid until"
    creds = services.store_issued(None, course, services.prepare_issue(course, _rows(4)),
                                  send_email=False)
    creds += services.store_issued(
        None, other, services.prepare_issue(other, [{"recipient_email": "x@example.org"}]),
        send_email=False)
    ids = [c.pk for c in creds]
    with django_assert_max_num_queries(3):  # credentials, institutions, versions
        assert issuing_mail.send_award_emails(ids) == 5
    sent = {m.to[0]: m for m in mail.outbox}
    assert len(sent) == 5
    for pk in ids:
        cred = IssuedCredential.objects.get(pk=pk)  # loaded on its own: the plain path
        expected = issuing_mail.award_message(cred)
        message = sent[cred.recipient_email]
        token = message.body.split("/claim/", 1)[1].split()[0]
        assert issuing_mail.read_claim_token(token) == str(cred.uuid)
        # (a claim token carries its signing second, so the two tokens may differ)
        expected_token = expected.body.split("/claim/", 1)[1].split()[0]
        assert (message.subject, message.body.replace(token, "TOKEN"), message.from_email) == (
            expected.subject, expected.body.replace(expected_token, "TOKEN"),
            expected.from_email)
    assert "valid until" in sent["learner0@example.org"].body
    assert "valid until" not in sent["x@example.org"].body
    assert f"{AWKWARD} 0" in sent["learner0@example.org"].body
