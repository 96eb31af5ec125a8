"""`pk__any=[...]` selects, counts and updates exactly what `pk__in=[...]` does; on PostgreSQL
as one array parameter (`= ANY(%s)`), elsewhere as `IN (...)`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microdegree.audit.models import AuditEntry
from microdegree.audit.services import log_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries():
    return [log_action("tester", "test.entry", object_type="x", object_id=str(n))
            for n in range(12)]


def test_any_is_in(entries):
    pks = [e.pk for e in entries[::3]] + [10**12]  # one that does not exist
    assert (sorted(AuditEntry.objects.filter(pk__any=pks).values_list("pk", flat=True))
            == sorted(AuditEntry.objects.filter(pk__in=pks).values_list("pk", flat=True))
            == sorted(e.pk for e in entries[::3]))
    assert AuditEntry.objects.filter(pk__any=pks).update(note="picked") == 4
    assert AuditEntry.objects.filter(note="picked").count() == 4


def test_an_empty_list_matches_nothing(entries):
    assert not AuditEntry.objects.filter(pk__any=[]).exists()
    assert AuditEntry.objects.filter(pk__any=[]).update(note="none") == 0
    assert AuditEntry.objects.exclude(pk__any=[]).count() == len(entries)


def test_only_integers(entries):
    with pytest.raises((TypeError, ValueError)):
        list(AuditEntry.objects.filter(pk__any=["1; DROP TABLE x"]))
    with pytest.raises(TypeError):
        list(AuditEntry.objects.filter(pk__any="123"))


def test_one_array_parameter_on_postgresql(entries):
    pks = [e.pk for e in entries]
    with CaptureQueriesContext(connection) as captured:
        list(AuditEntry.objects.filter(pk__any=pks))
    sql = captured.captured_queries[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY('{" in sql  # one array literal
        assert " IN (" not in sql
    else:
        assert " IN (" in sql
