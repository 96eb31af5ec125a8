from django.apps import AppConfig


class LtiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "microdegree.lti"
    verbose_name = "LTI 1.3 tool"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.lti.keys import key_context

        sealed.register("lti.ToolKey", "sealed_private", key_context)
