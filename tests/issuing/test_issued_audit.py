"""The issued-credential audit entry is defined once (`issued_audit.ENTRY`): the ORM writer (one
award), the row writer (a batch: bulk_create, COPY on PostgreSQL) and PostgreSQL's
`INSERT ... SELECT` (a batch on a server) write the same entry for the same credential."""

from __future__ import annotations

import pytest
from django.db import connection

from microdegree.audit.models import AuditEntry
from microdegree.issuing import services
from microdegree.issuing.services import issued_audit

pytestmark = pytest.mark.django_db

NAME = 'Tab\there, "quotes", back\\slash, new\nline, é, 🎓'
FIELDS = ["actor_id", "actor_label", "action", "object_type", "object_id", "institution_id",
          "before", "after", "note"]


def _entries(cred):
    return list(AuditEntry.objects.filter(action="issuing.credential_issued",
                                          object_id=str(cred.pk)).order_by("pk"))


def test_each_writer_writes_the_same_entry(course, admin_user):
    cred = services.issue_credential(admin_user, course, recipient_email="Ada@Example.org",
                                     recipient_name=NAME, send_email=False)
    [single] = _entries(cred)  # one award: log_action
    issued_audit.write_rows(admin_user, [cred])  # bulk_create here, COPY on PostgreSQL
    writers = 2
    if connection.vendor == "postgresql":
        issued_audit.write_in_database(admin_user, cred.institution, [cred])
        writers = 3
    entries = _entries(cred)
    assert len(entries) == writers
    assert len({e.pk for e in entries}) == writers
    expected = {
        "actor_id": admin_user.pk, "actor_label": admin_user.email,
        "action": "issuing.credential_issued", "object_type": "issuing.IssuedCredential",
        "object_id": str(cred.pk), "institution_id": cred.institution_id, "before": None,
        "after": {"credential_id": cred.credential_id, "achievement_version": course.pk,
                  "recipient": "ada@example.org", "state": "active"},
        "note": "",
    }
    for entry in entries:
        entry.refresh_from_db()
        assert {f: getattr(entry, f) for f in FIELDS} == expected
        assert entry.created_at is not None
    assert entries[0].pk == single.pk


def test_a_batch_and_a_single_award_write_alike(course):
    """Through the services: one award (log_action) and a batch of two (INSERT ... SELECT on
    PostgreSQL, bulk_create elsewhere), by the system (no user)."""
    one = services.issue_credential(None, course, recipient_email="one@example.org",
                                    send_email=False)
    two = services.issue_many(None, course, [{"recipient_email": "two@example.org"},
                                             {"recipient_email": "three@example.org"}],
                              send_email=False)
    for cred in (one, *two):
        [entry] = _entries(cred)
        assert {f: getattr(entry, f) for f in FIELDS} == {
            "actor_id": None, "actor_label": "system", "action": "issuing.credential_issued",
            "object_type": "issuing.IssuedCredential", "object_id": str(cred.pk),
            "institution_id": cred.institution_id, "before": None,
            "after": {"credential_id": cred.credential_id, "achievement_version": course.pk,
                      "recipient": cred.recipient_email, "state": "active"},
            "note": "",
        }
