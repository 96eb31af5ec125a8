"""Read-only admin for the platform operator: jobs are written by the services only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from microdegree.bulk.models import BulkJob, BulkRow


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(BulkJob)
class BulkJobAdmin(ReadOnly):
    list_display = ("uuid", "institution", "achievement_version", "source", "state", "total",
                    "issued_count", "failed_count", "created_at", "finished_at")
    list_filter = ("state", "source")
    search_fields = ("uuid", "institution__slug", "idempotency_key", "filename")


@admin.register(BulkRow)
class BulkRowAdmin(ReadOnly):
    list_display = ("job", "row_number", "state", "credential", "error")
    list_filter = ("state",)
    raw_id_fields = ("job", "credential")
