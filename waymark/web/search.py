"""Search by reference, name or place.

The words searched for may be a child's name and date of birth, so they travel only in the body
of a POST (with its CSRF token), never in a URL: a URL ends up in access logs, proxies and
browser history. A GET shows the empty form, whatever its query string says. Searches are
rate-limited per user (waymark.core.throttling), and who was found, by whom, is audited; the
words searched for are not kept.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from waymark.audit.services import audit_record_many
from waymark.concerns.selectors import concern_search
from waymark.contexts.places.selectors import place_search
from waymark.core.throttling import (
    KnownElsewhereThrottle,
    SearchThrottle,
    throttle_wait,
    too_many_requests,
)
from waymark.people.selectors import (
    person_of_concern_search,
    young_person_known_elsewhere,
    young_person_known_elsewhere_may_ask,
    young_person_search,
)

RESULTS_SHOWN = 50
QUERY_MAX_LENGTH = 100


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Only what the user may see is returned, and for young people known only to other agencies
    no more than that a young person of that name exists (see young_person_known_elsewhere)."""
    context: dict = {"query": "", "results": {}, "total": 0, "cut": [], "shown": RESULTS_SHOWN}
    if request.method != "POST":
        return render(request, "core/search.html", context)
    query = request.POST.get("q", "").strip()
    if not query:
        context["error"] = "Enter a reference, a name or a place"
        return render(request, "core/search.html", context, status=400)
    if len(query) > QUERY_MAX_LENGTH:
        context["error"] = f"Search for {QUERY_MAX_LENGTH} characters or fewer"
        return render(request, "core/search.html", context, status=400)
    wait = throttle_wait(request, SearchThrottle())
    if wait is not None:
        return too_many_requests(request, wait=wait)

    results: dict[str, list] = {}
    cut: list[str] = []
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
    # Young people the user may not see: only for roles that record about children, and only
    # that such a young person exists (audited and rate-limited on its own, more tightly).
    known_elsewhere_wait = None
    if young_person_known_elsewhere_may_ask(user=request.user, query=query):
        known_elsewhere_wait = throttle_wait(request, KnownElsewhereThrottle())
        if known_elsewhere_wait is None:
            results["known_elsewhere"] = young_person_known_elsewhere(
                user=request.user, query=query
            )
    # Who was found, by whom, is kept; the words searched for are not (they may be a name).
    audit_record_many(
        actor=request.user,
        action="search",
        objs=[*results["young_people"], *results["persons_of_concern"]],
        purpose="Search",
    )
    context.update(
        query=query,
        results=results,
        total=sum(len(v) for v in results.values()),
        cut=cut,
        known_elsewhere_minutes=(
            -(-known_elsewhere_wait // 60) if known_elsewhere_wait is not None else None
        ),
    )
    return render(request, "core/search.html", context)
