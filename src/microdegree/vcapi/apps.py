from django.apps import AppConfig


class VcApiConfig(AppConfig):
    name = "microdegree.vcapi"
    label = "vcapi"
    verbose_name = "W3C VC API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.vcapi import services  # noqa: F401 - connects the cache signals
