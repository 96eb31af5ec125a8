"""`log_action`: every service function calls it inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from microdegree.audit.models import AuditEntry


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return str(getattr(actor, "email", "") or getattr(actor, "username", "") or actor)


def log_action(
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    institution_id: int | None = None,
    before: Any = None,
    after: Any = None,
    note: str = "",
) -> AuditEntry:
    """Record one action. `actor` is a user, a label such as "worker", or None for the system."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type or (obj._meta.label if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None else ""),
        institution_id=institution_id,
        before=before,
        after=after,
        note=note,
    )
