from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "microdegree.catalog"
    default_auto_field = "django.db.models.BigAutoField"
