"""On PostgreSQL: a first award and a concurrent edit serialise on the definition row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from microdegree.catalog import services
from microdegree.catalog.models import AchievementVersion

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_racing_the_first_award_goes_into_the_next_version(make_definition, issuer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises every write anyway)")
    v1 = make_definition()
    awarded = threading.Event()
    release = threading.Event()
    errors: list[BaseException] = []

    def award() -> None:
        try:
            with transaction.atomic():  # the issuing transaction, still open
                services.mark_awarded(AchievementVersion.objects.get(pk=v1.pk))
                awarded.set()
                release.wait(5)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    worker = threading.Thread(target=award)
    worker.start()
    assert awarded.wait(5)
    timer = threading.Timer(0.3, release.set)  # let the edit start waiting on the lock
    timer.start()
    edited = services.update_definition(issuer, v1.definition, name="Edited meanwhile")
    worker.join(5)
    timer.join()
    assert not errors
    assert edited.number == 2
    v1.refresh_from_db()
    assert v1.awarded_at is not None
    assert v1.name == "Data Literacy"  # the awarded version never took the edit
