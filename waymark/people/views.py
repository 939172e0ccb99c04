from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.accounts.refusals import access_refused
from waymark.accounts.selectors import agency_list_visible_to, user_active_in_agency
from waymark.audit.reads import audit_reads
from waymark.contexts.places.selectors import place_list_visible_to, ward_list_visible_to
from waymark.core.forms import form_add_service_errors
from waymark.core.references import reference_normalise

from .access import InvolvementSource
from .forms import (
    BreakGlassForm,
    DecisionForm,
    InvolvementEndForm,
    InvolvementForm,
    InvolvementRequestForm,
    PersonOfConcernForm,
    YoungPersonForm,
)
from .models import YoungPerson
from .naming import young_person_shown
from .selectors import (
    access_log_for,
    involvement_list_for,
    involvement_request_list_visible_to,
    involvement_request_may_decide,
    young_person_for_break_glass,
    young_person_for_involvement_request,
    young_person_get_visible_to,
    young_person_has_involvement,
    young_person_list_changeable_by,
)
from .services import (
    break_glass_open,
    involvement_end,
    involvement_request_create,
    involvement_request_decide,
    involvement_start,
    person_of_concern_create,
    young_person_create,
)


def young_person_restricted(request: HttpRequest, reference: str) -> HttpResponse:
    """The record exists but the user has no involvement: say how to share what they know or ask
    to be involved, and nothing more (not even which agencies are involved)."""
    access_refused(request, object_type="people.youngperson", object_id=reference)
    involved = young_person_has_involvement(reference=reference)
    if involved is None:
        raise Http404("No young person has that reference")
    return render(
        request,
        "people/young_person_restricted.html",
        {"reference": reference_normalise(reference), "involved": involved},
        status=403,
    )


@login_required
@permission_required("people.add_youngperson", raise_exception=True)
@require_http_methods(["GET", "POST"])
def young_person_new(request: HttpRequest) -> HttpResponse:
    kwargs = {
        "places": place_list_visible_to(user=request.user),
        "wards": ward_list_visible_to(user=request.user),
    }
    form = YoungPersonForm(request.POST if request.method == "POST" else None, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            person = young_person_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            label = young_person_shown(user=request.user, young_person=person).label
            messages.success(request, f"{label} added as {person.reference}")
            return redirect("young-person-detail", reference=person.reference)
    return render(request, "people/young_person_form.html", {"form": form})


@login_required
@permission_required("people.add_personofconcern", raise_exception=True)
@require_http_methods(["GET", "POST"])
def person_of_concern_new(request: HttpRequest) -> HttpResponse:
    form = PersonOfConcernForm(request.POST if request.method == "POST" else None)
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
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
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
        access_refused(request, object_type="people.youngperson", object_id=reference)
        raise Http404("No young person you may see has that reference") from None
    audit_reads(actor=request.user, objs=[person], what="access_log")
    return render(
        request,
        "people/young_person_access.html",
        {
            "person": person,
            "events": access_log_for(user=request.user, young_person=person)[:500],
            "involvements": involvement_list_for(user=request.user, young_person=person),
        },
    )


def _managed_young_person(request: HttpRequest, reference: str) -> YoungPerson:
    """A young person whose involvements the user may manage: their own agency is involved."""
    person = (
        young_person_list_changeable_by(user=request.user)
        .filter(reference=reference_normalise(reference))
        .first()
    )
    if person is None:
        raise Http404("No young person whose involvements you may manage has that reference")
    return person


@login_required
@permission_required("people.manage_involvement", raise_exception=True)
@require_http_methods(["GET", "POST"])
def involvement_new(request: HttpRequest, reference: str) -> HttpResponse:
    person = _managed_young_person(request, reference)
    form = InvolvementForm(
        request.POST if request.method == "POST" else None,
        agencies=agency_list_visible_to(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        worker = None
        if data["worker"]:
            worker = user_active_in_agency(agency=data["agency"], username=data["worker"])
            if worker is None:
                form.add_error("worker", "There is no active user with that username in the agency")
                form.mark_errors()
        if not form.errors and data["agency"].pk == getattr(request.user, "agency_id", None):
            # The manager's own agency, or a worker in it: theirs to start.
            involvement_start(
                actor=request.user,
                agency=data["agency"],
                young_person=person,
                worker=worker,
                source=InvolvementSource.ALLOCATION if worker else InvolvementSource.MANAGER,
                purpose=data["purpose"],
                lawful_basis=data["lawful_basis"],
            )
            messages.success(request, f"{data['agency']} is now involved with {person.reference}")
            return redirect("young-person-access", reference=person.reference)
        if not form.errors and worker is not None:
            form.add_error("worker", "Allocate a worker only in your own agency")
            form.mark_errors()
        if not form.errors:
            # Another agency: it is asked, and its manager accepts or declines.
            try:
                involvement_request_create(
                    actor=request.user,
                    young_person=person,
                    agency=data["agency"],
                    purpose=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{data['agency']} has been asked to become involved with {person.reference}; "
                    "a manager there will accept or decline",
                )
                return redirect("young-person-access", reference=person.reference)
    return render(request, "people/involvement_form.html", {"form": form, "person": person})


@login_required
@permission_required("people.manage_involvement", raise_exception=True)
@require_http_methods(["GET", "POST"])
def involvement_end_view(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = _managed_young_person(request, reference)
    # A manager ends only their own agency's involvements.
    involvement = (
        involvement_list_for(user=request.user, young_person=person)
        .active()
        .filter(pk=pk, agency_id=getattr(request.user, "agency_id", None) or 0)
        .first()
    )
    if involvement is None:
        raise Http404("No active involvement of your agency with that id")
    form = InvolvementEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_end(
                actor=request.user, involvement=involvement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{involvement.agency}'s involvement has ended")
            return redirect("young-person-access", reference=person.reference)
    return render(
        request,
        "people/involvement_end.html",
        {"form": form, "person": person, "involvement": involvement},
    )


@login_required
@permission_required("people.add_involvementrequest", raise_exception=True)
@require_http_methods(["GET", "POST"])
def involvement_request_new(request: HttpRequest, reference: str) -> HttpResponse:
    """Ask for the user's agency to become involved: the page shows the reference only."""
    person = young_person_for_involvement_request(user=request.user, reference=reference)
    if person is None:
        raise Http404("No young person has that reference")
    form = InvolvementRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            involvement_request_create(
                actor=request.user,
                young_person=person,
                purpose=form.cleaned_data["purpose"],
                lawful_basis=form.cleaned_data["lawful_basis"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                f"Your request to be involved with {person.reference} has been sent to the "
                "agencies involved",
            )
            return redirect("dashboard")
    return render(
        request,
        "people/involvement_request_form.html",
        {"form": form, "reference": person.reference},
    )


@login_required
@require_http_methods(["GET", "POST"])
def involvement_request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A request to read, and to accept or decline for a manager who may decide it."""
    found = involvement_request_list_visible_to(user=request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No involvement request you may see has that number")
    may_decide = involvement_request_may_decide(user=request.user, request=found)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied("You may not decide on this request")
        if form.is_valid():
            accept = form.cleaned_data["decision"] == "accept"
            try:
                involvement_request_decide(
                    actor=request.user,
                    request=found,
                    accept=accept,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"{found.agency} is now involved with {found.young_person.reference}"
                    if accept
                    else f"Request for {found.agency} declined",
                )
                return redirect("dashboard")
    audit_reads(actor=request.user, objs=[found])
    # Who decided is named only to their own agency: to the agency that asked, a worker's name
    # would say which agency works with the young person.
    decider = found.decided_by
    decider_shown = decider is not None and decider.agency_id == getattr(
        request.user, "agency_id", None
    )
    return render(
        request,
        "people/involvement_request_detail.html",
        {
            "form": form,
            "involvement_request": found,
            "may_decide": may_decide,
            "decider_shown": decider_shown,
        },
    )
