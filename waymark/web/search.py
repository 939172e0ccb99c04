from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.audit.services import audit_record_many
from waymark.concerns.selectors import concern_search
from waymark.contexts.places.selectors import place_search
from waymark.people.selectors import (
    person_of_concern_search,
    young_person_known_elsewhere,
    young_person_search,
)

RESULTS_SHOWN = 50


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Search by reference, name or place. Only what the user may see is returned."""
    query = request.GET.get("q", "").strip()[:100]
    results: dict[str, list] = {}
    cut: list[str] = []
    if query:
        found = {
            "young_people": young_person_search(user=request.user, query=query),
            "persons_of_concern": person_of_concern_search(user=request.user, query=query),
            "places": place_search(user=request.user, query=query),
            "concerns": concern_search(user=request.user, query=query),
        }
        for kind, qs in found.items():
            # One more than is shown, to know whether the list was cut.
            rows = list(qs[: RESULTS_SHOWN + 1])
            if len(rows) > RESULTS_SHOWN:
                cut.append(kind)
            results[kind] = rows[:RESULTS_SHOWN]
        # Young people the user may not see: that they exist and whom to contact, nothing else.
        results["known_elsewhere"] = young_person_known_elsewhere(user=request.user, query=query)
        # Who was found, by whom, is kept; the words searched for are not (they may be a name).
        audit_record_many(
            actor=request.user,
            action="search",
            objs=[*results["young_people"], *results["persons_of_concern"]],
            purpose="Search",
        )
    return render(
        request,
        "core/search.html",
        {
            "query": query,
            "results": results,
            "total": sum(len(v) for v in results.values()),
            "cut": cut,
            "shown": RESULTS_SHOWN,
        },
    )
