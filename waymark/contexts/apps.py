from django.apps import AppConfig

from waymark.concerns.signals import association_recorded


class ContextsConfig(AppConfig):
    name = "waymark.contexts"
    label = "contexts"
    verbose_name = "Places and other contexts"

    def ready(self) -> None:
        # Early warnings follow every link that concerns record (see concerns/signals.py). The
        # receiver's module imports models, so it is imported once the app registry is ready.
        from .peer_groups.alerts import peer_alerts_on_association

        association_recorded.connect(peer_alerts_on_association, dispatch_uid="peer-alerts")
