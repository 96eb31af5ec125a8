from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "microdegree.web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.web import checks  # noqa: F401 (registers the system checks)
