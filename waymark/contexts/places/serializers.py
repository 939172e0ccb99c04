"""What the places API answers, and what it takes to record a place."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from waymark.contexts.models import Place, PlaceKind, Ward
from waymark.core.api import EnumChoiceField, VisibleIdField

from .counts import PlaceCountsShown, place_counts_shown
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


class PlaceMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    concerns = serializers.IntegerField(allow_null=True, help_text="null where withheld")


class PlaceCountsSerializer(serializers.Serializer):
    """Counts as published: 1 to 4 (and what would give one back) withheld as null."""

    shown = serializers.BooleanField(
        source="per_child", help_text="False for a residential address, which shows no counts"
    )
    concerns = serializers.IntegerField(allow_null=True)
    young_people = serializers.IntegerField(
        allow_null=True, help_text="null also when the hidden count beside it is 1 to 4"
    )
    young_people_hidden = serializers.IntegerField(
        allow_null=True, help_text="Linked young people you may not see; null where withheld"
    )
    months = serializers.SerializerMethodField()
    months_withheld = serializers.BooleanField(
        help_text="Too few in each month to show by month safely"
    )

    @extend_schema_field(PlaceMonthSerializer(many=True))
    def get_months(self, counts: PlaceCountsShown) -> list[dict[str, object]]:
        return [{"month": m, "concerns": n} for m, n in counts.months]


class PlaceDetailSerializer(PlaceSerializer):
    counts = serializers.SerializerMethodField()

    class Meta(PlaceSerializer.Meta):
        fields = [*PlaceSerializer.Meta.fields, "counts"]
        read_only_fields = fields

    @extend_schema_field(PlaceCountsSerializer)
    def get_counts(self, place: Place) -> dict[str, object]:
        counts = place_counts_shown(user=self.context["request"].user, place=place)
        return PlaceCountsSerializer(counts).data


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
