import factory
from factory.django import DjangoModelFactory

from waymark.contexts.models import Place, PlaceKind, Ward


class WardFactory(DjangoModelFactory):
    class Meta:
        model = Ward
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Ward {n}")
    code = factory.Sequence(lambda n: f"E0{n:07d}")


class PlaceFactory(DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    kind = PlaceKind.PARK
    latitude = factory.Faker("pyfloat", min_value=52.60, max_value=52.66)
    longitude = factory.Faker("pyfloat", min_value=-1.20, max_value=-1.10)
    postcode = "EB1 4QT"
    ward = factory.SubFactory(WardFactory)
