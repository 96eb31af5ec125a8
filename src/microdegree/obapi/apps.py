from django.apps import AppConfig


class ObapiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "microdegree.obapi"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.obapi.models import client_secret_context

        sealed.register("obapi.RemoteHost", "client_secret_sealed",
                        lambda host: client_secret_context(host.user_id, host.state))
