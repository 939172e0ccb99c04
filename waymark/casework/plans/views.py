"""Context plan pages: agree the plan, add goals, actions and measures, record progress.
Thin: the services and selectors do the work. Each page returns to the plan page."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from waymark.core.forms import form_add_service_errors

from ..assessments.views import case_or_404
from ..models import Action, ContextCase, ContextPlan, Goal
from .forms import ActionForm, ActionUpdateForm, GoalForm, MeasureForm, PlanForm, PlanSummaryForm
from .selectors import finding_choices_for_case, plan_get_for_case, plan_section_for
from .services import (
    action_add,
    action_update,
    context_plan_create,
    context_plan_update,
    goal_add,
    goal_measure_record,
)

CHANGE = "casework.change_contextcase"


def _plan_or_404(request: HttpRequest, case: ContextCase) -> ContextPlan:
    plan = plan_get_for_case(user=request.user, case=case)
    if plan is None:
        raise Http404("This case has no context plan yet")
    return plan


def _back(case: ContextCase) -> HttpResponse:
    return redirect("case-plan", reference=case.reference)


@login_required
@permission_required("casework.view_contextcase", raise_exception=True)
@require_http_methods(["GET", "POST"])
def plan_page(request: HttpRequest, reference: str) -> HttpResponse:
    """The plan, and the form that agrees it (or changes its summary)."""
    case = case_or_404(request, reference)
    plan = plan_get_for_case(user=request.user, case=case)
    form: PlanForm | PlanSummaryForm
    if plan is None:
        form = PlanForm(request.POST if request.method == "POST" else None)
    else:
        form = PlanSummaryForm(
            request.POST if request.method == "POST" else None, initial={"summary": plan.summary}
        )
    if request.method == "POST":
        if not request.user.has_perm(CHANGE):
            raise PermissionDenied
        if form.is_valid():
            try:
                if plan is None:
                    context_plan_create(actor=request.user, case=case, **form.cleaned_data)
                    messages.success(request, "Context plan agreed")
                else:
                    context_plan_update(actor=request.user, plan=plan, **form.cleaned_data)
                    messages.success(request, "Plan summary saved")
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return _back(case)
    return render(
        request,
        "casework/plans/plan.html",
        {
            "case": case,
            "form": form,
            "plan_section": plan_section_for(user=request.user, case=case),
        },
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference)
    plan = _plan_or_404(request, case)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        case=case,
        findings=finding_choices_for_case(case=case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            goal_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Goal added")
            return _back(case)
    return render(
        request,
        "casework/plans/form.html",
        {"case": case, "form": form, "title": "Add a goal", "button": "Add goal"},
    )


def _goal_form_page(
    request: HttpRequest,
    reference: str,
    pk: int,
    *,
    form_class: type[ActionForm] | type[MeasureForm],
    save: Callable[..., object],
    done: str,
    title: str,
    button: str,
) -> HttpResponse:
    """A form that adds something to one goal of the case's plan (an action, a measure)."""
    case = case_or_404(request, reference)
    plan = _plan_or_404(request, case)
    goal = Goal.objects.filter(plan=plan, pk=pk).first()
    if goal is None:
        raise Http404("This plan has no goal with that id")
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return _back(case)
    return render(
        request,
        "casework/plans/form.html",
        {"case": case, "form": form, "goal": goal, "title": title, "button": button},
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def action_new(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _goal_form_page(
        request,
        reference,
        pk,
        form_class=ActionForm,
        save=action_add,
        done="Action added",
        title="Add an action",
        button="Add action",
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def action_update_page(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference)
    plan = _plan_or_404(request, case)
    action = Action.objects.select_related("goal__plan").filter(goal__plan=plan, pk=pk).first()
    if action is None:
        raise Http404("This plan has no action with that id")
    form = ActionUpdateForm(
        request.POST if request.method == "POST" else None,
        initial={
            "status": action.status,
            "evidence": action.evidence,
            "completed_on": action.completed_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_update(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Action updated")
            return _back(case)
    return render(
        request,
        "casework/plans/form.html",
        {
            "case": case,
            "form": form,
            "action": action,
            "goal": action.goal,
            "title": "Update an action",
            "button": "Save",
        },
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "POST"])
def measure_new(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _goal_form_page(
        request,
        reference,
        pk,
        form_class=MeasureForm,
        save=goal_measure_record,
        done="Measure recorded",
        title="Record a measure",
        button="Record measure",
    )
