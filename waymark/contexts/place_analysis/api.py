"""The analysis of places through the API: where children may be at risk, and when.

Thin, like every `api.py`. The query string is read by the forms the web pages use, and the
results come from the topic modules beside it. The OpenAPI parameters are built from those
forms, so the schema and the validation cannot drift apart.

The numbers are aggregates over every concern with a place, published through the one suppression
rule (`waymark.core.suppression`): a count of 1 to 4 is withheld (null, with `count_suppressed`),
and so is anything in the same answer that would give it back (a total, a hidden count, a
z-score, a class, a time profile); counts shown are rounded to the nearest 5, so that two answers
with different filters cannot be subtracted to find a small count. Which children are behind a
shared context is shown only through the need-to-know selectors, as pseudonymous references, and
each such read is audited.
"""

from dataclasses import replace
from typing import Any

import h3
from django import forms
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from waymark.analytics.near_repeat import (
    NearRepeatError,
    day_band_labels,
    distance_band_labels,
)
from waymark.audit.services import audit_record_many
from waymark.core.suppression import count_is_small, count_shown

from .cells import cell_detail, cell_is_valid
from .filters import RESOLUTIONS
from .forms import (
    AnalysisQuery,
    NearRepeatQuery,
    SharedContextsQuery,
    TimeProfileQuery,
)
from .hotspots import PlaceAnalysis, place_analysis
from .near_repeats import near_repeat_analysis
from .points import concern_points
from .selectors import (
    cell_concerns_visible_to,
    place_names,
    shared_contexts_visible_to,
    shared_minimum,
)
from .serializers import (
    CellSerializer,
    EmergingGeoJSONSerializer,
    EmergingSerializer,
    GeoJSONRenderer,
    HotspotsGeoJSONSerializer,
    HotspotsSerializer,
    NearRepeatSerializer,
    SharedContextsSerializer,
    TimeProfileAnswerSerializer,
    knox_table,
)
from .time_profiles import ProfileShown, TimeProfile, cell_time_profile, place_time_profile


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


FIELD_ERRORS = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {},
    },
    description="What is wrong with the query, under the name of each parameter (or "
    "non_field_errors)",
)


NOT_FOUND = OpenApiResponse(
    {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]},
    description="There is no such cell",
)


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
            "events": count_shown(len(concern_points(filters=filters)), rounded=True),
            "runs": runs,
            "seed": seed,
            "table": knox_table(result) if result is not None else [],
            "detail": ""
            if result is not None
            else "Fewer than two concerns match the filters, so there are no pairs to compare",
        }
        return Response(NearRepeatSerializer(answer).data)


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
        answer = {
            "filters": filters,
            "by": by,
            "min_young_people": shared_minimum(minimum),
            "contexts": found,
        }
        return Response(SharedContextsSerializer(answer).data)


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
        hidden = count - len(concerns)
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
            "count": count_shown(count, rounded=True),
            "count_suppressed": count_is_small(count),
            "places": [places[pk] for pk in detail.place_ids if pk in places],
            "concerns": concerns,
            # The concerns you may see are known to you exactly: the number you may not see is
            # withheld when small, and the count beside it is rounded, so neither gives it back.
            "concerns_hidden": count_shown(hidden, rounded=True),
            "hotspot": row,
            "time_profile": ProfileShown.of(TimeProfile(detail.profile, count, detail.untimed)),
        }
        return Response(CellSerializer(answer, context=context).data)
