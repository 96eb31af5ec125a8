from django.contrib import admin

from microdegree.institutions.models import Institution, Membership, SigningKey


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "slug", "country_code", "status", "created_at")
    list_filter = ("status", "country_code")
    search_fields = ("name", "slug")
    inlines = [MembershipInline]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "public_multibase", "created_at", "retired_at", "revoked_at")
    exclude = ("sealed_secret",)
    readonly_fields = ("institution", "fragment", "public_multibase", "created_at")
