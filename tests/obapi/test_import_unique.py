"""One import per credential id in a learner's record (`one_import_per_credential_id`): a
second upsert replaces, a second import is refused, two upserts at once end with one row
(PostgreSQL), and migration 0006 merges the duplicates older databases may hold."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from microdegree.audit.models import AuditEntry
from microdegree.obapi import services
from microdegree.records import services as records
from microdegree.records.models import ImportedCredential
from microdegree.records.services import imports as record_imports

from .conftest import signed_credential

CRED_ID = "urn:uuid:22222222-2222-4222-8222-222222222222"


def _text(**overrides: Any) -> str:
    return json.dumps(signed_credential(7, cred_id=CRED_ID, **overrides))


def _upserted_actions() -> list[bool]:
    return list(AuditEntry.objects.filter(action="obapi.credential_upserted").order_by("id")
                .values_list("after__created", flat=True))


@pytest.mark.django_db
def test_second_upsert_replaces_and_every_learner_has_their_own(learner):
    ada, ben = learner("ada@example.org"), learner("ben@example.org")
    assert services.upsert_credential(ada, _text()).created
    again = services.upsert_credential(ada, _text(name="Renamed badge"))
    assert not again.created
    kept = ImportedCredential.objects.get(user=ada)
    assert kept.credential_id == CRED_ID
    assert kept.decoded["name"] == "Renamed badge"
    assert services.upsert_credential(ben, _text()).created  # the same id in another record
    assert ImportedCredential.objects.filter(credential_id=CRED_ID).count() == 2
    assert _upserted_actions() == [True, False, True]


@pytest.mark.django_db
def test_second_import_is_refused(learner):
    ada = learner("ada@example.org")
    records.import_credential(ada, _text())
    with pytest.raises(records.RecordError) as refused:
        records.import_credential(ada, _text())
    assert (refused.value.code, refused.value.status) == ("DUPLICATE", 409)
    assert ImportedCredential.objects.filter(user=ada).count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_row_for_one_id_but_not_for_no_id(learner):
    ada = learner("ada@example.org")
    records.import_credential(ada, _text())
    for _ in range(2):  # no id to match (OB 3.0 requires one; other documents may not)
        ImportedCredential.objects.create(user=ada, document="{}", format="json")
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportedCredential.objects.create(user=ada, document="{}", format="json",
                                          credential_id=CRED_ID)


def _missed_lookups(monkeypatch: pytest.MonkeyPatch, misses: int) -> None:
    """The first `misses` look-ups find nothing, as when another request's row was not yet
    committed: the insert then meets the unique constraint."""
    real = records.import_exists
    calls = {"n": 0}

    def lookup(user: Any, credential_id: str) -> bool:
        calls["n"] += 1
        return False if calls["n"] <= misses else real(user, credential_id)

    monkeypatch.setattr(records, "import_exists", lookup)  # as obapi calls it
    monkeypatch.setattr(record_imports, "import_exists", lookup)  # as import_credential does


@pytest.mark.django_db
def test_upsert_losing_the_insert_replaces_the_winner(learner, monkeypatch):
    ada = learner("ada@example.org")
    assert services.upsert_credential(ada, _text()).created
    # the upsert's look-up and the import's look-up both miss the row: the insert fails in its
    # savepoint and the upsert replaces the row instead (200), in the same request
    _missed_lookups(monkeypatch, 2)
    result = services.upsert_credential(ada, _text(name="Renamed badge"), client_id="wallet")
    assert not result.created
    assert ImportedCredential.objects.get(user=ada).decoded["name"] == "Renamed badge"
    assert _upserted_actions() == [True, False]
    assert AuditEntry.objects.filter(action="records.credential_imported").count() == 1


@pytest.mark.django_db
def test_import_losing_the_insert_is_a_duplicate(learner, monkeypatch):
    ada = learner("ada@example.org")
    records.import_credential(ada, _text())
    _missed_lookups(monkeypatch, 1)
    with pytest.raises(records.RecordError) as refused:
        records.import_credential(ada, _text())
    assert refused.value.code == "DUPLICATE"
    assert ImportedCredential.objects.filter(user=ada).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_upserts_at_once_leave_one_import(learner, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite serialises every write)")
    ada = learner("ada@example.org")
    start = threading.Barrier(2, timeout=10)
    # both past their look-ups (nothing there yet) before either inserts: one insert wins,
    # the other waits on the unique index, fails, and replaces the winner's row
    before_insert = threading.Barrier(2, timeout=10)
    waited = threading.local()
    real_state_of = records.state_of

    def state_of(report: Any) -> str:
        if not getattr(waited, "done", False):
            waited.done = True
            before_insert.wait()
        return real_state_of(report)

    monkeypatch.setattr(records, "state_of", state_of)  # as obapi calls it
    monkeypatch.setattr(record_imports, "state_of", state_of)  # as import_credential does
    results: list[services.Upserted] = []
    errors: list[BaseException] = []

    def upsert(name: str) -> None:
        try:
            start.wait()
            results.append(services.upsert_credential(ada, _text(name=name)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upsert, args=(name,)) for name in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert sorted(r.created for r in results) == [False, True]
    assert ImportedCredential.objects.filter(user=ada).count() == 1
    assert sorted(_upserted_actions()) == [False, True]
    assert AuditEntry.objects.filter(action="records.credential_imported").count() == 1


# --- migration 0006: duplicates merged before the constraint ----------------------------------

BEFORE = [("records", "0005_importedcredential_checked_at_and_more")]
AFTER = [("records", "0006_unique_import_per_credential_id")]


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_the_newest_import_and_moves_what_pointed_at_older_ones(
        make_user, institution):
    from microdegree.recognition.models import ApplicationCredential, CreditApplication, Program

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # the constraint is gone: duplicates can be stored again
    try:
        ada, ben = make_user("ada@example.org"), make_user("ben@example.org")
        now = timezone.now()

        # rows as the table was at 0005 (the current model has later columns)
        historical = executor.loader.project_state(BEFORE).apps.get_model(
            "records", "ImportedCredential")

        def imp(user: Any, cred_id: str, days_ago: int) -> Any:
            row = historical.objects.create(user_id=user.pk, document="{}", format="json",
                                            credential_id=cred_id)
            ImportedCredential.objects.filter(pk=row.pk).update(
                imported_at=now - timedelta(days=days_ago))
            return row

        oldest, older, newest = imp(ada, CRED_ID, 3), imp(ada, CRED_ID, 2), imp(ada, CRED_ID, 1)
        other = imp(ada, "urn:other", 5)
        blank = [imp(ada, "", 4), imp(ada, "", 4)]
        bens = imp(ben, CRED_ID, 9)
        # preferences as they were at 0005 (later, `visibility` replaced `share_enabled`)
        old_pref = executor.loader.project_state(BEFORE).apps.get_model(
            "records", "CredentialPreference")
        shared = old_pref.objects.create(user_id=ada.pk, imported_id=older.pk,
                                         share_enabled=True, share_token="t-older")
        old_pref.objects.create(user_id=ada.pk, imported_id=oldest.pk, share_token="t-oldest")
        # changed later than the shared one, but without a live link: the link must survive
        old_pref.objects.filter(share_token="t-oldest").update(
            updated_at=now + timedelta(minutes=1))
        program = Program.objects.create(
            institution=institution, slug="msc", name="MSc", total_credits=60,
            duration_terms=2, duration_months=12, residency_terms=2, residency_months=12)
        application = CreditApplication.objects.create(learner=ada, program=program)
        cited = ApplicationCredential.objects.create(application=application, source="imported",
                                                     imported_id=oldest.pk, document="{}",
                                                     credential_id=CRED_ID)

        executor.loader.build_graph()
        executor.migrate(AFTER)

        left = set(ImportedCredential.objects.values_list("pk", flat=True))
        assert left == {newest.pk, other.pk, bens.pk, *(b.pk for b in blank)}
        cited.refresh_from_db()
        assert cited.imported_id == newest.pk
        prefs = list(old_pref.objects.filter(user_id=ada.pk))
        assert [(p.pk, p.imported_id) for p in prefs] == [(shared.pk, newest.pk)]
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
