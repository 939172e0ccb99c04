from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "waymark.contexts"
    label = "contexts"
    verbose_name = "Places and other contexts"
