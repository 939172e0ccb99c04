"""The context plan: it needs a completed assessment, sets the first review, and every goal,
action and measure is checked before anything is written."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from waymark.audit.models import AuditEvent

from ..assessments.services import assessment_record
from ..models import Action, Assessment, CaseStatus, ContextPlan, Goal, GoalMeasure
from ..plans.selectors import plan_section_for
from ..plans.services import (
    NO_OWNER,
    action_add,
    action_update,
    context_plan_create,
    goal_add,
    goal_measure_record,
)
from .factories_plans import assessment_make, partner_make, screened_case, worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def planned():
    lead = worker()
    case = screened_case(lead=lead)
    first = assessment_make(case, by=lead, ratings={"guardianship": 2})
    plan = context_plan_create(
        actor=lead, case=case, started_on=first.completed_on, summary="Make the station safer"
    )
    finding = first.areas.get(area="guardianship")
    goal = goal_add(
        actor=lead,
        plan=plan,
        outcome="Young people can name an adult at the station they trust",
        finding=finding,
        indicator="Guardianship rating",
    )
    return lead, case, plan, goal


def test_a_plan_needs_a_completed_assessment_and_sets_the_first_review():
    lead = worker()
    case = screened_case(lead=lead)
    with pytest.raises(ValidationError) as raised:
        context_plan_create(actor=lead, case=case, started_on=TODAY)
    assert "Complete an assessment" in raised.value.message_dict["case"][0]
    assert not ContextPlan.objects.exists()
    done = assessment_make(case, by=lead, ratings={})
    context_plan_create(actor=lead, case=case, started_on=done.completed_on)
    case.refresh_from_db()
    # Three calendar months after the start (the end of the month when it is shorter).
    assert case.next_review_on == done.completed_on + relativedelta(months=3)
    assert case.next_review_on.month != done.completed_on.month
    assert AuditEvent.objects.filter(object_type="casework.contextplan", action="create").exists()


def test_a_goal_comes_from_a_finding_of_this_case(planned):
    lead, case, plan, _ = planned
    elsewhere = assessment_make(screened_case(lead=lead), by=lead, ratings={})
    with pytest.raises(ValidationError) as raised:
        goal_add(
            actor=lead,
            plan=plan,
            outcome="Safer",
            finding=elsewhere.areas.first(),
        )
    assert raised.value.message_dict == {
        "finding": ["Choose a finding from a completed assessment of this case"]
    }
    assert Goal.objects.count() == 1


def test_an_action_with_no_owner_is_refused_and_nothing_is_written(planned):
    lead, case, plan, goal = planned
    due = TODAY + datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as raised:
        action_add(actor=lead, goal=goal, description="Train staff", owner_kind="", due_on=due)
    assert raised.value.message_dict == {"owner_kind": [NO_OWNER]}
    with pytest.raises(ValidationError) as raised:
        action_add(
            actor=lead, goal=goal, description="Train staff", owner_kind="partner", due_on=due
        )
    assert raised.value.message_dict == {
        "owner_partner": ["Choose the partner organisation that owns this action"]
    }
    assert not Action.objects.exists()
    assert not AuditEvent.objects.filter(object_type="casework.action").exists()


def test_a_partners_action_is_recorded_and_done_needs_evidence(planned):
    lead, case, plan, goal = planned
    shop = partner_make(name="Station Kiosk")
    action = action_add(
        actor=lead,
        goal=goal,
        description="Kiosk staff trained to spot exploitation",
        owner_kind="partner",
        owner_partner=shop,
        due_on=TODAY - datetime.timedelta(days=1),
    )
    assert action.owner_agency == shop.agency
    section = plan_section_for(user=lead, case=case)
    assert section is not None
    [row] = section.actions
    assert (row.owner, row.overdue) == ("Station Kiosk (partner)", True)
    with pytest.raises(ValidationError) as raised:
        action_update(actor=lead, action=action, status="done", evidence="", completed_on=None)
    assert raised.value.message_dict == {
        "evidence": ["Describe the evidence that this action is done"],
        "completed_on": ["Enter the date the action was completed"],
    }
    action.refresh_from_db()
    assert action.status == "not_started"
    action_update(
        actor=lead, action=action, status="done", evidence="12 staff trained", completed_on=TODAY
    )
    action.refresh_from_db()
    assert (action.status, action.evidence) == ("done", "12 staff trained")
    assert AuditEvent.objects.filter(
        object_type="casework.action", object_id=str(action.pk), action="update"
    ).exists()


def test_indicators_over_time_are_the_re_assessment_ratings_and_the_measures(planned):
    lead, case, plan, goal = planned
    with pytest.raises(ValidationError) as raised:
        goal_measure_record(actor=lead, goal=goal, measured_on=TODAY, value=float("nan"))
    assert raised.value.message_dict == {"value": ["Enter the measure as a number"]}
    assert not GoalMeasure.objects.exists()
    assessment_make(case, by=lead, ratings={"guardianship": 4}, completed_on=TODAY)
    goal_measure_record(
        actor=lead,
        goal=goal,
        measured_on=TODAY - datetime.timedelta(days=2),
        value=7,
        note="Survey",
    )
    section = plan_section_for(user=lead, case=case)
    assert section is not None
    points = [(p.origin, p.value) for p in section.goals[0].indicators]
    assert points == [
        ("Assessment 1 rating", "2: Unsafe"),
        ("Measure", "7"),
        ("Assessment 2 rating", "4: Mostly safe"),
    ]


def test_the_plan_section_reads_in_a_fixed_number_of_queries(
    planned, django_assert_max_num_queries
):
    lead, case, plan, goal = planned
    finding = goal.finding
    for n in range(6):
        more = goal_add(actor=lead, plan=plan, outcome=f"Outcome {n}", finding=finding)
        action_add(
            actor=lead,
            goal=more,
            description=f"Action {n}",
            owner_kind="agency",
            owner_agency=lead.agency,
            due_on=TODAY,
        )
        goal_measure_record(actor=lead, goal=more, measured_on=TODAY, value=n)
    with django_assert_max_num_queries(8):
        section = plan_section_for(user=lead, case=case)
        assert section is not None
        assert len(section.goals) == 7 and len(section.actions) == 6


def test_only_the_lead_agency_writes_the_plan_and_an_owner_agency_records_its_progress(planned):
    lead, case, plan, goal = planned
    outsider, owner = worker(), worker()  # two other agencies
    action = action_add(
        actor=lead,
        goal=goal,
        description="Youth workers on the station on Friday evenings",
        owner_kind="worker",
        owner_worker=owner,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    assert action.owner_agency == owner.agency
    for actor in (outsider, owner):
        with pytest.raises(PermissionDenied):
            goal_add(actor=actor, plan=plan, outcome="Safer", finding=goal.finding)
        with pytest.raises(PermissionDenied):
            goal_measure_record(actor=actor, goal=goal, measured_on=TODAY, value=3)
        with pytest.raises(PermissionDenied):
            assessment_record(actor=actor, case=case, started_on=TODAY)
    with pytest.raises(PermissionDenied):
        action_update(actor=outsider, action=action, status="in_progress")
    action_update(actor=owner, action=action, status="in_progress")
    assert (Goal.objects.count(), GoalMeasure.objects.count(), Assessment.objects.count()) == (
        1,
        0,
        1,
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CaseStatus.CLOSED, "is closed: its plan can no longer be changed"),
        (CaseStatus.NO_FURTHER_ACTION, "is closed with no further action: its plan cannot"),
    ],
)
def test_nothing_is_written_to_the_plan_of_a_closed_case(planned, status, message):
    lead, case, plan, goal = planned
    action = action_add(
        actor=lead,
        goal=goal,
        description="Lighting on the footpath",
        owner_kind="agency",
        owner_agency=lead.agency,
        due_on=TODAY + datetime.timedelta(days=10),
    )
    case.status = status
    case.save(update_fields=["status"])
    plan.refresh_from_db()
    goal.refresh_from_db()
    action.refresh_from_db()
    writes = [
        lambda: goal_add(actor=lead, plan=plan, outcome="Safer", finding=goal.finding),
        lambda: goal_measure_record(actor=lead, goal=goal, measured_on=TODAY, value=3),
        lambda: action_update(actor=lead, action=action, status="in_progress"),
    ]
    for write in writes:
        with pytest.raises(ValidationError) as raised:
            write()
        assert raised.value.message_dict["case"] == [
            f"Case {case.reference} {message}"
            + (" be changed" if status == CaseStatus.NO_FURTHER_ACTION else "")
        ]
    action.refresh_from_db()
    assert (action.status, Goal.objects.count(), GoalMeasure.objects.count()) == (
        "not_started",
        1,
        0,
    )


def test_a_plan_agreed_twice_at_once_is_refused_not_an_error(planned, monkeypatch):
    """The second of two submissions that both passed the check before either was saved."""
    from ..plans import services

    lead, case, plan, goal = planned
    monkeypatch.setattr(services, "plan_already", lambda **_: False)
    with pytest.raises(ValidationError) as refused:
        context_plan_create(actor=lead, case=case, started_on=plan.started_on)
    assert refused.value.message_dict == {
        "case": ["This case already has a context plan: change it instead"]
    }
    assert ContextPlan.objects.count() == 1


def test_a_plan_starts_after_screening_and_within_a_month():
    lead = worker()
    case = screened_case(lead=lead)
    assessment_make(case, by=lead, ratings={})
    Assessment.objects.update(completed_on=case.screening.decided_on - datetime.timedelta(days=5))
    late = TODAY + datetime.timedelta(days=32)
    early = case.screening.decided_on - datetime.timedelta(days=1)
    for started_on, message in [
        (
            late,
            "The plan must start within 31 days from today:"
            f" on or before {TODAY + datetime.timedelta(days=31):%-d %B %Y}",
        ),
        (
            early,
            f"The plan must start on or after the case was screened ({case.screening.decided_on:%-d %B %Y})",
        ),
    ]:
        with pytest.raises(ValidationError) as refused:
            context_plan_create(actor=lead, case=case, started_on=started_on)
        assert refused.value.message_dict == {"started_on": [message]}
    assert not ContextPlan.objects.exists()
    context_plan_create(actor=lead, case=case, started_on=TODAY + datetime.timedelta(days=31))
