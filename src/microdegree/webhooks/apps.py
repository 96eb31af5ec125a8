from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "microdegree.webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.webhooks import checks  # noqa: F401 - registers the system check
        from microdegree.webhooks.models import secret_context

        sealed.register("webhooks.Subscription", "secret_sealed", secret_context)
