from django.apps import AppConfig


class IssuingConfig(AppConfig):
    name = "microdegree.issuing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.issuing import lookups

        lookups.register()
