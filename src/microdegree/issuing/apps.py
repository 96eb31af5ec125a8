from django.apps import AppConfig


class IssuingConfig(AppConfig):
    name = "microdegree.issuing"
    default_auto_field = "django.db.models.BigAutoField"
