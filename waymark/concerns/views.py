"""Record a concern: a question page, a check-answers page, then the concern itself."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.accounts.refusals import access_refused
from waymark.audit.reads import audit_reads
from waymark.core.forms import form_add_service_errors
from waymark.core.models import Reliability
from waymark.people.forms import DecisionForm
from waymark.people.naming import people_shown, persons_of_concern_shown

from .drafts import concern_draft_delete, concern_draft_get, concern_draft_save
from .forms import ConcernForm
from .models import AssociationKind, InvolvementRole
from .selectors import (
    association_list_held_for_review_by,
    concern_get_visible_to,
    concern_notice_list_visible_to,
)
from .services import association_review, concern_notice_dismiss, concern_record
from .taxonomy import INDICATOR_LABELS, RiskCategory

# The session holds the number of the user's draft (waymark.concerns.drafts), never its answers.
DRAFT_KEY = "concern_draft_id"


def _draft_id(request: HttpRequest) -> int | None:
    value = request.session.get(DRAFT_KEY)
    return value if isinstance(value, int) else None


@login_required
@permission_required("concerns.add_concern", raise_exception=True)
@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ConcernForm(request.POST, user=request.user)
        if form.is_valid():
            answers = {
                k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"
            }
            request.session[DRAFT_KEY] = concern_draft_save(
                user=request.user,
                answers=answers,
                draft_id=_draft_id(request),
            )
            return redirect("concern-check")
    else:
        draft = (
            concern_draft_get(user=request.user, draft_id=_draft_id(request))
            if request.GET.get("change")
            else None
        )
        if draft:
            form = ConcernForm(_as_querydict(draft), user=request.user)
            form.is_valid()
        else:
            concern_draft_delete(user=request.user, draft_id=_draft_id(request))
            request.session.pop(DRAFT_KEY, None)
            initial: dict[str, Any] = {}
            if request.GET.get("young_person"):
                initial["yp_1"] = request.GET["young_person"]
            if request.GET.get("place"):
                initial["place"] = request.GET["place"]
            form = ConcernForm(user=request.user, initial=initial)
    return render(request, "concerns/concern_form.html", {"form": form})


def _as_querydict(draft: dict[str, list[str]]) -> Any:
    qd = QueryDict(mutable=True)
    for k, values in draft.items():
        qd.setlist(k, values)
    return qd


@login_required
@permission_required("concerns.add_concern", raise_exception=True)
@require_http_methods(["GET", "POST"])
def concern_check(request: HttpRequest) -> HttpResponse:
    draft = concern_draft_get(user=request.user, draft_id=_draft_id(request))
    if not draft:
        request.session.pop(DRAFT_KEY, None)
        return redirect("concern-new")
    form = ConcernForm(_as_querydict(draft), user=request.user)
    if not form.is_valid() or form.input is None:
        # Something changed since the answers were given (a record was removed, say).
        return render(request, "concerns/concern_form.html", {"form": form})
    if request.method == "POST":
        try:
            concern = concern_record(actor=request.user, data=form.input)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            return render(request, "concerns/concern_form.html", {"form": form})
        # In the concern's own transaction (ATOMIC_REQUESTS): recorded, the draft is gone.
        concern_draft_delete(user=request.user, draft_id=_draft_id(request))
        del request.session[DRAFT_KEY]
        messages.success(request, f"Concern {concern.reference} recorded")
        return redirect("concern-detail", reference=concern.reference)
    return render(request, "concerns/concern_check.html", _check_context(form))


def _check_context(form: ConcernForm) -> dict[str, Any]:
    data = form.input
    assert data is not None  # noqa: S101 - called only once the form is valid
    n_people = len(data.young_people)
    shown = people_shown(user=form.user, young_people=[p for p, _ in data.young_people])
    pocs = persons_of_concern_shown(user=form.user, persons=data.persons_of_concern)
    return {
        "form": form,
        "data": data,
        "yp_rows": [(shown[p.pk], InvolvementRole(r).label.lower()) for p, r in data.young_people],
        "poc_rows": [pocs[p.pk] for p in data.persons_of_concern],
        "risk_rows": [
            (
                RiskCategory(cat).label,
                [INDICATOR_LABELS[cat].get(i, i) for i in indicators],
            )
            for cat, indicators in data.risks.items()
        ],
        "link_count": n_people * (n_people - 1) // 2 + n_people * len(data.persons_of_concern),
        "link_kind": AssociationKind(data.link_kind).label.lower(),
        "link_reliability": Reliability(data.link_reliability).label,
    }


@login_required
def concern_detail(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        concern = concern_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        access_refused(request, object_type="concerns.concern", object_id=reference)
        raise Http404("No concern you may see has that reference") from None
    audit_reads(actor=request.user, objs=[concern])
    return render(request, "concerns/concern_detail.html", {"concern": concern})


@login_required
@require_http_methods(["POST"])
def concern_notice_dismiss_view(request: HttpRequest, pk: int) -> HttpResponse:
    notice = concern_notice_list_visible_to(user=request.user).filter(pk=pk).first()
    if notice is None:
        raise Http404("No notice for your agency has that number")
    try:
        concern_notice_dismiss(actor=request.user, notice=notice)
    except (PermissionDenied, ValidationError):
        raise Http404("No notice for your agency has that number") from None
    messages.success(request, f"Notice about {notice.young_person.reference} dismissed")
    return redirect("dashboard")


@login_required
@permission_required("concerns.review_association", raise_exception=True)
@require_http_methods(["GET", "POST"])
def association_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A link held for review: accept it (it takes effect now) or reject it, with a reason."""
    link = association_list_held_for_review_by(user=request.user).filter(pk=pk).first()
    if link is None:
        raise Http404("No link held for your agency's review has that number")
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            association_review(
                actor=request.user, association=link, accept=accept, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, "Link accepted: it now takes effect" if accept else "Link rejected"
            )
            return redirect("dashboard")
    audit_reads(actor=request.user, objs=[link])
    return render(request, "concerns/association_review.html", {"form": form, "link": link})
