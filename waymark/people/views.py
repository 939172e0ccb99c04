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
from waymark.core.references import reference_normalise

from .forms import BreakGlassForm, PersonOfConcernForm, YoungPersonForm
from .selectors import (
    access_log_for,
    association_rows_for,
    involvement_list_for,
    person_of_concern_get_visible_to,
    risk_summary,
    young_person_contact_agencies,
    young_person_for_break_glass,
    young_person_get_visible_to,
)
from .services import break_glass_open, person_of_concern_create, young_person_create


def _restricted(request: HttpRequest, reference: str) -> HttpResponse:
    """The record exists but the user has no involvement: say whom to contact, nothing more."""
    agencies = young_person_contact_agencies(reference=reference)
    if agencies is None:
        raise Http404("No young person has that reference")
    return render(
        request,
        "people/young_person_restricted.html",
        {"reference": reference_normalise(reference), "agencies": agencies},
        status=403,
    )


@login_required
def young_person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = young_person_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        return _restricted(request, reference)
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


@login_required
@permission_required("people.breakglass_youngperson", raise_exception=True)
@require_http_methods(["GET", "POST"])
def young_person_break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    person = young_person_for_break_glass(user=request.user, reference=reference)
    if person is None:
        raise Http404("No young person has that reference")
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(
                actor=request.user, young_person=person, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"You can see {person.reference} for 24 hours. This access is recorded and "
                "shown to the managers of the agencies involved.",
            )
            return redirect("young-person-detail", reference=person.reference)
    return render(
        request,
        "people/young_person_break_glass.html",
        {"form": form, "reference": person.reference},
    )


@login_required
@permission_required("people.view_accesslog_youngperson", raise_exception=True)
def young_person_access(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        person = young_person_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        raise Http404("No young person you may see has that reference") from None
    audit_record(actor=request.user, action="view", obj=person, changed_fields=["access_log"])
    return render(
        request,
        "people/young_person_access.html",
        {
            "person": person,
            "events": access_log_for(user=request.user, young_person=person)[:500],
            "involvements": involvement_list_for(user=request.user, young_person=person),
        },
    )
