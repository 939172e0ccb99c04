from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "waymark.records"
    label = "records"
    verbose_name = "Retention, legal holds and subject access"
