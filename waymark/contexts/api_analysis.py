"""The analysis of places through the API: where children may be at risk, and when.

Thin, like every `api.py`. The query string is read by the forms the web pages use, and the
results come from `place_analysis`. The OpenAPI parameters are built from those forms, so the
schema and the validation cannot drift apart.

The numbers are aggregates over every concern with a place. A count of 1 to 4 concerns is withheld
(null, with `count_suppressed`), and so is anything in the same answer that would give it back: a
hidden count or a time profile. Which children are behind a shared context is shown only through
the need-to-know selectors, as pseudonymous references, and each such read is audited.
"""

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import h3
import numpy as np
from django import forms
from django.db.models import TextChoices
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from waymark.analytics.near_repeat import (
    SIGNIFICANCE,
    KnoxResult,
    NearRepeatError,
    day_band_labels,
    distance_band_labels,
)
from waymark.analytics.timeprofile import HOURS, WEEKDAYS
from waymark.audit.services import audit_record_many
from waymark.concerns.taxonomy import RiskCategory
from waymark.core.api import EnumChoiceField

from .forms import (
    AnalysisQuery,
    NearRepeatQuery,
    SharedContextsQuery,
    TimeProfileQuery,
)
from .models import PlaceKind
from .place_analysis import (
    RESOLUTIONS,
    SMALL_COUNT,
    CellRow,
    PlaceAnalysis,
    TimeProfile,
    cell_concerns_visible_to,
    cell_detail,
    cell_geometry,
    cell_is_valid,
    cell_time_profile,
    concern_points,
    near_repeat_analysis,
    place_analysis,
    place_names,
    place_time_profile,
    shared_contexts_visible_to,
)


def shown(count: int) -> int | None:
    """A count as published: None for 1 to 4."""
    return None if 0 < count < SMALL_COUNT else count


def query_read(form_class: type[AnalysisQuery], request: Request) -> Any:
    """The bound, valid query form, or a 400 naming each field that is wrong."""
    form = form_class(request.query_params, user=request.user)
    if not form.is_valid():
        detail: dict[str, list[ErrorDetail]] = {}
        for name, errors in form.errors.get_json_data().items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name
            detail[key] = [ErrorDetail(e["message"], code=e["code"] or "invalid") for e in errors]
        raise ValidationError(detail)
    return form


def query_parameters(form_class: type[AnalysisQuery]) -> list[OpenApiParameter]:
    """One OpenAPI query parameter per field of a query form, with its choices and default."""
    form = form_class()
    parameters = []
    for name, field in form.fields.items():
        schema = _field_schema(field)
        if field.initial not in (None, ""):
            (schema["items"] if schema["type"] == "array" else schema)["default"] = field.initial
        many = schema["type"] == "array"
        parameters.append(
            OpenApiParameter(
                name,
                schema,
                OpenApiParameter.QUERY,
                required=field.required,
                description=". ".join(str(t) for t in (field.label, field.help_text) if t),
                style="form" if many else None,
                explode=True if many else None,
            )
        )
    return parameters


def _field_schema(field: forms.Field) -> dict[str, Any]:
    choices = [v for v, _ in getattr(field, "choices", ()) if v not in ("", None)]
    if isinstance(field, forms.MultipleChoiceField):
        return {"type": "array", "items": {"type": "string", "enum": choices}}
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        schema: dict[str, Any] = {"type": "integer"}
        if choices:
            schema["enum"] = [int(v) for v in choices]
        return schema
    if isinstance(field, forms.ChoiceField):
        return {"type": "string", "enum": choices}
    if isinstance(field, forms.DateField):
        return {"type": "string", "format": "date"}
    if isinstance(field, forms.IntegerField):
        schema = {"type": "integer", "format": "int64"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    schema = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length  # type: ignore[attr-defined]
    return schema


# --- shared pieces of the answers ----------------------------------------------------------

FIELD_ERRORS = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
    description="What is wrong with the query, under the name of each parameter (or "
    "non_field_errors)",
)
NOT_FOUND = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    description="There is no such cell",
)


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


# --- hot spots -----------------------------------------------------------------------------


class HotspotCellSerializer(serializers.Serializer):
    """One cell of the study area, as its Gi* result and its emerging hot-spot trend."""

    cell = serializers.CharField(help_text="H3 cell index")
    count = serializers.IntegerField(
        source="count_shown", allow_null=True, help_text="Concerns in the cell; null for 1 to 4"
    )
    count_suppressed = serializers.BooleanField()
    z = FiniteFloatField(help_text="Getis-Ord Gi* z-score")
    p = FiniteFloatField()
    p_fdr = FiniteFloatField(help_text="p adjusted for the false discovery rate")
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


# --- emerging hot spots --------------------------------------------------------------------


@dataclass(frozen=True)
class SliceShown:
    start: date
    z: float
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
    z = FiniteFloatField(help_text="Gi* z-score in this slice")
    hot = serializers.BooleanField(help_text="More concerns than chance in this slice")
    cold = serializers.BooleanField(help_text="Fewer concerns than chance in this slice")
    count = serializers.IntegerField(allow_null=True, help_text="null for 1 to 4")
    count_suppressed = serializers.BooleanField()


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


# --- views ---------------------------------------------------------------------------------


class AnalysisView(APIView):
    # Places are visible across the partnership; the counts say nothing about who.
    required_permissions = {"GET": "contexts.view_place"}


def _analysis(request: Request) -> PlaceAnalysis:
    return place_analysis(filters=query_read(AnalysisQuery, request).filters())


TAGS = ["place-analysis"]
ANALYSIS_PARAMETERS = query_parameters(AnalysisQuery)


class HotspotsView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_hotspots",
        tags=TAGS,
        parameters=ANALYSIS_PARAMETERS,
        responses={200: HotspotsSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Places where children may be at risk: Gi* hot spots of concerns, by H3 cell."""
        analysis = _analysis(request)
        context = {"slice_classes": analysis.slice_classes()}
        return Response(HotspotsSerializer(analysis, context=context).data)


class HotspotsGeoJSONView(AnalysisView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="place_analysis_hotspots_geojson",
        tags=TAGS,
        parameters=ANALYSIS_PARAMETERS,
        responses={200: HotspotsGeoJSONSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The hot spots as a GeoJSON FeatureCollection of H3 cell polygons."""
        analysis = _analysis(request)
        context = {"slice_classes": analysis.slice_classes()}
        return Response(HotspotsGeoJSONSerializer(analysis, context=context).data)


class EmergingView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_emerging_hotspots",
        tags=TAGS,
        parameters=ANALYSIS_PARAMETERS,
        responses={200: EmergingSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """How each cell changed over the period: the emerging hot-spot category and its slices."""
        return Response(EmergingSerializer(_analysis(request)).data)


class EmergingGeoJSONView(AnalysisView):
    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    @extend_schema(
        operation_id="place_analysis_emerging_hotspots_geojson",
        tags=TAGS,
        parameters=ANALYSIS_PARAMETERS,
        responses={200: EmergingGeoJSONSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The emerging hot spots as a GeoJSON FeatureCollection of H3 cell polygons."""
        return Response(EmergingGeoJSONSerializer(_analysis(request)).data)


# --- near repeats --------------------------------------------------------------------------


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


class NearRepeatView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_near_repeat",
        tags=TAGS,
        parameters=query_parameters(NearRepeatQuery),
        responses={200: NearRepeatSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Near repeats: do concerns close in space follow each other closely in time (Knox)?"""
        form = query_read(NearRepeatQuery, request)
        filters = form.filters()
        distance, days = form.cleaned_data["distance_bands"], form.cleaned_data["day_bands"]
        runs, seed = (form.value_or_default(n) for n in ("runs", "seed"))
        try:
            result = near_repeat_analysis(
                filters=filters, distance_bands=distance, day_bands=days, runs=runs, seed=seed
            )
        except NearRepeatError as exc:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]}) from exc
        answer = {
            "filters": filters,
            "distance_bands": list(distance),
            "day_bands": list(days),
            "distance_labels": distance_band_labels(distance),
            "day_labels": day_band_labels(days),
            "events": len(concern_points(filters=filters)),
            "runs": runs,
            "seed": seed,
            "table": knox_table(result) if result is not None else [],
            "detail": ""
            if result is not None
            else "Fewer than two concerns match the filters, so there are no pairs to compare",
        }
        return Response(NearRepeatSerializer(answer).data)


# --- shared contexts -----------------------------------------------------------------------


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


class SharedContextsView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_shared_contexts",
        tags=TAGS,
        parameters=query_parameters(SharedContextsQuery),
        responses={200: SharedContextsSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """Places where children who do not know each other have concerns: one pattern, not many.

        Children are shown only by reference, and only those you may see; each is audited.
        """
        form = query_read(SharedContextsQuery, request)
        filters = form.filters()
        minimum, by, limit = (form.value_or_default(n) for n in ("min_young_people", "by", "limit"))
        found = shared_contexts_visible_to(
            user=request.user, filters=filters, min_young_people=minimum, by=by, limit=limit
        )
        people = {p.pk: p for s in found for p in s.young_people}
        audit_record_many(
            actor=request.user,
            action="view",
            objs=people.values(),
            purpose=f"API {request.method} {request.path}"[:500],
        )
        answer = {"filters": filters, "by": by, "min_young_people": minimum, "contexts": found}
        return Response(SharedContextsSerializer(answer).data)


# --- time profiles and one cell ------------------------------------------------------------


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


class TimeProfileView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_time_profile",
        tags=TAGS,
        parameters=query_parameters(TimeProfileQuery),
        responses={200: TimeProfileAnswerSerializer, 400: FIELD_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """When in the week concerns happen at one place or in one cell."""
        form = query_read(TimeProfileQuery, request)
        filters = form.filters()
        place, cell = form.cleaned_data.get("place"), form.cleaned_data.get("cell") or ""
        if place is not None:
            profile = place_time_profile(filters=filters, place_id=place.pk)
        else:
            profile = cell_time_profile(filters=filters, cell=cell)
        answer = {
            "filters": filters,
            "place": place,
            "cell": cell or None,
            "time_profile": ProfileShown.of(profile),
        }
        return Response(TimeProfileAnswerSerializer(answer).data)


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


class CellView(AnalysisView):
    @extend_schema(
        operation_id="place_analysis_cell",
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "cell",
                str,
                OpenApiParameter.PATH,
                description="An H3 cell index, like 89195da49b7ffff",
            ),
            *ANALYSIS_PARAMETERS,
        ],
        responses={200: CellSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def get(self, request: Request, cell: str) -> Response:
        """One cell: its places, the concerns you may see there, and when in the week."""
        cell = cell.lower()
        if not cell_is_valid(cell):
            raise NotFound("There is no area with that reference: give an H3 cell index")
        filters = query_read(AnalysisQuery, request).filters()
        resolution = h3.get_resolution(cell)
        if resolution in RESOLUTIONS:
            filters = replace(filters, resolution=resolution)
        detail = cell_detail(filters=filters, cell=cell)
        concerns = cell_concerns_visible_to(user=request.user, detail=detail)
        count = len(detail.concern_ids)
        row, context = None, {}
        if resolution in RESOLUTIONS:
            analysis = place_analysis(filters=filters)
            row = next((r for r in analysis.rows if r.cell == cell), None)
            context = {"slice_classes": analysis.slice_classes()}
        places = place_names(detail.place_ids)
        answer = {
            "filters": filters,
            "cell": cell,
            "resolution": resolution,
            "count": shown(count),
            "count_suppressed": shown(count) is None,
            "places": [places[pk] for pk in detail.place_ids if pk in places],
            "concerns": concerns,
            "concerns_hidden": None if shown(count) is None else count - len(concerns),
            "hotspot": row,
            "time_profile": ProfileShown.of(TimeProfile(detail.profile, count, detail.untimed)),
        }
        return Response(CellSerializer(answer, context=context).data)
