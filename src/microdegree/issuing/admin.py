"""Read-mostly admin for the platform operator (writes go through the services)."""

from typing import Any

from django.contrib import admin

from microdegree.issuing.models import ApiToken, IssuedCredential, PendingMicrodegree, StatusList


@admin.register(IssuedCredential)
class IssuedCredentialAdmin(admin.ModelAdmin):
    list_display = ("credential_id", "institution", "achievement_version", "recipient_email",
                    "state", "issued_at")
    list_filter = ("state", "institution")
    search_fields = ("credential_id", "recipient_email", "recipient_name")
    readonly_fields = tuple(f.name for f in IssuedCredential._meta.fields)

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ("institution", "purpose", "sequence", "used", "size", "version", "updated_at")
    list_filter = ("purpose",)
    exclude = ("bits", "allocated")
    readonly_fields = ("institution", "purpose", "sequence", "used", "size", "version",
                       "signed_version", "etag", "signed_json")

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(PendingMicrodegree)
class PendingMicrodegreeAdmin(admin.ModelAdmin):
    list_display = ("achievement_version", "recipient_email", "state", "created_at")
    list_filter = ("state",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "prefix", "role", "created_at", "revoked_at")
    exclude = ("token_hash",)
    readonly_fields = ("prefix",)
