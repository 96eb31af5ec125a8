from django.apps import AppConfig


class IssuingConfig(AppConfig):
    name = "microdegree.issuing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from microdegree.catalog import hooks
        from microdegree.issuing import lookups
        from microdegree.issuing.services.pathways import holdings_by_learner

        lookups.register()
        hooks.register(holdings_by_learner=holdings_by_learner)
