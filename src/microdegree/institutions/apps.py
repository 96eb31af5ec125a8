from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "microdegree.institutions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.institutions.services import key_context

        sealed.register("institutions.SigningKey", "sealed_secret", key_context)
