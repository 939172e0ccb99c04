"""What the places API answers, and what it takes to record a place."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waymark.concerns.selectors import place_counts
from waymark.contexts.models import Place, PlaceKind, Ward
from waymark.core.api import EnumChoiceField, VisibleIdField

from .selectors import ward_list_visible_to


class WardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ward
        fields = ["id", "name", "code", "boundary"]
        read_only_fields = fields


class PlaceSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(PlaceKind, read_only=True)
    ward_name = serializers.CharField(source="ward.name", read_only=True, allow_null=True)

    class Meta:
        model = Place
        fields = [
            "id",
            "name",
            "kind",
            "address",
            "postcode",
            "uprn",
            "latitude",
            "longitude",
            "ward",
            "ward_name",
            "created_at",
        ]
        read_only_fields = fields


class PlaceCountsSerializer(serializers.Serializer):
    concerns = serializers.IntegerField(read_only=True)
    young_people = serializers.IntegerField(read_only=True)


class PlaceDetailSerializer(PlaceSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    @extend_schema_field(PlaceCountsSerializer)
    def get_counts(self, place: Place) -> dict[str, int]:
        return place_counts(place=place)


class PlaceCreateSerializer(serializers.Serializer):
    """What `place_create` needs. Validation is the service's."""

    name = serializers.CharField(max_length=200)
    kind = EnumChoiceField(PlaceKind)
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField(required=False, allow_blank=True, default="")
    postcode = serializers.CharField(required=False, allow_blank=True, default="")
    uprn = serializers.CharField(required=False, allow_blank=True, default="")
    ward = VisibleIdField(
        selector=ward_list_visible_to, required=False, allow_null=True, default=None
    )
