from django.apps import AppConfig


class RecognitionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "microdegree.recognition"

    def ready(self) -> None:
        from microdegree.catalog import hooks
        from microdegree.recognition import notices

        # The catalog sits below recognition: it asks here which agreements name an
        # achievement, and tells of new versions (catalog/hooks.py).
        hooks.register(agreements_naming=notices.agreements_naming,
                       version_created=notices.version_created)
