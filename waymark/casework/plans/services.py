"""Context plans: goals derived from assessment findings, actions with an owner, and measures.

Goals are outcomes, a change in the context ("young people can name an adult at the station
they trust"), not effort ("made a leaflet"). Every action has exactly one owner: an agency, a
named worker or a partner organisation. Validate, then write, in one transaction with its
audit event.

Starting a plan sets the case's first review three months after the plan's start, unless a
review date is already set (`FIRST_REVIEW_AFTER`).

Only workers of the case's lead agency may write its plan, goals and measures; an action's
progress may also be recorded by workers of the agency that owns it. Nothing is written on a
closed case, nor on one screened as no further action.
"""

import datetime
import math

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from waymark.accounts.models import Agency, User
from waymark.accounts.types import Actor
from waymark.audit.services import audit_record

from ..assessments.services import (
    TEXT_MAX_LENGTH,
    case_closed_error,
    is_lead_agency_worker,
    lead_worker_who_may_change,
    worker_who_may_change,
)
from ..models import (
    Action,
    ActionStatus,
    AssessmentArea,
    ContextCase,
    ContextPlan,
    Goal,
    GoalMeasure,
    OwnerKind,
    Partner,
)

FIRST_REVIEW_AFTER = relativedelta(months=3)
# A plan is agreed to start now or soon, not years ahead.
PLAN_START_AHEAD = datetime.timedelta(days=31)


def day_text(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


INDICATOR_MAX_LENGTH = Goal._meta.get_field("indicator").max_length or 200
NOTE_MAX_LENGTH = GoalMeasure._meta.get_field("note").max_length or 300
NO_OWNER = "Choose who owns this action: an agency, a named worker or a partner organisation"


def plan_writer(actor: Actor, case: ContextCase) -> User:
    """The lead agency's worker writing the case's plan, on a case that is not closed."""
    worker = lead_worker_who_may_change(actor, case, what="its plan")
    _refuse_if_closed(case)
    return worker


def _refuse_if_closed(case: ContextCase) -> None:
    refusal = case_closed_error(case, what="its plan")
    if refusal:
        raise ValidationError({"case": [refusal]})


def _text(
    value: str | None,
    *,
    field: str,
    what: str,
    limit: int,
    errors: dict[str, list[str]],
    required: str = "",
) -> str:
    text = (value or "").strip()
    if required and not text:
        errors[field] = [required]
    elif len(text) > limit:
        errors[field] = [f"{what} must be {limit} characters or fewer"]
    return text


def context_plan_create(
    *, actor: Actor, case: ContextCase, started_on: datetime.date | None, summary: str = ""
) -> ContextPlan:
    """Agree the case's context plan. It needs a completed assessment to derive goals from."""
    worker = plan_writer(actor, case)
    errors: dict[str, list[str]] = {}
    already = {"case": ["This case already has a context plan: change it instead"]}
    if plan_already(case=case):
        raise ValidationError(already)
    first_completed = (
        case.assessments.filter(completed_on__isnull=False).order_by("completed_on").first()
    )
    if first_completed is None:
        errors["case"] = [
            "Complete an assessment of this context before agreeing its plan: goals come from its findings"
        ]
    screening = getattr(case, "screening", None)
    latest_start = timezone.localdate() + PLAN_START_AHEAD
    if started_on is None:
        errors["started_on"] = ["Enter the date the plan starts"]
    elif started_on > latest_start:
        errors["started_on"] = [
            f"The plan must start within {PLAN_START_AHEAD.days} days from today:"
            f" on or before {day_text(latest_start)}"
        ]
    elif screening is not None and started_on < screening.decided_on:
        errors["started_on"] = [
            "The plan must start on or after the case was screened"
            f" ({day_text(screening.decided_on)})"
        ]
    elif (
        first_completed is not None
        and first_completed.completed_on
        and started_on < first_completed.completed_on
    ):
        errors["started_on"] = [
            "The plan must start on or after the first assessment was completed"
            f" ({day_text(first_completed.completed_on)})"
        ]
    summary = _text(
        summary, field="summary", what="The summary", limit=TEXT_MAX_LENGTH, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    assert started_on is not None  # noqa: S101 (checked above, for the type checker)
    try:
        plan = _plan_save(actor=actor, case=case, started_on=started_on, summary=summary, by=worker)
    except IntegrityError:
        # Agreed twice at once: the second gets the same answer as if the first had been saved.
        if ContextPlan.objects.filter(case=case).exists():
            raise ValidationError(already) from None
        raise
    return plan


def plan_already(*, case: ContextCase) -> bool:
    return ContextPlan.objects.filter(case=case).exists()


def _plan_save(
    *, actor: Actor, case: ContextCase, started_on: datetime.date, summary: str, by: User
) -> ContextPlan:
    with transaction.atomic():
        plan = ContextPlan.objects.create(
            case=case, started_on=started_on, summary=summary, agreed_by=by
        )
        audit_record(
            actor=actor,
            action="create",
            obj=plan,
            changed_fields=["started_on", "summary"],
            purpose=f"Context plan for {case.reference}",
        )
        if case.next_review_on is None:
            case.next_review_on = started_on + FIRST_REVIEW_AFTER
            case.save(update_fields=["next_review_on", "updated_at"])
            audit_record(
                actor=actor,
                action="update",
                obj=case,
                changed_fields=["next_review_on"],
                purpose="First review set from the start of the context plan",
            )
    return plan


def context_plan_update(*, actor: Actor, plan: ContextPlan, summary: str) -> ContextPlan:
    plan_writer(actor, plan.case)
    errors: dict[str, list[str]] = {}
    summary = _text(
        summary, field="summary", what="The summary", limit=TEXT_MAX_LENGTH, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan.summary = summary
        plan.save(update_fields=["summary", "updated_at"])
        audit_record(actor=actor, action="update", obj=plan, changed_fields=["summary"])
    return plan


def goal_add(
    *,
    actor: Actor,
    plan: ContextPlan,
    outcome: str,
    finding: AssessmentArea | None,
    indicator: str = "",
) -> Goal:
    """Add a goal, phrased as an outcome and derived from a finding of the case's assessments."""
    plan_writer(actor, plan.case)
    errors: dict[str, list[str]] = {}
    outcome = _text(
        outcome,
        field="outcome",
        what="The outcome",
        limit=TEXT_MAX_LENGTH,
        errors=errors,
        required="Describe the change in the context this goal is for",
    )
    indicator = _text(
        indicator,
        field="indicator",
        what="The indicator",
        limit=INDICATOR_MAX_LENGTH,
        errors=errors,
    )
    if finding is None:
        errors["finding"] = ["Choose the assessment finding this goal comes from"]
    elif not AssessmentArea.objects.filter(
        pk=finding.pk, assessment__case_id=plan.case_id, assessment__completed_on__isnull=False
    ).exists():
        errors["finding"] = ["Choose a finding from a completed assessment of this case"]
    if errors or finding is None:
        raise ValidationError(errors)
    with transaction.atomic():
        goal = Goal.objects.create(plan=plan, outcome=outcome, finding=finding, indicator=indicator)
        audit_record(
            actor=actor,
            action="create",
            obj=goal,
            changed_fields=["outcome", "finding", "indicator"],
            purpose=f"Goal in the plan for {plan.case.reference}",
        )
    return goal


def action_add(
    *,
    actor: Actor,
    goal: Goal,
    description: str,
    owner_kind: str | None,
    owner_agency: Agency | None = None,
    owner_worker: User | None = None,
    owner_partner: Partner | None = None,
    due_on: datetime.date | None,
    relevant_to_children: bool = True,
) -> Action:
    """Add an action towards a goal, with its one owner. A named worker's or a partner's action
    also records the worker's agency, or the agency that owns the partner relationship, so that
    overdue actions can be listed by agency."""
    plan_writer(actor, goal.plan.case)
    errors: dict[str, list[str]] = {}
    description = _text(
        description,
        field="description",
        what="The description",
        limit=TEXT_MAX_LENGTH,
        errors=errors,
        required="Describe the action",
    )
    owners = {
        OwnerKind.AGENCY: owner_agency,
        OwnerKind.WORKER: owner_worker,
        OwnerKind.PARTNER: owner_partner,
    }
    agency: Agency | None = None
    if owner_kind not in OwnerKind.values:
        errors["owner_kind"] = [NO_OWNER]
    else:
        kind = OwnerKind(owner_kind)
        others = [k for k, v in owners.items() if k != kind and v is not None]
        if owners[kind] is None:
            errors[f"owner_{kind.value}"] = [
                {
                    OwnerKind.AGENCY: "Choose the agency that owns this action",
                    OwnerKind.WORKER: "Choose the worker who owns this action",
                    OwnerKind.PARTNER: "Choose the partner organisation that owns this action",
                }[kind]
            ]
        elif others:
            errors["owner_kind"] = [
                f"An action has one owner: you chose {kind.label.lower()}, so leave"
                f" {' and '.join(k.label.lower() for k in others)} blank"
            ]
        elif kind == OwnerKind.WORKER:
            assert owner_worker is not None  # noqa: S101
            if not owner_worker.is_active or owner_worker.agency_id is None:
                errors["owner_worker"] = ["Choose a current worker of an agency"]
            else:
                agency = owner_worker.agency
        elif kind == OwnerKind.PARTNER:
            assert owner_partner is not None  # noqa: S101
            agency = owner_partner.agency
        else:
            agency = owner_agency
    if due_on is None:
        errors["due_on"] = ["Enter the date the action is due"]
    elif due_on < goal.plan.started_on:
        errors["due_on"] = [
            f"The action must be due on or after the plan started ({day_text(goal.plan.started_on)})"
        ]
    if errors or owner_kind is None or due_on is None:
        raise ValidationError(errors)
    with transaction.atomic():
        action = Action.objects.create(
            goal=goal,
            description=description,
            owner_kind=owner_kind,
            owner_agency=agency,
            owner_worker=owner_worker if owner_kind == OwnerKind.WORKER else None,
            owner_partner=owner_partner if owner_kind == OwnerKind.PARTNER else None,
            due_on=due_on,
            relevant_to_children=bool(relevant_to_children),
        )
        audit_record(
            actor=actor,
            action="create",
            obj=action,
            changed_fields=[
                "description",
                "owner_kind",
                "owner_agency",
                "owner_worker",
                "owner_partner",
                "due_on",
                "relevant_to_children",
            ],
            purpose=f"Action in the plan for {goal.plan.case.reference}",
        )
    return action


def action_update(
    *,
    actor: Actor,
    action: Action,
    status: str,
    evidence: str = "",
    completed_on: datetime.date | None = None,
) -> Action:
    """Record an action's progress. Done needs the evidence of completion and its date. The lead
    agency's workers may, and so may the workers of the agency that owns the action."""
    case = action.goal.plan.case
    worker = worker_who_may_change(actor)
    owner_agency_id = action.owner_agency_id
    if not is_lead_agency_worker(worker, case) and (
        owner_agency_id is None or worker.agency_id != owner_agency_id
    ):
        raise PermissionDenied(
            f"Only workers of the lead agency for case {case.reference}, or of the agency that"
            " owns this action, may record its progress"
        )
    _refuse_if_closed(case)
    errors: dict[str, list[str]] = {}
    if status not in ActionStatus.values:
        errors["status"] = [
            "Choose the action's status: not started, in progress, done or cancelled"
        ]
    evidence = _text(
        evidence, field="evidence", what="The evidence", limit=TEXT_MAX_LENGTH, errors=errors
    )
    if status == ActionStatus.DONE:
        if not evidence and "evidence" not in errors:
            errors["evidence"] = ["Describe the evidence that this action is done"]
        if completed_on is None:
            errors["completed_on"] = ["Enter the date the action was completed"]
        elif completed_on > timezone.localdate():
            errors["completed_on"] = [
                "The date the action was completed must be today or in the past"
            ]
        elif completed_on < action.goal.plan.started_on:
            errors["completed_on"] = [
                "The action must be completed on or after the plan started"
                f" ({day_text(action.goal.plan.started_on)})"
            ]
    elif completed_on is not None:
        errors["completed_on"] = ["Only a done action has a completion date: leave it blank"]
    if errors:
        raise ValidationError(errors)
    before = (action.status, action.evidence, action.completed_on)
    with transaction.atomic():
        action.status = status
        action.evidence = evidence
        action.completed_on = completed_on if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "evidence", "completed_on", "updated_at"])
        after = (action.status, action.evidence, action.completed_on)
        audit_record(
            actor=actor,
            action="update",
            obj=action,
            changed_fields=[
                name
                for name, old, new in zip(
                    ("status", "evidence", "completed_on"), before, after, strict=True
                )
                if old != new
            ],
        )
    return action


def goal_measure_record(
    *,
    actor: Actor,
    goal: Goal,
    measured_on: datetime.date | None,
    value: float | None,
    note: str = "",
) -> GoalMeasure:
    """A measure of the goal's indicator: a survey score, a count of trained staff."""
    worker = plan_writer(actor, goal.plan.case)
    errors: dict[str, list[str]] = {}
    if measured_on is None:
        errors["measured_on"] = ["Enter the date of the measure"]
    elif measured_on > timezone.localdate():
        errors["measured_on"] = ["The date of the measure must be today or in the past"]
    if value is None or isinstance(value, bool):
        errors["value"] = ["Enter the measure as a number"]
    else:
        try:
            value = float(value)
        except (TypeError, ValueError):
            errors["value"] = ["Enter the measure as a number"]
        else:
            if not math.isfinite(value):
                errors["value"] = ["Enter the measure as a number"]
    note = _text(note, field="note", what="The note", limit=NOTE_MAX_LENGTH, errors=errors)
    if errors:
        raise ValidationError(errors)
    assert measured_on is not None and value is not None  # noqa: S101
    with transaction.atomic():
        measure = GoalMeasure.objects.create(
            goal=goal, measured_on=measured_on, value=value, note=note, recorded_by=worker
        )
        audit_record(
            actor=actor,
            action="create",
            obj=measure,
            changed_fields=["measured_on", "value", "note"],
            purpose=f"Measure of a goal in the plan for {goal.plan.case.reference}",
        )
    return measure
