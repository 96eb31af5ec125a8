from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "microdegree.bulk"
    label = "bulk"
    verbose_name = "Bulk issuance"
    default_auto_field = "django.db.models.BigAutoField"
