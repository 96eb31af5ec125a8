from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The learner's side: accounts, the lifelong record, progress, sharing, CLR export."""

    name = "microdegree.records"
    label = "records"
    verbose_name = "Learner records"

    def ready(self) -> None:
        from microdegree.institutions import sealed
        from microdegree.records.platform import key_context

        sealed.register("records.PlatformKey", "sealed_secret", key_context)
