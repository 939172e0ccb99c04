from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "waymark.concerns"
    label = "concerns"
    verbose_name = "Concerns and associations"
