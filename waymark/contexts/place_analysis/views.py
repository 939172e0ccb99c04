"""Web pages for the analysis of places: where children may be at risk, shared contexts, near
repeats. Thin: the filters come from `PlaceAnalysisForm`, the results from the topic modules beside them."""

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from waymark.accounts.selectors import agency_list_visible_to
from waymark.accounts.types import Actor
from waymark.analytics.near_repeat import NearRepeatError
from waymark.analytics.timeprofile import WEEKDAYS
from waymark.audit.services import audit_record_many
from waymark.contexts.places.selectors import ward_list_visible_to
from waymark.core.suppression import count_shown, count_text
from waymark.core.tables import query_without, table_sort

from .cells import cell_detail, cell_geometry, cell_is_valid
from .filters import AnalysisFilters, analysis_default_period
from .forms import NearRepeatForm, PlaceAnalysisForm, SharedContextsForm
from .hotspots import CellRow, PlaceAnalysis, place_analysis
from .near_repeats import near_repeat_analysis
from .points import concern_points, places_per_cell
from .selectors import (
    cell_concerns_visible_to,
    place_names,
    shared_contexts_visible_to,
    shared_minimum,
)
from .serializers import emerging_cells, knox_table
from .time_profiles import ProfileShown, TimeProfile

ROWS_PER_PAGE = 50
# Sortable columns of the results table: query value -> (heading, key for ascending order).
# Keys use what is published only: sorting withheld areas by their exact count or z-score would
# rank them, and so tell a 4 from a 1. A withheld count sorts as what it is known to be (between
# 0 and 5) and withheld statistics as no pattern, withheld areas among themselves in cell order.
WITHHELD_COUNT = 2.5
SORTS: dict[str, tuple[str, Any]] = {
    "z": ("Gi* z-score", lambda r: (r.z_shown or 0.0, r.cell)),
    "count": (
        "Concerns",
        lambda r: (WITHHELD_COUNT if r.count_shown is None else r.count_shown, r.cell),
    ),
    "p": ("Adjusted p-value", lambda r: (1.0 if r.p_fdr_shown is None else r.p_fdr_shown, r.cell)),
    "result": ("Result", lambda r: (r.cls_shown or 0, r.z_shown or 0.0, r.cell)),
    "trend": ("Trend", lambda r: (r.trend_shown, -(r.trend_z_shown or 0.0), r.cell)),
}
CLASS_COLOURS = {
    3: "#a50f15", 2: "#de2d26", 1: "#fc9272",
    0: "#ffffff",
    -1: "#9ecae1", -2: "#4292c6", -3: "#08519c",
}  # fmt: skip


def _filters_form(request: HttpRequest, form_class: Any = PlaceAnalysisForm) -> Any:
    return form_class(
        request.GET if request.GET else None,
        agencies=agency_list_visible_to(user=request.user),
    )


def _filters(form: Any) -> AnalysisFilters:
    if form.is_bound and form.is_valid():
        return form.filters()
    start, end = analysis_default_period()
    return AnalysisFilters(date_from=start, date_to=end)


def _area_names(rows: list[CellRow], resolution: int) -> dict[str, str]:
    """A human name for each cell: the places in it, or 'No places recorded here'."""
    per_cell = places_per_cell(resolution=resolution)
    wanted = {pk for r in rows for pk in per_cell.get(r.cell, [])[:3]}
    places = place_names(sorted(wanted))
    names = {}
    for row in rows:
        ids = per_cell.get(row.cell, [])
        shown = [places[pk].name for pk in ids[:2] if pk in places]
        more = len(ids) - len(shown)
        text = ", ".join(shown) if shown else "No places recorded here"
        names[row.cell] = f"{text} and {more} more" if more > 0 else text
    return names


def _map_data(
    *, user: Actor, analysis: PlaceAnalysis, names: dict[str, str], query: str
) -> dict[str, Any]:
    slices = analysis.slice_classes()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": [cell_geometry(row.cell)]},
            "properties": {
                "cell": row.cell,
                "name": names.get(row.cell, ""),
                "cls": row.cls_shown if row.cls_shown is not None else 0,
                "label": row.description,
                "count": row.count_text,
                "trend": row.trend_shown,
                "slices": slices.get(row.cell, []),
                "url": reverse("place-cell", args=[row.cell]) + (f"?{query}" if query else ""),
            },
        }
        for row in analysis.rows
    ]
    wards = [
        {"type": "Feature", "geometry": ward.boundary, "properties": {"name": ward.name}}
        for ward in ward_list_visible_to(user=user)
        if ward.boundary
    ]
    return {
        "cells": {"type": "FeatureCollection", "features": features},
        "wards": {"type": "FeatureCollection", "features": wards},
        "slices": [d.isoformat() for d in analysis.slices],
        "colours": {str(k): v for k, v in CLASS_COLOURS.items()},
        "tiles": settings.WAYMARK_TILE_URL,
        "tileAttribution": settings.WAYMARK_TILE_ATTRIBUTION,
        "interval": analysis.filters.interval,
    }


@login_required
@permission_required("contexts.view_place", raise_exception=True)
def place_analysis_page(request: HttpRequest) -> HttpResponse:
    form = _filters_form(request)
    filters = _filters(form)
    analysis = place_analysis(filters=filters)
    table = table_sort(rows=analysis.rows, columns=SORTS, query=request.GET)
    page = Paginator(table.rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    names = _area_names(list(page.object_list), filters.resolution)
    filter_query = query_without(request.GET, "sort", "order", "page")
    map_names = _area_names(analysis.rows, filters.resolution)
    hot = [r for r in analysis.rows if (r.cls_shown or 0) > 0]
    return render(
        request,
        "contexts/place_analysis.html",
        {
            "form": form,
            "filters": filters,
            "analysis": analysis,
            "page": page,
            "page_rows": [(r, names[r.cell]) for r in page.object_list],
            "headings": table.headings,
            "filter_query": filter_query,
            "sort_query": query_without(request.GET, "page"),
            "hot_count": len(hot),
            "emerging_count": sum(
                1
                for r in analysis.rows
                if r.trend_shown.startswith(("new hot", "intensifying hot"))
            ),
            "map_data": _map_data(
                user=request.user, analysis=analysis, names=map_names, query=filter_query
            ),
            "colours": CLASS_COLOURS,
        },
    )


@login_required
@permission_required("contexts.view_place", raise_exception=True)
def place_cell_page(request: HttpRequest, cell: str) -> HttpResponse:
    if not cell_is_valid(cell):
        raise Http404("No area with that reference")
    form = _filters_form(request)
    filters = _filters(form)
    analysis = place_analysis(filters=filters)
    row = next((r for r in analysis.rows if r.cell == cell), None)
    detail = cell_detail(filters=filters, cell=cell)
    places = place_names(detail.place_ids)
    concerns = cell_concerns_visible_to(user=request.user, detail=detail)
    series = []
    if row is not None and not row.count_suppressed:
        mine = next((c for c in emerging_cells(analysis) if c.cell == cell), None)
        for piece in mine.slices if mine else []:
            series.append(
                {
                    "start": piece.start,
                    "count": count_text(piece.count),
                    "z": piece.z,
                    "state": "hot" if piece.hot else "cold" if piece.cold else "",
                }
            )
    count = len(detail.concern_ids)
    return render(
        request,
        "contexts/place_cell.html",
        {
            "cell": cell,
            "row": row,
            "filters": filters,
            "filter_query": query_without(request.GET, "sort", "order", "page"),
            "places": [places[pk] for pk in detail.place_ids if pk in places],
            "concerns": concerns[:50],
            # As in the API: withheld when small, rounded otherwise (`waymark.core.suppression`).
            "concerns_hidden": count_text(count_shown(count - len(concerns), rounded=True)),
            "any_hidden": count > len(concerns),
            "profile": ProfileShown.of(TimeProfile(detail.profile, count, detail.untimed)),
            "weekdays": WEEKDAYS,
            "series": series,
            "name": _area_names([row], filters.resolution)[cell] if row else "",
        },
    )


@login_required
@permission_required("contexts.view_place", raise_exception=True)
def shared_contexts_page(request: HttpRequest) -> HttpResponse:
    form = _filters_form(request, SharedContextsForm)
    filters = _filters(form)
    valid = form.is_bound and form.is_valid()
    minimum = shared_minimum(form.cleaned_data.get("min_young_people") or 3 if valid else 3)
    by = form.cleaned_data.get("by") or "place" if valid else "place"
    shown = shared_contexts_visible_to(
        user=request.user, filters=filters, min_young_people=minimum, by=by
    )
    people = [p for s in shown for p in s.young_people]
    if people:
        audit_record_many(
            actor=request.user,
            action="view",
            objs=people,
            purpose=f"Shared contexts: {request.get_full_path()}"[:500],
        )
    return render(
        request,
        "contexts/shared_contexts.html",
        {"form": form, "filters": filters, "shown": shown, "minimum": minimum, "by": by},
    )


@login_required
@permission_required("contexts.view_place", raise_exception=True)
def near_repeat_page(request: HttpRequest) -> HttpResponse:
    form = _filters_form(request, NearRepeatForm)
    filters = _filters(form)
    valid = form.is_bound and form.is_valid()
    distance = form.cleaned_data["distance_bands"] if valid else NearRepeatForm.DISTANCE_BANDS
    days = form.cleaned_data["day_bands"] if valid else NearRepeatForm.DAY_BANDS
    error = ""
    try:
        result = near_repeat_analysis(filters=filters, distance_bands=distance, day_bands=days)
    except NearRepeatError as exc:
        result, error = None, str(exc)
    # The same published table as the API: pairs through the suppression rule.
    table = knox_table(result) if result is not None else []
    events = count_text(count_shown(len(concern_points(filters=filters)), rounded=True))
    return render(
        request,
        "contexts/near_repeat.html",
        {
            "form": form,
            "filters": filters,
            "result": result,
            "table": table,
            "events": events,
            "error": error,
        },
    )
