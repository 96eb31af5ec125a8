"""Django admin for the platform operator: read-only views (writes go through the services)."""

from django.contrib import admin

from microdegree.catalog.models import AchievementDefinition, AchievementVersion, Competency


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Competency)
class CompetencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "institution", "framework", "code")
    list_filter = ("framework",)
    search_fields = ("name", "code")


@admin.register(AchievementDefinition)
class AchievementDefinitionAdmin(ReadOnlyAdmin):
    list_display = ("slug", "institution", "kind", "created_at")
    list_filter = ("kind",)
    search_fields = ("slug",)


@admin.register(AchievementVersion)
class AchievementVersionAdmin(ReadOnlyAdmin):
    list_display = ("name", "definition", "number", "achievement_type", "awarded_at")
    list_filter = ("achievement_type", "eqf_level")
    search_fields = ("name", "definition__slug")
