"""Django admin for the platform operator: read-only views (writes go through the services)."""

from django.contrib import admin

from microdegree.catalog.admin import ReadOnlyAdmin
from microdegree.recognition.models import (
    CreditApplication,
    Decision,
    Program,
    RecognitionAgreement,
)


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "institution", "total_credits", "credit_unit", "public")
    list_filter = ("credit_unit", "public")
    search_fields = ("name", "slug")


@admin.register(RecognitionAgreement)
class RecognitionAgreementAdmin(ReadOnlyAdmin):
    list_display = ("name", "program", "source_kind", "value_kind", "public")
    list_filter = ("source_kind", "value_kind", "public")
    search_fields = ("name",)


@admin.register(CreditApplication)
class CreditApplicationAdmin(ReadOnlyAdmin):
    list_display = ("uuid", "program", "status", "created_at", "submitted_at")
    list_filter = ("status",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "credits", "decided_at")
    list_filter = ("outcome",)
