from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The `demo` management command and the sample data it writes (no models)."""

    name = "microdegree.demo"
    label = "demo"
    verbose_name = "Demo data"
