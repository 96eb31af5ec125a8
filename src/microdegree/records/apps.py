from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The learner's side: accounts, the lifelong record, progress, sharing, CLR export."""

    name = "microdegree.records"
    label = "records"
    verbose_name = "Learner records"
