"""The audit log: who did what, before and after, written with the change or not at all."""

from __future__ import annotations

import pytest
from django.db import transaction

from microdegree.audit.models import AuditEntry
from microdegree.audit.services import actor_label, log_action
from microdegree.institutions import services
from microdegree.institutions.errors import Invalid
from microdegree.institutions.models import Membership


def test_actor_labels(make_user):
    user = make_user("registrar@uni.example")
    assert actor_label(user) == "registrar@uni.example"
    assert actor_label("worker") == "worker"
    assert actor_label(None) == "system"


def test_entry_keeps_user_label_and_states(make_user, institution):
    user = make_user("staff@uni.example")
    entry = log_action(user, "thing.changed", institution, institution_id=institution.pk,
                       before={"a": 1}, after={"a": 2}, note="why")
    entry.refresh_from_db()
    assert entry.actor == user
    assert entry.actor_label == "staff@uni.example"
    assert entry.object_type == "institutions.Institution"
    assert entry.object_id == str(institution.pk)
    assert (entry.before, entry.after, entry.note) == ({"a": 1}, {"a": 2}, "why")


def test_a_label_actor_is_not_a_user(db):
    entry = log_action("worker", "bulk.chunk_done", object_type="job", object_id="7")
    assert entry.actor is None
    assert entry.actor_label == "worker"


def test_the_label_outlives_the_user(make_user, db):
    user = make_user("leaver@uni.example")
    entry = log_action(user, "thing.done", object_type="x", object_id="1")
    user.delete()
    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.actor_label == "leaver@uni.example"


def test_service_writes_before_and_after(institution):
    owner = Membership.objects.get(institution=institution, role="owner").user
    services.update_institution(owner, institution, name="Renamed University")
    entry = AuditEntry.objects.filter(action="institution.updated").latest("id")
    assert entry.before["name"] == "Example University"
    assert entry.after["name"] == "Renamed University"
    assert entry.institution_id == institution.pk
    assert entry.actor == owner


def test_a_refused_change_leaves_no_entry(institution):
    owner = Membership.objects.get(institution=institution, role="owner").user
    count = AuditEntry.objects.count()
    with pytest.raises(Invalid):
        services.update_institution(owner, institution, slug="elsewhere")
    assert AuditEntry.objects.count() == count


def test_an_entry_rolls_back_with_its_change(institution):
    owner = Membership.objects.get(institution=institution, role="owner").user
    count = AuditEntry.objects.count()

    def change_then_fail() -> None:
        with transaction.atomic():
            services.update_institution(owner, institution, name="Never Saved")
            raise RuntimeError("the surrounding work failed")

    with pytest.raises(RuntimeError):
        change_then_fail()
    institution.refresh_from_db()
    assert institution.name == "Example University"
    assert AuditEntry.objects.count() == count


def test_admin_cannot_add_change_or_delete_entries(admin_user, client, institution):
    entry = AuditEntry.objects.latest("id")
    client.force_login(admin_user)
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    page = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="action"' not in page.content  # every field read-only
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
