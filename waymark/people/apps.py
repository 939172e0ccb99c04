from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "waymark.people"
    label = "people"
    verbose_name = "Young people and persons of concern"
