"""Serializers for the analysis of places: what the API answers, and how it is described in
OpenAPI. Every count goes through the one suppression rule (`waymark.core.suppression`): 1 to 4
withheld as null, with whatever would give it back, and the rest rounded to the nearest 5."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import h3
import numpy as np
from django.db.models import TextChoices
from drf_spectacular.utils import (
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from waymark.analytics.near_repeat import (
    SIGNIFICANCE,
    KnoxResult,
)
from waymark.concerns.taxonomy import RiskCategory
from waymark.contexts.models import PlaceKind
from waymark.core.api import EnumChoiceField
from waymark.core.suppression import count_is_small, count_shown

from .cells import cell_geometry
from .hotspots import NOT_SHOWN, CellRow, PlaceAnalysis


class FiniteFloatField(serializers.FloatField):
    """A float that is null where it is not a number (JSON has no NaN)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        number = float(value)
        return number if np.isfinite(number) else None


class GeoJSONType(TextChoices):
    FEATURE_COLLECTION = "FeatureCollection"
    FEATURE = "Feature"
    POLYGON = "Polygon"


class GeoJSONTypeField(EnumChoiceField):
    """The `type` member of a GeoJSON object, fixed for each kind of object."""

    def __init__(self, value: GeoJSONType) -> None:
        self.value = value
        super().__init__(GeoJSONType, read_only=True, source="*", help_text=f'"{value}"')

    def to_representation(self, value: Any) -> str:
        return str(self.value.value)


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


def centroid(cell: str) -> list[float]:
    lat, lon = h3.cell_to_latlng(cell)
    return [round(lat, 6), round(lon, 6)]


def polygon(cell: str) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [cell_geometry(cell)]}


class FiltersSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    categories = serializers.ListField(child=EnumChoiceField(RiskCategory))
    age_band = serializers.CharField(help_text="Empty for all ages")
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    resolution = serializers.IntegerField(help_text="H3 resolution of the cells")
    k = serializers.IntegerField(help_text="Rings of neighbouring cells each cell is compared with")
    confidence = serializers.IntegerField(help_text="90, 95 or 99 (%)")
    interval = serializers.CharField(help_text="month or week: the length of each time slice")
    time_steps = serializers.IntegerField(
        help_text="Earlier slices in each emerging hot spot's space-time neighbourhood"
    )
    fdr = serializers.BooleanField(
        help_text="Whether p-values are adjusted for the false discovery rate (Benjamini-Hochberg)"
    )


class CentroidField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "The centre of the cell: latitude, then longitude")
        super().__init__(
            child=serializers.FloatField(), min_length=2, max_length=2, source="cell", **kwargs
        )

    def to_representation(self, data: Any) -> list[float]:
        return centroid(data)


class PolygonSerializer(serializers.Serializer):
    """A GeoJSON Polygon: one closed ring of [longitude, latitude]."""

    type = GeoJSONTypeField(GeoJSONType.POLYGON)
    coordinates = serializers.ListField(
        child=serializers.ListField(
            child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
            min_length=4,
        )
    )


@extend_schema_field(PolygonSerializer)
class CellPolygonField(serializers.Field):
    """The outline of the object's cell, as a GeoJSON Polygon."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="cell", **kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return polygon(value)


class HotspotCellSerializer(serializers.Serializer):
    """One cell of the study area, as its Gi* result and its emerging hot-spot trend."""

    cell = serializers.CharField(help_text="H3 cell index")
    count = serializers.IntegerField(
        source="count_shown",
        allow_null=True,
        help_text="Concerns in the cell, rounded to the nearest 5; null for 1 to 4",
    )
    count_suppressed = serializers.BooleanField(
        help_text="1 to 4 concerns: the count and every statistic of the cell are withheld"
    )
    z = FiniteFloatField(source="z_shown", help_text="Getis-Ord Gi* z-score; null if withheld")
    p = FiniteFloatField(source="p_shown")
    p_fdr = FiniteFloatField(
        source="p_fdr_shown",
        help_text="p adjusted for the false discovery rate; p itself when fdr is off",
    )
    cls = serializers.IntegerField(
        source="cls_shown",
        allow_null=True,
        help_text="+3 to +1: more concerns than chance (99, 95, 90%); 0; -1 to -3; "
        "null if withheld",
    )
    confidence = serializers.SerializerMethodField()
    # A declared field, which the serializer's metaclass lifts off the class: no clash.
    label = serializers.CharField(source="label_shown")  # type: ignore[assignment]
    description = serializers.CharField()
    trend = serializers.CharField(
        source="trend_shown",
        help_text=f'Emerging hot-spot category, e.g. new hot spot; "{NOT_SHOWN}" if withheld',
    )
    trend_z = FiniteFloatField(
        source="trend_z_shown", help_text="Mann-Kendall z of the cell's Gi* z over the slices"
    )
    places = serializers.IntegerField(help_text="Places recorded in the cell")
    centroid = CentroidField()
    slices = serializers.SerializerMethodField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "class" is the word the Places page uses, and a Python keyword.
        return {("class" if k == "cls" else k): f for k, f in super().get_fields().items()}

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="90, 95 or 99"))
    def get_confidence(self, row: CellRow) -> int | None:
        return row.confidence_shown

    @extend_schema_field(
        serializers.ListField(
            child=serializers.IntegerField(allow_null=True),
            help_text="Per time slice, oldest first: +1 hot, -1 cold, 0 neither; null where the "
            "slice's count is withheld. Empty for a cell whose count is withheld",
        )
    )
    def get_slices(self, row: CellRow) -> list[int | None]:
        return list(self.context.get("slice_classes", {}).get(row.cell, []))


class AnalysisSummarySerializer(serializers.Serializer):
    filters = FiltersSerializer()
    points = serializers.IntegerField(
        source="points_shown",
        allow_null=True,
        help_text="Concerns analysed, rounded to the nearest 5; null when any cell is withheld, "
        "since the cells add up to it",
    )
    cells_in_study_area = serializers.IntegerField()
    slices = serializers.ListField(
        child=serializers.DateField(), help_text="First day of each time slice, oldest first"
    )


class HotspotsSerializer(AnalysisSummarySerializer):
    cells = HotspotCellSerializer(many=True, source="rows")


class HotspotFeatureSerializer(serializers.Serializer):
    type = GeoJSONTypeField(GeoJSONType.FEATURE)
    id = serializers.CharField(source="cell")
    geometry = CellPolygonField()
    properties = HotspotCellSerializer(source="*")


class HotspotsGeoJSONSerializer(AnalysisSummarySerializer):
    type = GeoJSONTypeField(GeoJSONType.FEATURE_COLLECTION)
    features = HotspotFeatureSerializer(many=True, source="rows")


@dataclass(frozen=True)
class SliceShown:
    """One slice of a cell's series as published: all but the start withheld with its count."""

    start: date
    z: float | None
    cls: int | None
    hot: bool | None
    cold: bool | None
    count: int | None
    count_suppressed: bool


@dataclass(frozen=True)
class EmergingCell:
    cell: str
    category: str
    trend_z: float | None
    trend_p: float | None
    places: int
    slices: list[SliceShown]


def emerging_cells(analysis: PlaceAnalysis) -> list[EmergingCell]:
    """The emerging hot-spot series of each cell the analysis shows, as published.

    The slices of a cell add up to the cell's count, which the hot spots publish, so they go
    through complementary suppression against it; a slice whose count is withheld shows its
    start only. A cell whose own count is withheld shows no trend and no slice.
    """
    hot = analysis.hot
    if hot is None:
        return []
    index = {c: i for i, c in enumerate(hot.cells.tolist())}
    cells = []
    for row in analysis.rows:
        i = index.get(row.cell)
        if i is None:
            continue
        counts = analysis.slice_counts(row) or [None] * len(analysis.slices)
        slices = []
        for j, start in enumerate(analysis.slices):
            hidden = counts[j] is None
            slices.append(
                SliceShown(
                    start=start,
                    z=None if hidden else float(hot.z[j, i]),
                    cls=None if hidden else int(hot.cls[j, i]),
                    hot=None if hidden else bool(hot.hot[j, i]),
                    cold=None if hidden else bool(hot.cold[j, i]),
                    count=counts[j],
                    count_suppressed=hidden,
                )
            )
        cells.append(
            EmergingCell(
                cell=row.cell,
                category=NOT_SHOWN if row.count_suppressed else hot.category[i],
                trend_z=None if row.count_suppressed else float(hot.trend_z[i]),
                trend_p=None if row.count_suppressed else float(hot.trend_p[i]),
                places=row.places,
                slices=slices,
            )
        )
    return cells


class EmergingSliceSerializer(serializers.Serializer):
    start = serializers.DateField()
    z = FiniteFloatField(
        help_text="Space-time Gi* z-score: this slice and the earlier time steps, standardised "
        "over every area and slice"
    )
    cls = serializers.IntegerField(
        source="cls",
        allow_null=True,
        help_text="+3 to +1: more concerns than chance at 99, 95, 90% confidence; 0; -1 to -3",
    )
    hot = serializers.BooleanField(
        allow_null=True,
        help_text="More concerns than chance in this slice, at the confidence chosen",
    )
    cold = serializers.BooleanField(
        allow_null=True,
        help_text="Fewer concerns than chance in this slice, at the confidence chosen",
    )
    count = serializers.IntegerField(
        allow_null=True,
        help_text="Rounded to the nearest 5; null for 1 to 4, or withheld so that the cell's "
        "count cannot give one back",
    )
    count_suppressed = serializers.BooleanField(
        help_text="The slice's count, z, class, hot and cold are withheld"
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # "class", as for a cell's result, is a Python keyword.
        return {("class" if k == "cls" else k): f for k, f in super().get_fields().items()}


class EmergingCellSerializer(serializers.Serializer):
    cell = serializers.CharField(help_text="H3 cell index")
    category = serializers.CharField(
        help_text=f'e.g. new, intensifying or sporadic hot spot; "{NOT_SHOWN}" for 1 to 4 concerns'
    )
    trend_z = FiniteFloatField(help_text="Mann-Kendall z of the cell's Gi* z over the slices")
    trend_p = FiniteFloatField()
    places = serializers.IntegerField(help_text="Places recorded in the cell")
    centroid = CentroidField()
    slices = EmergingSliceSerializer(many=True)


class EmergingSerializer(AnalysisSummarySerializer):
    cells = serializers.SerializerMethodField()

    @extend_schema_field(EmergingCellSerializer(many=True))
    def get_cells(self, analysis: PlaceAnalysis) -> Any:
        return EmergingCellSerializer(emerging_cells(analysis), many=True).data


class EmergingFeatureSerializer(serializers.Serializer):
    type = GeoJSONTypeField(GeoJSONType.FEATURE)
    id = serializers.CharField(source="cell")
    geometry = CellPolygonField()
    properties = EmergingCellSerializer(source="*")


class EmergingGeoJSONSerializer(AnalysisSummarySerializer):
    type = GeoJSONTypeField(GeoJSONType.FEATURE_COLLECTION)
    features = serializers.SerializerMethodField()

    @extend_schema_field(EmergingFeatureSerializer(many=True))
    def get_features(self, analysis: PlaceAnalysis) -> Any:
        return EmergingFeatureSerializer(emerging_cells(analysis), many=True).data


class KnoxCellSerializer(serializers.Serializer):
    days = serializers.CharField(help_text="The day band, e.g. 0 to 7 days")
    observed = serializers.IntegerField(
        allow_null=True,
        help_text="Pairs of concerns this close in space and time, rounded to the nearest 5; "
        "null for 1 to 4, with the ratio and p-value",
    )
    expected = FiniteFloatField(help_text="Mean pairs over the runs with the dates shuffled")
    ratio = FiniteFloatField(help_text="Observed / expected; null where nothing was expected")
    p_value = FiniteFloatField()
    significant = serializers.BooleanField(help_text="p <= 0.05 and more pairs than expected")


class KnoxRowSerializer(serializers.Serializer):
    distance = serializers.CharField(help_text="The distance band, e.g. 1 to 100 m")
    cells = KnoxCellSerializer(many=True)


class NearRepeatSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    distance_bands = serializers.ListField(child=serializers.IntegerField())
    day_bands = serializers.ListField(child=serializers.IntegerField())
    distance_labels = serializers.ListField(child=serializers.CharField())
    day_labels = serializers.ListField(child=serializers.CharField())
    events = serializers.IntegerField(
        allow_null=True, help_text="Concerns analysed, rounded to the nearest 5; null for 1 to 4"
    )
    runs = serializers.IntegerField()
    seed = serializers.IntegerField()
    table = KnoxRowSerializer(many=True, help_text="Rows of distance bands; empty with no pairs")
    detail = serializers.CharField(help_text="Why the table is empty, or empty")


def knox_table(result: KnoxResult) -> list[dict[str, Any]]:
    """The Knox table as published: a band with 1 to 4 pairs shows neither them nor the ratio
    and p-value, which with the expected count would give them back."""

    def significant(i: int, j: int) -> bool:
        ratio = float(result.ratio[i, j])
        return bool(result.p_value[i, j] <= SIGNIFICANCE and np.isfinite(ratio) and ratio > 1)

    def cell(i: int, j: int, days: str) -> dict[str, Any]:
        observed = int(result.observed[i, j])
        small = count_is_small(observed)
        return {
            "days": days,
            "observed": count_shown(observed, rounded=True),
            "expected": float(result.expected[i, j]),
            "ratio": None if small else float(result.ratio[i, j]),
            "p_value": None if small else float(result.p_value[i, j]),
            "significant": False if small else significant(i, j),
        }

    return [
        {
            "distance": distance,
            "cells": [cell(i, j, days) for j, days in enumerate(result.day_labels)],
        }
        for i, distance in enumerate(result.distance_labels)
    ]


class PlaceNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConcernShownSerializer(serializers.Serializer):
    reference = serializers.CharField()
    occurred_on = serializers.DateField()


class SharedContextSerializer(serializers.Serializer):
    place = PlaceNameSerializer(allow_null=True, help_text="With by=place")
    cell = serializers.SerializerMethodField()
    unconnected = serializers.IntegerField(
        source="unconnected_shown",
        allow_null=True,
        help_text="Children with no link between them; rounded to the nearest 5, null for 1 to 4",
    )
    young_people_count = serializers.IntegerField(
        source="young_people_count_shown",
        allow_null=True,
        help_text="Children with concerns here; rounded to the nearest 5, null for 1 to 4",
    )
    concerns_count = serializers.IntegerField(
        source="concerns_count_shown",
        allow_null=True,
        help_text="Concerns naming them; rounded to the nearest 5, null for 1 to 4",
    )
    first_day = serializers.DateField(
        allow_null=True, help_text="null when the context has fewer than 5 children or concerns"
    )
    last_day = serializers.DateField(allow_null=True)
    first_month = serializers.CharField(help_text="YYYY-MM")
    last_month = serializers.CharField(help_text="YYYY-MM")
    young_people = serializers.SerializerMethodField()
    young_people_hidden = serializers.IntegerField(
        source="young_people_hidden_shown",
        allow_null=True,
        help_text="Unconnected children you may not see; rounded, null for 1 to 4",
    )
    concerns = ConcernShownSerializer(many=True, help_text="Those you may see, oldest first")
    concerns_hidden = serializers.IntegerField(
        source="concerns_hidden_shown",
        allow_null=True,
        help_text="Concerns you may not see; rounded, null for 1 to 4",
    )

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="With by=cell"))
    def get_cell(self, shown: Any) -> str | None:
        return shown.cell or None

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text="References (YP-...) of the unconnected children you may see",
        )
    )
    def get_young_people(self, shown: Any) -> list[str]:
        return [p.reference for p in shown.young_people]


class SharedContextsSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    by = serializers.CharField(help_text="place or cell")
    min_young_people = serializers.IntegerField(
        help_text="The minimum applied: 3 for any asked for under 5, otherwise taken down to a "
        "multiple of 5, so that it cannot be used to count a context's children exactly"
    )
    contexts = SharedContextSerializer(many=True, help_text="The strongest first")


class TimeProfileSerializer(serializers.Serializer):
    """When in the week: counts by hour of day (rows) and day of the week (columns)."""

    weekdays = serializers.ListField(child=serializers.CharField(), help_text="Monday first")
    hours = serializers.ListField(child=serializers.CharField())
    profile = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(allow_null=True)),
        allow_null=True,
        help_text="24 rows (hours) of 7 (days), rounded to the nearest 5; null where withheld",
    )
    hour_totals = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        allow_null=True,
        help_text="Each hour over the week, rounded to the nearest 5; null where withheld",
    )
    concerns = serializers.IntegerField(
        allow_null=True, help_text="Rounded to the nearest 5; null for 1 to 4"
    )
    untimed = serializers.IntegerField(
        allow_null=True, help_text="Concerns with no time recorded; null where withheld"
    )
    suppressed = serializers.BooleanField(
        help_text="The profile is withheld: 1 to 4 concerns, or counts that could not be protected"
    )


class TimeProfileAnswerSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    place = PlaceNameSerializer(allow_null=True)
    cell = serializers.CharField(allow_null=True)
    time_profile = TimeProfileSerializer()


class CellPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = EnumChoiceField(PlaceKind)


class CellConcernSerializer(serializers.Serializer):
    reference = serializers.CharField()
    occurred_on = serializers.DateField()
    place = serializers.IntegerField(source="place_id")


class CellSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    cell = serializers.CharField()
    resolution = serializers.IntegerField()
    centroid = CentroidField()
    boundary = CellPolygonField()
    count = serializers.IntegerField(
        allow_null=True, help_text="Concerns, rounded to the nearest 5; null for 1 to 4"
    )
    count_suppressed = serializers.BooleanField()
    places = CellPlaceSerializer(many=True)
    concerns = CellConcernSerializer(many=True, help_text="Those you may see, latest first")
    concerns_hidden = serializers.IntegerField(
        allow_null=True, help_text="Concerns you may not see, rounded; null for 1 to 4"
    )
    hotspot = HotspotCellSerializer(allow_null=True, help_text="The cell's result, if any")
    time_profile = TimeProfileSerializer()
