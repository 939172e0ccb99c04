"""Reads of the context plan: its goals with the findings they come from, its actions with
their owners, and each goal's indicator over time (re-assessment ratings and measures)."""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from waymark.accounts.types import Actor

from ..assessments.selectors import VIEW_PERMISSION, rating_label
from ..assessments.services import case_closed_error, instrument_for, is_lead_agency_worker
from ..models import (
    Action,
    ActionStatus,
    AssessmentArea,
    ContextCase,
    ContextPlan,
    Goal,
    GoalMeasure,
    OwnerKind,
)


def plan_get_for_case(*, user: Actor, case: ContextCase) -> ContextPlan | None:
    if not user.has_perm(VIEW_PERMISSION):
        return None
    return ContextPlan.objects.filter(case=case).first()


def goal_list_for_plan(*, plan: ContextPlan) -> QuerySet[Goal]:
    actions = Action.objects.select_related("owner_agency", "owner_worker", "owner_partner")
    return (
        Goal.objects.filter(plan=plan)
        .select_related("finding__assessment")
        .prefetch_related(
            Prefetch("actions", queryset=actions.order_by("due_on", "id")),
            Prefetch("measures", queryset=GoalMeasure.objects.order_by("measured_on", "id")),
        )
        .order_by("id")
    )


def action_list_for_case(*, user: Actor, case: ContextCase) -> QuerySet[Action]:
    if not user.has_perm(VIEW_PERMISSION):
        return Action.objects.none()
    return (
        Action.objects.filter(goal__plan__case=case)
        .select_related("goal", "owner_agency", "owner_worker", "owner_partner")
        .order_by("due_on", "id")
    )


def finding_choices_for_case(*, case: ContextCase) -> QuerySet[AssessmentArea]:
    """Findings a goal may come from: the areas of the case's completed assessments."""
    return (
        AssessmentArea.objects.filter(assessment__case=case, assessment__completed_on__isnull=False)
        .select_related("assessment")
        .order_by("-assessment__number", "id")
    )


def owner_label(action: Action) -> str:
    if action.owner_kind == OwnerKind.PARTNER and action.owner_partner:
        return f"{action.owner_partner.name} (partner)"
    if action.owner_kind == OwnerKind.WORKER and action.owner_worker:
        worker = action.owner_worker.get_full_name() or action.owner_worker.get_username()
        agency = f", {action.owner_agency.name}" if action.owner_agency else ""
        return f"{worker}{agency}"
    return action.owner_agency.name if action.owner_agency else ""


def action_is_overdue(action: Action, today: datetime.date) -> bool:
    return action.status in (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS) and (
        action.due_on < today
    )


@dataclass(frozen=True)
class ActionRow:
    action: Action
    owner: str
    overdue: bool
    # Worked out once per page rather than per row in the template: a plan can hold many
    # actions, and the case page shows them all.
    url: str = ""
    due: str = ""
    status: str = ""
    may_update: bool = False  # the viewer may record this action's progress


@dataclass(frozen=True)
class IndicatorPoint:
    on: datetime.date
    origin: str  # "Assessment 2 rating" or "Measure"
    value: str
    note: str


@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    finding_title: str
    finding_rating: str
    actions: list[ActionRow]
    indicators: list[IndicatorPoint]


def finding_title(case: ContextCase, finding: AssessmentArea) -> str:
    instrument = instrument_for(case)
    title = next((a.title for a in instrument.areas if a.key == finding.area), finding.area)
    return f"Assessment {finding.assessment.number}: {title}"


def completed_ratings(*, case: ContextCase) -> dict[str, list[AssessmentArea]]:
    """The areas of the case's completed assessments, by area key, in one query."""
    found: dict[str, list[AssessmentArea]] = {}
    for area in AssessmentArea.objects.filter(
        assessment__case=case, assessment__completed_on__isnull=False
    ).select_related("assessment"):
        found.setdefault(area.area, []).append(area)
    return found


def goal_indicators(
    *, case: ContextCase, goal: Goal, ratings: dict[str, list[AssessmentArea]] | None = None
) -> list[IndicatorPoint]:
    """The ratings of the goal's area in each completed assessment, and the goal's measures,
    in date order."""
    scale = instrument_for(case).scale
    if ratings is None:
        ratings = completed_ratings(case=case)
    points = [
        IndicatorPoint(
            on=area.assessment.completed_on,
            origin=f"Assessment {area.assessment.number} rating",
            value=rating_label(scale, area.rating),
            note="",
        )
        for area in ratings.get(goal.finding.area, [])
        if area.assessment.completed_on
    ]
    points += [
        IndicatorPoint(on=m.measured_on, origin="Measure", value=f"{m.value:g}", note=m.note)
        for m in goal.measures.all()
    ]
    return sorted(points, key=lambda p: (p.on, p.origin))


@dataclass(frozen=True)
class PlanSection:
    case: ContextCase
    plan: ContextPlan | None
    goals: list[GoalRow]
    may_change: bool
    may_create: bool
    not_yet: str | None

    @property
    def actions(self) -> list[ActionRow]:
        return sorted(
            (row for g in self.goals for row in g.actions),
            key=lambda r: (r.action.due_on, r.action.pk),
        )

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.actions if row.overdue)


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%b %Y}"


def plan_section_for(*, user: Actor, case: ContextCase) -> PlanSection | None:
    """The case page's plan section (`casework/plans/_section.html`)."""
    if not user.has_perm(VIEW_PERMISSION):
        return None
    # Only the lead agency writes the plan, and only while the case is not closed; an action's
    # owner agency may also record its progress.
    may_write = user.has_perm("casework.change_contextcase") and (
        case_closed_error(case, what="its plan") is None
    )
    may_change = may_write and is_lead_agency_worker(user, case)
    agency_id = getattr(user, "agency_id", None)
    plan = plan_get_for_case(user=user, case=case)
    today = timezone.localdate()
    goals = []
    ratings = completed_ratings(case=case)
    # The address of action 0, whose id is swapped for each action's.
    action_url = reverse("case-action-update", args=[case.reference, 0])
    if plan is not None:
        for goal in goal_list_for_plan(plan=plan):
            goals.append(
                GoalRow(
                    goal=goal,
                    finding_title=finding_title(case, goal.finding),
                    finding_rating=rating_label(instrument_for(case).scale, goal.finding.rating),
                    actions=[
                        ActionRow(
                            a,
                            owner_label(a),
                            action_is_overdue(a, today),
                            url=f"{action_url.removesuffix('0/')}{a.pk}/",
                            due=_day(a.due_on),
                            status=a.get_status_display()
                            + (f" {_day(a.completed_on)}" if a.completed_on else ""),
                            may_update=may_change
                            or (
                                may_write
                                and agency_id is not None
                                and a.owner_agency_id == agency_id
                            ),
                        )
                        for a in goal.actions.all()
                    ],
                    indicators=goal_indicators(case=case, goal=goal, ratings=ratings),
                )
            )
    has_completed = bool(ratings)
    return PlanSection(
        case=case,
        plan=plan,
        goals=goals,
        may_change=may_change,
        may_create=plan is None and may_change and has_completed,
        not_yet=None if has_completed else "Complete an assessment before agreeing a plan",
    )
