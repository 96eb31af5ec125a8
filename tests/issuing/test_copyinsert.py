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
    assert sum(s.startswith('INSERT INTO "audit_auditentry"') for s in sql) <= 1
    assert sum("nextval(pg_get_serial_sequence" in s for s in sql) == 2  # ids for both COPYs
    assert IssuedCredential.objects.count() == AuditEntry.objects.filter(
        action="issuing.credential_issued").count() == 50
