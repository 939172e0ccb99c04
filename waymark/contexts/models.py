from django.conf import settings
from django.db import models

from waymark.core.fields import EncryptedCharField
from waymark.core.models import TimeStampedModel
from waymark.core.validators import validate_latitude, validate_longitude, validate_postcode


class Ward(TimeStampedModel):
    """An electoral ward: the unit partnerships report by. Its boundary is a GeoJSON polygon."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(max_length=12, unique=True)
    boundary = models.JSONField(
        default=dict, blank=True, help_text="GeoJSON Polygon geometry, WGS84"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlaceKind(models.TextChoices):
    PARK = "park", "Park or open space"
    SHOP = "shop", "Shop"
    TAKEAWAY = "takeaway", "Takeaway or café"
    HOTEL = "hotel", "Hotel or B&B"
    LICENSED = "licensed", "Licensed premises"
    TRANSPORT = "transport", "Transport hub or route"
    STREET = "street", "Street"
    ESTATE = "estate", "Estate"
    SCHOOL = "school", "School or college"
    LEISURE = "leisure", "Leisure"
    RESIDENTIAL = "residential", "Residential address"
    OTHER = "other", "Other"


class Place(TimeStampedModel):
    """A place where children spend time. A context in its own right, not only an address."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlaceKind.choices)
    # Encrypted for every kind, not only residential: simpler, and a kind can be changed later.
    address = EncryptedCharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    uprn = models.CharField("UPRN", max_length=12, blank=True)
    latitude = models.FloatField(validators=[validate_latitude])
    longitude = models.FloatField(validators=[validate_longitude])
    ward = models.ForeignKey(Ward, null=True, blank=True, on_delete=models.PROTECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return self.name
