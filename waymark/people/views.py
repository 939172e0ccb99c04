from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.audit.services import audit_record
from waymark.concerns.selectors import (
    association_list_for_person_of_concern,
    concern_list_for_person_of_concern,
    concern_list_for_young_person,
    places_for_young_person,
)
from waymark.contexts.selectors import place_list_visible_to, ward_list_visible_to
from waymark.core.forms import form_add_service_errors

from .forms import PersonOfConcernForm, YoungPersonForm
from .selectors import (
    association_rows_for,
    person_of_concern_get_visible_to,
    risk_summary,
    young_person_get_visible_to,
)
from .services import person_of_concern_create, young_person_create


@login_required
def young_person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = young_person_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        raise Http404("No young person you may see has that reference") from None
    audit_record(actor=request.user, action="view", obj=person)
    concerns = list(concern_list_for_young_person(user=request.user, young_person=person))
    return render(
        request,
        "people/young_person_detail.html",
        {
            "person": person,
            "concerns": concerns,
            "risk_summary": risk_summary(concerns),
            "links": association_rows_for(user=request.user, young_person=person),
            "places": places_for_young_person(user=request.user, young_person=person),
        },
    )


@login_required
@permission_required("people.add_youngperson", raise_exception=True)
@require_http_methods(["GET", "POST"])
def young_person_new(request: HttpRequest) -> HttpResponse:
    kwargs = {
        "places": place_list_visible_to(user=request.user),
        "wards": ward_list_visible_to(user=request.user),
    }
    form = YoungPersonForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            person = young_person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} added as {person.reference}")
            return redirect("young-person-detail", reference=person.reference)
    return render(request, "people/young_person_form.html", {"form": form})


@login_required
def person_of_concern_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = person_of_concern_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        raise Http404("No person of concern you may see has that reference") from None
    audit_record(actor=request.user, action="view", obj=person)
    return render(
        request,
        "people/person_of_concern_detail.html",
        {
            "person": person,
            "concerns": concern_list_for_person_of_concern(user=request.user, person=person),
            "associations": association_list_for_person_of_concern(
                user=request.user, person=person
            ),
        },
    )


@login_required
@permission_required("people.add_personofconcern", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_of_concern_new(request: HttpRequest) -> HttpResponse:
    form = PersonOfConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_of_concern_create(actor=request.user, **form.service_arguments())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Person of concern added as {person.reference}")
            return redirect("person-of-concern-detail", reference=person.reference)
    return render(request, "people/person_of_concern_form.html", {"form": form})
