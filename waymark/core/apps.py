from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waymark.core"
    label = "core"
    verbose_name = "Waymark core"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
