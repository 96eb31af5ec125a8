from django.apps import AppConfig


class ObapiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "microdegree.obapi"
