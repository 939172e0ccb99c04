from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "waymark.concerns"
    label = "concerns"
    verbose_name = "Concerns and associations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from .drafts import _signed_out

        # Signing out ends the session, and with it any concern the user was still checking.
        user_logged_out.connect(_signed_out, dispatch_uid="concerns.drafts.signed_out")
