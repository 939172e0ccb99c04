"""Web pages for places: the list, a place's page and the form to add one."""

import h3
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.analytics.timeprofile import WEEKDAYS
from waymark.concerns.selectors import (
    concern_list_for_place,
    young_people_at_place_visible_to,
)
from waymark.contexts.models import PlaceKind
from waymark.contexts.place_analysis.filters import AnalysisFilters, analysis_default_period
from waymark.contexts.place_analysis.time_profiles import (
    ProfileShown,
    place_time_profile,
)
from waymark.core.forms import form_add_service_errors

from .counts import place_counts_shown, place_list_shown
from .forms import PlaceForm
from .selectors import place_list_visible_to, ward_list_visible_to
from .services import place_create

# A place page names at most this many young people; the rest are counted.
PEOPLE_SHOWN = 30


@login_required
def place_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    rows = place_list_shown(user=request.user, kind=kind)
    return render(
        request,
        "contexts/place_list.html",
        {"rows": rows, "kinds": PlaceKind.choices, "kind": kind},
    )


@login_required
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = place_list_visible_to(user=request.user).filter(pk=pk).first()
    if place is None:
        raise Http404("No place with that id")
    counts = place_counts_shown(user=request.user, place=place)
    peak = max((n or 0 for _, n in counts.months), default=0)
    young_people = list(young_people_at_place_visible_to(user=request.user, place=place))
    date_from, date_to = analysis_default_period()
    filters = AnalysisFilters(date_from=date_from, date_to=date_to)
    profile = None
    if counts.per_child:
        profile = ProfileShown.of(place_time_profile(filters=filters, place_id=place.pk))
    return render(
        request,
        "contexts/place_detail.html",
        {
            "place": place,
            "counts": counts,
            "peak": peak,
            "concerns": concern_list_for_place(user=request.user, place=place)[:50],
            "young_people": young_people[:PEOPLE_SHOWN],
            "more_visible": max(len(young_people) - PEOPLE_SHOWN, 0),
            "cell": h3.latlng_to_cell(place.latitude, place.longitude, filters.resolution),
            "profile": profile,
            "profile_from": date_from,
            "profile_to": date_to,
            "weekdays": WEEKDAYS,
        },
    )


@login_required
@permission_required("contexts.add_place", raise_exception=True)
@require_http_methods(["GET", "POST"])
def place_new(request: HttpRequest) -> HttpResponse:
    form = PlaceForm(
        request.POST if request.method == "POST" else None,
        wards=ward_list_visible_to(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            place = place_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{place.name} added")
            return redirect("place-detail", pk=place.pk)
    return render(request, "contexts/place_form.html", {"form": form})
