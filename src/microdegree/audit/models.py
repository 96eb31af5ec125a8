"""The audit log: who did what, when, with the state before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, help_text="who, kept if the user is deleted")
    action = models.CharField(max_length=100, db_index=True)  # e.g. "credential.revoked"
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=200, db_index=True)
    institution_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_id}"
