"""Serializers for the analysis of places: what the API answers, and how it is described in
OpenAPI. Counts of 1 to 4 are withheld here (`shown`)."""

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
from waymark.analytics.timeprofile import HOURS, WEEKDAYS
from waymark.concerns.taxonomy import RiskCategory
from waymark.contexts.models import PlaceKind
from waymark.core.api import EnumChoiceField

from .cells import cell_geometry
from .filters import SMALL_COUNT
from .hotspots import CellRow, PlaceAnalysis
from .time_profiles import TimeProfile


def shown(count: int) -> int | None:
    """A count as published: None for 1 to 4."""
    return None if 0 < count < SMALL_COUNT else count


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
        source="count_shown", allow_null=True, help_text="Concerns in the cell; null for 1 to 4"
    )
    count_suppressed = serializers.BooleanField()
    z = FiniteFloatField(help_text="Getis-Ord Gi* z-score")
    p = FiniteFloatField()
    p_fdr = FiniteFloatField(
        help_text="p adjusted for the false discovery rate; p itself when fdr is off"
    )
    cls = serializers.IntegerField(
        source="cls", help_text="+3 to +1: more concerns than chance (99, 95, 90%); 0; -1 to -3"
    )
    confidence = serializers.SerializerMethodField()
    # A declared field, which the serializer's metaclass lifts off the class: no clash.
    label = serializers.CharField()  # type: ignore[assignment]
    description = serializers.CharField()
    trend = serializers.CharField(help_text="Emerging hot-spot category, e.g. new hot spot")
    trend_z = FiniteFloatField(help_text="Mann-Kendall z of the cell's Gi* z over the slices")
    places = serializers.IntegerField(help_text="Places recorded in the cell")
    centroid = CentroidField()
    slices = serializers.SerializerMethodField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "class" is the word the Places page uses, and a Python keyword.
        return {("class" if k == "cls" else k): f for k, f in super().get_fields().items()}

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="90, 95 or 99"))
    def get_confidence(self, row: CellRow) -> int | None:
        return row.confidence or None

    @extend_schema_field(
        serializers.ListField(
            child=serializers.IntegerField(),
            help_text="Per time slice, oldest first: +1 hot, -1 cold, 0 neither",
        )
    )
    def get_slices(self, row: CellRow) -> list[int]:
        return list(self.context.get("slice_classes", {}).get(row.cell, []))


class AnalysisSummarySerializer(serializers.Serializer):
    filters = FiltersSerializer()
    points = serializers.IntegerField(help_text="Concerns analysed")
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
    start: date
    z: float
    cls: int
    hot: bool
    cold: bool
    count: int | None
    count_suppressed: bool


@dataclass(frozen=True)
class EmergingCell:
    cell: str
    category: str
    trend_z: float
    trend_p: float
    places: int
    slices: list[SliceShown]


def emerging_cells(analysis: PlaceAnalysis) -> list[EmergingCell]:
    """The emerging hot-spot series of each cell the analysis shows."""
    hot = analysis.hot
    if hot is None:
        return []
    index = {c: i for i, c in enumerate(hot.cells.tolist())}
    cells = []
    for row in analysis.rows:
        i = index.get(row.cell)
        if i is None:
            continue
        slices = [
            SliceShown(
                start=start,
                z=float(hot.z[j, i]),
                cls=int(hot.cls[j, i]),
                hot=bool(hot.hot[j, i]),
                cold=bool(hot.cold[j, i]),
                count=shown(int(hot.counts[j, i])),
                count_suppressed=shown(int(hot.counts[j, i])) is None,
            )
            for j, start in enumerate(analysis.slices)
        ]
        cells.append(
            EmergingCell(
                cell=row.cell,
                category=hot.category[i],
                trend_z=float(hot.trend_z[i]),
                trend_p=float(hot.trend_p[i]),
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
        help_text="+3 to +1: more concerns than chance at 99, 95, 90% confidence; 0; -1 to -3",
    )
    hot = serializers.BooleanField(
        help_text="More concerns than chance in this slice, at the confidence chosen"
    )
    cold = serializers.BooleanField(
        help_text="Fewer concerns than chance in this slice, at the confidence chosen"
    )
    count = serializers.IntegerField(allow_null=True, help_text="null for 1 to 4")
    count_suppressed = serializers.BooleanField()

    def get_fields(self) -> dict[str, serializers.Field]:
        # "class", as for a cell's result, is a Python keyword.
        return {("class" if k == "cls" else k): f for k, f in super().get_fields().items()}


class EmergingCellSerializer(serializers.Serializer):
    cell = serializers.CharField(help_text="H3 cell index")
    category = serializers.CharField(help_text="e.g. new, intensifying or sporadic hot spot")
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
    observed = serializers.IntegerField(help_text="Pairs of concerns this close in space and time")
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
    events = serializers.IntegerField(help_text="Concerns analysed")
    runs = serializers.IntegerField()
    seed = serializers.IntegerField()
    table = KnoxRowSerializer(many=True, help_text="Rows of distance bands; empty with no pairs")
    detail = serializers.CharField(help_text="Why the table is empty, or empty")


def knox_table(result: KnoxResult) -> list[dict[str, Any]]:
    def significant(i: int, j: int) -> bool:
        ratio = float(result.ratio[i, j])
        return bool(result.p_value[i, j] <= SIGNIFICANCE and np.isfinite(ratio) and ratio > 1)

    return [
        {
            "distance": distance,
            "cells": [
                {
                    "days": days,
                    "observed": int(result.observed[i, j]),
                    "expected": float(result.expected[i, j]),
                    "ratio": float(result.ratio[i, j]),
                    "p_value": float(result.p_value[i, j]),
                    "significant": significant(i, j),
                }
                for j, days in enumerate(result.day_labels)
            ],
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
    unconnected = serializers.SerializerMethodField()
    young_people_count = serializers.SerializerMethodField()
    concerns_count = serializers.SerializerMethodField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    young_people = serializers.SerializerMethodField()
    young_people_hidden = serializers.IntegerField()
    concerns = ConcernShownSerializer(many=True, help_text="Those you may see, oldest first")
    concerns_hidden = serializers.IntegerField()

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="With by=cell"))
    def get_cell(self, shown: Any) -> str | None:
        return shown.cell or None

    @extend_schema_field(serializers.IntegerField(help_text="Children with no link between them"))
    def get_unconnected(self, shown: Any) -> int:
        return len(shown.context.unconnected)

    @extend_schema_field(serializers.IntegerField(help_text="Children with concerns here"))
    def get_young_people_count(self, shown: Any) -> int:
        return len(shown.context.young_people)

    @extend_schema_field(serializers.IntegerField(help_text="Concerns naming them"))
    def get_concerns_count(self, shown: Any) -> int:
        return len(shown.context.concerns)

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
    min_young_people = serializers.IntegerField()
    contexts = SharedContextSerializer(many=True, help_text="The strongest first")


@dataclass(frozen=True)
class ProfileShown:
    """A time profile as published: withheld whole for 1 to 4 concerns."""

    profile: list[list[int]] | None
    concerns: int | None
    untimed: int | None
    suppressed: bool
    weekdays: tuple[str, ...] = WEEKDAYS
    hours: tuple[str, ...] = tuple(f"{h:02d}:00" for h in range(HOURS))

    @classmethod
    def of(cls, profile: TimeProfile) -> "ProfileShown":
        if shown(profile.concerns) is None:
            return cls(None, None, None, True)
        return cls(profile.profile.tolist(), profile.concerns, profile.untimed, False)


class TimeProfileSerializer(serializers.Serializer):
    """When in the week: counts by hour of day (rows) and day of the week (columns)."""

    weekdays = serializers.ListField(child=serializers.CharField(), help_text="Monday first")
    hours = serializers.ListField(child=serializers.CharField())
    profile = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        allow_null=True,
        help_text="24 rows (hours) of 7 (days); null for 1 to 4 concerns",
    )
    concerns = serializers.IntegerField(allow_null=True, help_text="null for 1 to 4")
    untimed = serializers.IntegerField(allow_null=True, help_text="Concerns with no time recorded")
    suppressed = serializers.BooleanField(help_text="Withheld: 1 to 4 concerns")


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
    count = serializers.IntegerField(allow_null=True, help_text="Concerns; null for 1 to 4")
    count_suppressed = serializers.BooleanField()
    places = CellPlaceSerializer(many=True)
    concerns = CellConcernSerializer(many=True, help_text="Those you may see, latest first")
    concerns_hidden = serializers.IntegerField(
        allow_null=True, help_text="Concerns you may not see; null when the count is withheld"
    )
    hotspot = HotspotCellSerializer(allow_null=True, help_text="The cell's result, if any")
    time_profile = TimeProfileSerializer()
