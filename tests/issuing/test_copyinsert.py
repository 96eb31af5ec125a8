"""copyinsert: COPY on PostgreSQL (bulk_create on SQLite) stores exactly what it was given.

Signed documents must be stored verbatim: characters that COPY's text format escapes (tab,
newline, backslash) and JSON's own escapes must survive byte for byte, primary keys must be
the stored rows' keys, and a constraint violation must be Django's IntegrityError with the
instances left unsaved, so the caller's savepoint fallback works.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from microdegree.audit.models import AuditEntry
from microdegree.issuing import copyinsert, services
from microdegree.issuing.models import IssuedCredential

pytestmark = pytest.mark.django_db

AWKWARD = 'Tab\there, "quotes", back\\slash, new\nline, \\N, é, 日本, 🎓, \u2028, end\\'


def test_documents_and_audit_entries_are_stored_verbatim(course):
    prepared = services.prepare_issue(course, [
        {"recipient_email": f"p{n}@example.org", "recipient_name": AWKWARD,
         "narrative": AWKWARD * n, "result": "\\N"} for n in range(1, 5)])
    creds = services.store_issued(None, course, prepared, send_email=False)
    assert len(creds) == 4
    for item, cred in zip(prepared, creds, strict=True):
        stored = IssuedCredential.objects.get(pk=cred.pk)  # the pk set is the stored row's
        assert stored.uuid == uuid.UUID(item["uuid"])
        assert stored.document == item["document"]
        assert json.loads(stored.document)["credentialSubject"]["narrative"] == stored.narrative
        assert stored.recipient_name == AWKWARD
        assert stored.result_value == "\\N"
        assert stored.suspension_index == item["suspension_index"]
        entry = AuditEntry.objects.get(action="issuing.credential_issued", object_id=str(cred.pk))
        assert entry.after["credential_id"] == cred.credential_id
        assert entry.created_at is not None
        assert entry.before is None  # SQL NULL, not a JSON null


def test_a_duplicate_raises_integrity_error_and_leaves_the_instances_unsaved(course):
    prepared = services.prepare_issue(course, [{"recipient_email": "a@example.org"}])
    [cred] = services.store_issued(None, course, prepared, send_email=False)
    clash = IssuedCredential.objects.get(pk=cred.pk)
    clash.pk = None
    clash.uuid = uuid.uuid4()  # credential_id still the same: unique
    fresh = IssuedCredential.objects.get(pk=cred.pk)
    fresh.pk, fresh.uuid, fresh.credential_id = None, uuid.uuid4(), "urn:uuid:other"
    fresh.status_index, fresh.suspension_index = 1, 1
    with pytest.raises(IntegrityError), transaction.atomic():
        copyinsert.insert_rows(IssuedCredential, [fresh, clash])
    assert fresh.pk is None
    assert clash.pk is None
    assert IssuedCredential.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_postgresql_inserts_with_copy_not_insert(course, django_assert_max_num_queries):
    prepared = services.prepare_issue(course, [
        {"recipient_email": f"p{n}@example.org"} for n in range(50)])
    with django_assert_max_num_queries(20) as captured:
        services.store_issued(None, course, prepared, send_email=False, check_pathways=False)
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any(s.startswith('INSERT INTO "issuing_issuedcredential"') for s in sql)
    # (the one audit INSERT is the catalogue's "version awarded" entry, not the 50 issued ones)
    # one statement for the 50 issued entries (built by the database), one for the catalogue's
    # "version awarded" entry
    assert sum(s.startswith('INSERT INTO "audit_auditentry"') for s in sql) <= 2
    assert sum("nextval(pg_get_serial_sequence" in s for s in sql) == 1  # the credentials' ids
    assert IssuedCredential.objects.count() == AuditEntry.objects.filter(
        action="issuing.credential_issued").count() == 50


def test_batched_audit_entries_are_what_log_action_writes(course, admin_user):
    """The batch's entries (INSERT ... SELECT on PostgreSQL, COPY/bulk_create elsewhere) hold
    field for field what one `log_action` call per credential would."""
    from microdegree.audit.services import log_action

    prepared = services.prepare_issue(course, [
        {"recipient_email": f"Person.{n}@Example.org", "recipient_name": AWKWARD}
        for n in range(3)])
    creds = services.store_issued(admin_user, course, prepared, send_email=False)
    batched = list(AuditEntry.objects.filter(action="issuing.credential_issued").order_by("pk"))
    assert [e.object_id for e in batched] == [str(c.pk) for c in creds]
    for entry, cred in zip(batched, creds, strict=True):
        one = log_action(admin_user, "issuing.credential_issued", cred,
                         institution_id=cred.institution_id,
                         after={"credential_id": cred.credential_id,
                                "achievement_version": course.pk,
                                "recipient": cred.recipient_email, "state": cred.state})
        one.refresh_from_db()
        fields = ["actor_id", "actor_label", "action", "object_type", "object_id",
                  "institution_id", "before", "after", "note"]
        assert {f: getattr(entry, f) for f in fields} == {f: getattr(one, f) for f in fields}
        assert entry.after["recipient"] == cred.recipient_email
        assert entry.created_at is not None


def _attrs(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_new_instance_is_the_keyword_constructor(course, institution, admin_user):
    """copyinsert.new_instance(model, {attname: value}) == model(**same) field by field, with
    defaults for the fields not given (a fresh uuid4 per instance: a callable default)."""
    values = {
        "institution_id": institution.pk, "achievement_version_id": course.pk,
        "recipient_email": "a@example.org", "identity_salt": "s", "document": AWKWARD,
        "credential_id": "urn:uuid:x", "issued_at": course.created_at,
        "valid_from": course.created_at, "status_list_id": 1, "status_index": 7,
        "suspension_list_id": 2, "suspension_index": 8, "issued_by_id": admin_user.pk}
    fast = copyinsert.new_instance(IssuedCredential, values)
    slow = IssuedCredential(**values)
    a, b = _attrs(fast), _attrs(slow)
    assert a.pop("uuid") != b.pop("uuid")  # both drawn from uuid4, per instance
    assert a == b
    assert (fast.pk, fast.state, fast.state_reason, fast._state.adding) == (
        None, "active", "", True)
    entry = {"actor_id": None, "actor_label": "x", "action": "a", "object_type": "t",
             "object_id": "1", "after": {"k": AWKWARD}}
    assert _attrs(copyinsert.new_instance(AuditEntry, entry)) == _attrs(AuditEntry(**entry))
    with pytest.raises(TypeError):
        copyinsert.new_instance(AuditEntry, {"institution": institution})  # attnames only


def test_stored_credentials_name_their_relations_without_queries(course, admin_user,
                                                                 django_assert_num_queries):
    prepared = services.prepare_issue(course, [{"recipient_email": "a@example.org"}])
    [cred] = services.store_issued(admin_user, course, prepared, send_email=False)
    with django_assert_num_queries(0):
        assert cred.institution == course.definition.institution
        assert cred.achievement_version == course
        assert cred.issued_by == admin_user
    stored = IssuedCredential.objects.get(pk=cred.pk)
    assert _attrs(stored) == _attrs(cred)


def test_a_naive_datetime_still_goes_through_django(course):
    """Aware datetimes and UUIDs pass straight to COPY; a naive datetime is still warned about
    and read in the default time zone, as Django's own insert does."""
    from datetime import datetime

    from django.utils import timezone

    prepared = services.prepare_issue(course, [{"recipient_email": "a@example.org"}])
    [cred] = services.store_issued(None, course, prepared, send_email=False)
    clone = IssuedCredential.objects.get(pk=cred.pk)
    clone.pk, clone.uuid, clone.credential_id = None, uuid.uuid4(), "urn:uuid:naive"
    clone.status_index, clone.suspension_index = cred.status_index + 1, cred.suspension_index + 1
    clone.idempotency_key = None
    clone.issued_at = datetime(2025, 1, 2, 3, 4, 5)
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        copyinsert.insert_rows(IssuedCredential, [clone])
    stored = IssuedCredential.objects.get(pk=clone.pk)
    assert stored.issued_at == timezone.make_aware(datetime(2025, 1, 2, 3, 4, 5))
    assert (stored.uuid, stored.valid_from) == (clone.uuid, cred.valid_from)
