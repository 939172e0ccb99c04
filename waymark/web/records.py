"""A young person's page and a person of concern's page.

Each shows the record with the concerns, links and places about it that the viewer may see, so
these pages draw on people and concerns together and live above both.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.accounts.refusals import access_refused
from waymark.audit.reads import audit_reads
from waymark.casework.cases.selectors import contexts_affecting
from waymark.concerns.selectors import (
    association_list_for_person_of_concern,
    association_rows_for,
    concern_list_for_person_of_concern,
    concern_list_for_young_person,
    places_for_young_person,
)
from waymark.people.selectors import (
    person_of_concern_get_visible_to,
    risk_summary,
    young_person_get_visible_to,
)
from waymark.people.views import young_person_restricted


@login_required
def young_person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = young_person_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        return young_person_restricted(request, reference)
    concerns = list(concern_list_for_young_person(user=request.user, young_person=person))
    audit_reads(actor=request.user, objs=[person, *concerns])
    return render(
        request,
        "people/young_person_detail.html",
        {
            "person": person,
            "concerns": concerns,
            "risk_summary": risk_summary(concerns),
            "links": association_rows_for(user=request.user, young_person=person),
            "places": places_for_young_person(user=request.user, young_person=person),
            "contexts": contexts_affecting(user=request.user, young_person=person),
        },
    )


@login_required
def person_of_concern_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = person_of_concern_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        access_refused(request, object_type="people.personofconcern", object_id=reference)
        raise Http404("No person of concern you may see has that reference") from None
    concerns = list(concern_list_for_person_of_concern(user=request.user, person=person))
    audit_reads(actor=request.user, objs=[person])
    return render(
        request,
        "people/person_of_concern_detail.html",
        {
            "person": person,
            "concerns": concerns,
            "associations": association_list_for_person_of_concern(
                user=request.user, person=person
            ),
        },
    )
