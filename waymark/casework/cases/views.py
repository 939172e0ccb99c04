"""Web pages of context cases: the list, the case page with its task list, and the forms of the
lifecycle (referral, screening, transfer, links, reviews, closure) and of online spaces.

Thin: services write, selectors read. Cases are seen across the partnership; the children
linked to a case are named only through the naming primitive.
"""

import datetime
from dataclasses import dataclass
from typing import Any

import h3
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from waymark.accounts.refusals import access_refused
from waymark.casework.assessments.selectors import assessments_section_for
from waymark.casework.models import CaseStatus, ContextCase, SubjectKind
from waymark.casework.outcomes.selectors import outcomes_section_for
from waymark.casework.plans.selectors import plan_section_for
from waymark.concerns.selectors import concern_list_for_place
from waymark.contexts.models import OnlineSpace, PeerGroup, Place, Ward
from waymark.contexts.peer_groups.selectors import peer_group_get_visible_to
from waymark.contexts.places.selectors import place_list_visible_to
from waymark.core.forms import form_add_service_errors
from waymark.core.references import reference_normalise
from waymark.core.suppression import count_shown, count_text
from waymark.people.selectors import young_person_get_for_recording

from .forms import (
    CaseFilterForm,
    CaseLinkForm,
    CloseForm,
    OnlineSpaceForm,
    ReferralForm,
    ReviewForm,
    ScreeningForm,
    TransferForm,
)
from .selectors import (
    context_case_get_visible_to,
    context_case_list_visible_to,
    referral_evidence_for,
)
from .selectors import linked_children_shown as linked_children_for
from .services import (
    case_link_add,
    context_case_close,
    context_case_lead_check,
    context_case_refer,
    context_case_screen,
    context_case_transfer,
    online_space_create,
    review_record,
)

PAGE_SIZE = 25
VIEW = "casework.view_contextcase"
ADD = "casework.add_contextcase"
CHANGE = "casework.change_contextcase"


def _case_or_404(request: HttpRequest, reference: str) -> ContextCase:
    try:
        return context_case_get_visible_to(user=request.user, reference=reference)
    except ObjectDoesNotExist:
        access_refused(request, object_type="casework.contextcase", object_id=reference)
        raise Http404("No context case has that reference") from None


def _subject_url(case: ContextCase) -> str:
    if case.place_id is not None:
        return reverse("place-detail", args=[case.place_id])
    if case.peer_group is not None:
        return reverse("peer-group-saved", args=[case.peer_group.reference])
    if case.online_space is not None:
        return reverse("online-space-detail", args=[case.online_space.reference])
    return ""


@login_required
@permission_required(VIEW, raise_exception=True)
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    cases = context_case_list_visible_to(user=request.user).order_by("-created_at", "-id")
    today = timezone.localdate()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        for name in ("status", "subject_kind", "threshold", "lead_agency"):
            if data[name]:
                cases = cases.filter(**{name: data[name]})
        if data["overdue"]:
            cases = cases.filter(status=CaseStatus.OPEN, next_review_on__lt=today)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "casework/cases/case_list.html",
        {"form": form, "page": page, "today": today, "filter_query": query.urlencode()},
    )


@dataclass(frozen=True)
class Task:
    name: str
    url: str
    status: str
    colour: str = ""  # a GOV.UK tag modifier; blank for "Completed" (plain text)


def _tasks(case: ContextCase, *, assessments: int, has_plan: bool, reviews: int) -> list[Task]:
    ref = case.reference
    screened = hasattr(case, "screening")
    ended = case.status in (CaseStatus.CLOSED, CaseStatus.NO_FURTHER_ACTION)
    today = timezone.localdate()
    tasks = [
        Task("Referral", "#referral", "Completed"),
        Task(
            "Screening",
            "#screening" if screened else reverse("case-screen", args=[ref]),
            "Completed" if screened else "Not yet started",
            "" if screened else "blue",
        ),
    ]
    if not screened or case.status == CaseStatus.NO_FURTHER_ACTION:
        blocked = "No further action" if case.status == CaseStatus.NO_FURTHER_ACTION else ""
        later = blocked or "Cannot start yet"
        tasks += [
            Task(name, "", later, "grey")
            for name in ("Assessment", "Context plan", "Reviews", "Outcomes", "Closure")
        ]
        return tasks
    tasks.append(
        Task(
            "Assessment",
            "#assessments",
            f"{assessments} recorded" if assessments else "Not yet started",
            "" if assessments else "blue",
        )
    )
    tasks.append(
        Task(
            "Context plan",
            "#plan",
            "Completed" if has_plan else "Not yet started",
            "" if has_plan else "blue",
        )
    )
    if not has_plan:
        tasks.append(Task("Reviews", "", "Cannot start yet", "grey"))
    elif case.next_review_on and case.next_review_on < today and not ended:
        tasks.append(Task("Reviews", "#reviews", "Overdue", "red"))
    else:
        tasks.append(
            Task(
                "Reviews",
                "#reviews",
                f"{reviews} held" if reviews else "Not yet started",
                "" if reviews else "blue",
            )
        )
    tasks.append(
        Task(
            "Outcomes",
            "#outcomes" if has_plan else "",
            "Available" if has_plan else "Cannot start yet",
            "" if has_plan else "grey",
        )
    )
    tasks.append(
        Task(
            "Closure",
            "#closure" if ended else reverse("case-close", args=[ref]),
            "Completed" if ended else "Not yet started",
            "" if ended else "blue",
        )
    )
    return tasks


def _page_number(request: HttpRequest, name: str) -> int:
    """A page number from the query string; anything else is the first page."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < len(value) < 6 else 1


@login_required
@permission_required(VIEW, raise_exception=True)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_or_404(request, reference)
    case = (
        ContextCase.objects.filter(pk=case.pk)
        .select_related(
            "place",
            "peer_group",
            "online_space",
            "neighbourhood__ward",
            "lead_agency",
            "lead_worker",
            "referral__referred_by",
            "referral__referring_agency",
            "referral__peer_group",
            "screening__decided_by",
        )
        .annotate(assessment_count=Count("assessments", distinct=True))
        .get()
    )
    referral = getattr(case, "referral", None)
    evidence = referral_evidence_for(user=request.user, case=case)
    reviews = list(case.reviews.select_related("reviewed_by").order_by("-held_on", "-id"))
    plan = getattr(case, "plan", None)
    assessment_count: int = getattr(case, "assessment_count", 0)
    return render(
        request,
        "casework/cases/case_detail.html",
        {
            "case": case,
            "subject_url": _subject_url(case),
            "referral": referral,
            "screening": getattr(case, "screening", None),
            "evidence": evidence.concerns,
            "evidence_hidden": count_text(count_shown(evidence.hidden)) if evidence.hidden else "",
            "transfers": case.transfers.select_related(
                "from_agency", "from_worker", "to_agency", "to_worker"
            ),
            "reviews": reviews,
            "tasks": _tasks(
                case, assessments=assessment_count, has_plan=plan is not None, reviews=len(reviews)
            ),
            "linked": linked_children_for(
                user=request.user, case=case, page=_page_number(request, "linked_page")
            ),
            "today": timezone.localdate(),
            "open": case.status in (CaseStatus.REFERRED, CaseStatus.OPEN),
            "assessments_section": assessments_section_for(user=request.user, case=case),
            "plan_section": plan_section_for(user=request.user, case=case),
            "outcomes_section": outcomes_section_for(user=request.user, case=case),
        },
    )


# Referral.


@dataclass
class Subject:
    kind: str
    label: str
    place: Place | None = None
    peer_group: PeerGroup | None = None
    online_space: OnlineSpace | None = None
    ward: Ward | None = None
    cells: tuple[str, ...] = ()
    area_evidence: dict[str, Any] | None = None


def _float(value: str | None) -> float | None:
    try:
        return round(float(value), 3) if value not in (None, "") else None  # type: ignore[arg-type]
    except ValueError:
        return None


def _date(value: str | None) -> str:
    try:
        return datetime.date.fromisoformat(value or "").isoformat()
    except ValueError:
        return ""


def _subject_from_query(request: HttpRequest, params: QueryDict) -> Subject:
    """What is referred, from the page the referral started on."""
    user = request.user
    query: dict[str, str] = {k: str(params.get(k) or "") for k in params}
    try:
        if query.get("place"):
            place = place_list_visible_to(user=user).get(pk=int(query["place"]))
            kind = "School" if place.kind == "school" else "Place"
            return Subject(SubjectKind.PLACE, f"{kind}: {place.name}", place=place)
        if query.get("peer_group"):
            group = peer_group_get_visible_to(user=user, reference=query["peer_group"])
            return Subject(SubjectKind.PEER_GROUP, f"Peer group: {group.name}", peer_group=group)
        if query.get("online_space"):
            space = OnlineSpace.objects.get(reference=reference_normalise(query["online_space"]))
            return Subject(SubjectKind.ONLINE_SPACE, f"Online space: {space}", online_space=space)
        if query.get("ward"):
            ward = Ward.objects.get(pk=int(query["ward"]))
            return Subject(SubjectKind.NEIGHBOURHOOD, f"Ward: {ward.name}", ward=ward)
    except (ObjectDoesNotExist, ValueError):
        raise Http404("Nothing to refer has that reference") from None
    cell = (query.get("cell") or "").lower()
    if cell and h3.is_valid_cell(cell):
        cells = tuple(sorted({cell, *h3.grid_ring(cell, 1)}))
        evidence: dict[str, Any] = {
            "cells": list(cells),
            "resolution": h3.get_resolution(cell),
            "period": {"from": _date(query.get("from")), "to": _date(query.get("to"))},
            "gi_z": _float(query.get("z")),
            "emerging_category": (query.get("emerging") or "")[:60],
        }
        if "concerns" in query:
            # The area page's published count: a number, or withheld ("fewer than 5": None).
            concerns = query.get("concerns", "")
            evidence["concern_count"] = int(concerns) if concerns.isdigit() else None
        return Subject(
            SubjectKind.NEIGHBOURHOOD,
            f"The area {cell} and the areas next to it",
            cells=cells,
            area_evidence=evidence,
        )
    raise Http404("Start a referral from the page of a place, a peer group, an area or a space")


@login_required
@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_refer(request: HttpRequest) -> HttpResponse:
    subject = _subject_from_query(request, request.GET)
    concern_choices: list[tuple[str, str]] = []
    concerns: dict[str, Any] = {}
    if subject.place is not None:
        for concern in concern_list_for_place(user=request.user, place=subject.place)[:30]:
            concerns[str(concern.pk)] = concern
            concern_choices.append(
                (str(concern.pk), f"{concern.reference}, {concern.occurred_on:%-d %B %Y}")
            )
    form = ReferralForm(
        request.POST if request.method == "POST" else None,
        concern_choices=concern_choices,
        neighbourhood=subject.kind == SubjectKind.NEIGHBOURHOOD,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = context_case_refer(
                actor=request.user,
                subject_kind=subject.kind,
                place=subject.place,
                peer_group=subject.peer_group,
                online_space=subject.online_space,
                ward=subject.ward,
                cells=subject.cells,
                neighbourhood_name=data.get("neighbourhood_name", ""),
                reason=data["reason"],
                source=data["source"],
                reliability=data["reliability"],
                concerns=[concerns[pk] for pk in data.get("concerns", []) if pk in concerns],
                area_evidence=subject.area_evidence,
                peer_group_evidence=subject.peer_group,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Context referred as case {case.reference}")
            return redirect("case-detail", reference=case.reference)
    return render(
        request,
        "casework/cases/case_refer.html",
        {"form": form, "subject": subject},
    )


# The steps of a case.


def _step(
    request: HttpRequest,
    reference: str,
    *,
    form_class: type,
    title: str,
    button: str,
    save: Any,
    done: str,
    form_kwargs: dict[str, Any] | None = None,
    lead_only: str = "",
) -> HttpResponse:
    case = _case_or_404(request, reference)
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    if lead_only:
        try:
            context_case_lead_check(actor=request.user, case=case, what=lead_only)
        except PermissionDenied as exc:
            return render(
                request,
                "casework/cases/case_step.html",
                {"case": case, "title": title, "refused": str(exc)},
                status=403,
            )
    form = form_class(request.POST if request.method == "POST" else None, **(form_kwargs or {}))
    if request.method == "POST" and form.is_valid():
        try:
            save(case, form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("case-detail", reference=case.reference)
    return render(
        request,
        "casework/cases/case_step.html",
        {"case": case, "form": form, "title": title, "button": button},
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_screen(request: HttpRequest, reference: str) -> HttpResponse:
    return _step(
        request,
        reference,
        form_class=ScreeningForm,
        title="Screen the referral",
        lead_only="screen it",
        button="Record the decision",
        save=lambda case, d: context_case_screen(
            actor=request.user, case=case, decision=d["decision"], reason=d["reason"]
        ),
        done="Screening decision recorded",
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    return _step(
        request,
        reference,
        form_class=TransferForm,
        title="Transfer the lead",
        lead_only="transfer it",
        button="Transfer",
        save=lambda case, d: context_case_transfer(
            actor=request.user,
            case=case,
            to_agency=d["to_agency"],
            to_worker=d["to_worker"],
            reason=d["reason"],
        ),
        done="Lead transferred",
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_link_new(request: HttpRequest, reference: str) -> HttpResponse:
    def save(case: ContextCase, data: dict[str, Any]) -> None:
        try:
            # Linking is recording, not reading: the young person stays shown by reference.
            person = young_person_get_for_recording(
                user=request.user, reference=data["young_person"]
            )
        except ObjectDoesNotExist:
            raise ValidationError(
                {"young_person": ["There is no young person with that reference"]}
            ) from None
        case_link_add(actor=request.user, case=case, young_person=person, reason=data["reason"])

    return _step(
        request,
        reference,
        form_class=CaseLinkForm,
        title="Link a young person to this context",
        button="Link",
        save=save,
        done="Young person linked",
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_review_new(request: HttpRequest, reference: str) -> HttpResponse:
    return _step(
        request,
        reference,
        form_class=ReviewForm,
        title="Record a review",
        lead_only="record its reviews",
        button="Record the review",
        save=lambda case, d: review_record(
            actor=request.user,
            case=case,
            held_on=d["held_on"],
            summary=d["summary"],
            next_review_on=d["next_review_on"],
        ),
        done="Review recorded",
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def case_close(request: HttpRequest, reference: str) -> HttpResponse:
    return _step(
        request,
        reference,
        form_class=CloseForm,
        title="Close the case",
        lead_only="close it",
        button="Close the case",
        save=lambda case, d: context_case_close(actor=request.user, case=case, reason=d["reason"]),
        done="Case closed",
    )


# Online spaces.


@login_required
@permission_required("contexts.add_onlinespace", raise_exception=True)
@require_http_methods(["GET", "POST"])
def online_space_new(request: HttpRequest) -> HttpResponse:
    form = OnlineSpaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            space = online_space_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{space} recorded")
            return redirect("online-space-detail", reference=space.reference)
    return render(request, "casework/cases/online_space_form.html", {"form": form})


@login_required
@permission_required("contexts.view_onlinespace", raise_exception=True)
def online_space_detail(request: HttpRequest, reference: str) -> HttpResponse:
    space = (
        OnlineSpace.objects.select_related("created_by_agency")
        .filter(reference=reference_normalise(reference))
        .first()
    )
    if space is None:
        raise Http404("No online space has that reference")
    cases = context_case_list_visible_to(user=request.user).filter(online_space=space)
    return render(
        request,
        "casework/cases/online_space_detail.html",
        {"space": space, "cases": cases},
    )
