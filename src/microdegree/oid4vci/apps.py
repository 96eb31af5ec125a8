from django.apps import AppConfig


class Oid4vciConfig(AppConfig):
    name = "microdegree.oid4vci"
    label = "oid4vci"
    verbose_name = "OpenID for Verifiable Credential Issuance"
    default_auto_field = "django.db.models.BigAutoField"
