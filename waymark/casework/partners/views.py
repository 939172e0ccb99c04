"""Web pages of the partner register. Thin: the services write, the selectors read.

A partner's page shows its contacts, and each showing is written to the audit trail. A partner's
actions print as one page, and download as CSV with the same columns, for the agency that works
with the partner to hand on.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from waymark.casework.models import Partner
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.csv_export import csv_safe_text
from waymark.core.forms import form_add_service_errors

from .forms import (
    GuardianshipForm,
    PartnerContactForm,
    PartnerFilterForm,
    PartnerForm,
    TrainingRecordForm,
)
from .selectors import (
    ACTION_COLUMNS,
    CONTACT_PERMISSION,
    guardianship_list_for,
    partner_actions,
    partner_actions_export,
    partner_contacts_read,
    partner_list_visible_to,
    partner_search,
    refresh_state,
    training_list_for,
)
from .services import (
    guardianship_add,
    partner_contact_add,
    partner_create,
    partner_update,
    training_record_add,
)

# The partner's page lists this many of its actions; the actions page lists them all.
ACTIONS_SHOWN = 10


def _partner(request: HttpRequest, pk: int) -> Partner:
    partner = partner_list_visible_to(user=request.user).filter(pk=pk).first()
    if partner is None:
        raise Http404("No partner with that id")
    return partner


def _may_change(request: HttpRequest, partner: Partner) -> bool:
    user: Any = request.user
    return bool(user.has_perm("casework.change_partner") and user.agency_id == partner.agency_id)


def _changeable(request: HttpRequest, pk: int) -> Partner:
    partner = _partner(request, pk)
    if not _may_change(request, partner):
        raise PermissionDenied(f"Only {partner.agency} may change {partner.name}")
    return partner


@login_required
@permission_required("casework.view_partner", raise_exception=True)
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    form = PartnerFilterForm(request.GET or None)
    query = kind = ""
    if form.is_valid():
        query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    partners = partner_search(user=request.user, query=query, kind=kind)
    return render(
        request,
        "casework/partners/partner_list.html",
        {"form": form, "partners": partners, "filtered": bool(query or kind)},
    )


@login_required
@permission_required("casework.add_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_new(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partner_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{partner.name} added to the partner register")
            return redirect("partner-detail", pk=partner.pk)
    return render(
        request,
        "casework/partners/partner_form.html",
        {"form": form, "title": "Add a partner", "button": "Add partner"},
    )


@login_required
@permission_required("casework.change_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    initial = {"name": partner.name, "kind": partner.kind, "notes": partner.notes}
    form = PartnerForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            partner_update(actor=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{partner.name} updated")
            return redirect("partner-detail", pk=partner.pk)
    return render(
        request,
        "casework/partners/partner_form.html",
        {
            "form": form,
            "partner": partner,
            "title": f"Change {partner.name}",
            "button": "Save changes",
        },
    )


@login_required
@permission_required("casework.view_partner", raise_exception=True)
@require_GET
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    today = timezone.localdate()
    training = [(t, refresh_state(t, today=today)) for t in training_list_for(partner=partner)]
    actions = list(partner_actions(partner=partner)[: ACTIONS_SHOWN + 1])
    return render(
        request,
        "casework/partners/partner_detail.html",
        {
            "partner": partner,
            "may_change": _may_change(request, partner),
            "may_see_contacts": request.user.has_perm(CONTACT_PERMISSION),
            "contacts": partner_contacts_read(
                user=request.user, partner=partner, purpose=f"Partner page {request.path}"
            ),
            "guardianships": guardianship_list_for(partner=partner),
            "training": training,
            "actions": actions[:ACTIONS_SHOWN],
            "more_actions": len(actions) > ACTIONS_SHOWN,
        },
    )


def _partner_form_page(
    request: HttpRequest,
    partner: Partner,
    form: Form,
    *,
    title: str,
    button: str,
    save: Any,
    done: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("partner-detail", pk=partner.pk)
    return render(
        request,
        "casework/partners/partner_part_form.html",
        {"form": form, "partner": partner, "title": title, "button": button},
    )


@login_required
@permission_required("casework.change_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    return _partner_form_page(
        request,
        partner,
        PartnerContactForm(request.POST if request.method == "POST" else None),
        title=f"Add a contact at {partner.name}",
        button="Add contact",
        save=lambda data: partner_contact_add(actor=request.user, partner=partner, **data),
        done="Contact added",
    )


@login_required
@permission_required("casework.change_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_guardianship_new(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    return _partner_form_page(
        request,
        partner,
        GuardianshipForm(
            request.POST if request.method == "POST" else None,
            places=place_list_visible_to(user=request.user).order_by("name"),
        ),
        title=f"Add a place {partner.name} is a guardian of",
        button="Add place",
        save=lambda data: guardianship_add(actor=request.user, partner=partner, **data),
        done="Place added",
    )


@login_required
@permission_required("casework.change_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_training_new(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _changeable(request, pk)
    return _partner_form_page(
        request,
        partner,
        TrainingRecordForm(request.POST if request.method == "POST" else None),
        title=f"Record training at {partner.name}",
        button="Record training",
        save=lambda data: training_record_add(actor=request.user, partner=partner, **data),
        done="Training recorded",
    )


@login_required
@permission_required(("casework.view_partner", "casework.view_contextcase"), raise_exception=True)
@require_GET
def partner_actions_page(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    return render(
        request,
        "casework/partners/partner_actions.html",
        {
            "partner": partner,
            "columns": ACTION_COLUMNS,
            "actions": partner_actions(partner=partner),
            "today": timezone.localdate(),
        },
    )


@login_required
@permission_required(("casework.view_partner", "casework.view_contextcase"), raise_exception=True)
@require_GET
def partner_actions_csv(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request, pk)
    rows = partner_actions_export(user=request.user, partner=partner)
    # With a byte-order mark, so that spreadsheet programs read it as UTF-8.
    response = HttpResponse(
        "\ufeff" + csv_safe_text(ACTION_COLUMNS, rows), content_type="text/csv; charset=utf-8"
    )
    filename = f"partner-{partner.pk}-actions-{timezone.localdate().isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
