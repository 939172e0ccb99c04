"""Assessments and the context plan over the API: bad input is a 400 with the field's message
and writes nothing; the re-assessment comes back beside the one before."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from ..models import Action, Assessment, ContextPlan, GoalMeasure
from ..plans.services import NO_OWNER, context_plan_create, goal_add
from .factories_plans import assessment_make, partner_make, screened_case, worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_assessment_with_a_rating_outside_its_scale_is_a_400_and_writes_nothing():
    lead = worker()
    case = screened_case(lead=lead, kind="school")
    response = api(lead).post(
        f"/api/cases/{case.reference}/assessments/",
        {
            "started_on": str(TODAY),
            "completed_on": str(TODAY),
            "areas": {
                key: {"findings": "Seen", "rating": 5 if key == "prevention" else 2}
                for key in ("structures", "prevention", "identification", "response")
            },
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"prevention_rating": ["Choose red, amber or green for prevention"]}
    assert not Assessment.objects.exists()


def test_an_assessment_is_created_and_read_with_its_comparison():
    lead = worker()
    case = screened_case(lead=lead)
    assessment_make(case, by=lead, ratings={"environment": 1})
    client = api(lead)
    created = client.post(
        f"/api/cases/{case.reference}/assessments/",
        {
            "started_on": str(TODAY),
            "completed_on": str(TODAY),
            "methods": ["business_survey"],
            "areas": {
                "young_people": {"findings": "Friendly group", "rating": 4},
                "guardianship": {"findings": "Staff present", "rating": 3},
                "environment": {"findings": "Lights fixed", "rating": 3},
            },
            "voices": [{"quote": "It feels better"}],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["number"] == 2
    detail = client.get(f"/api/cases/{case.reference}/assessments/2/").json()
    assert detail["previous"] == 1
    row = next(r for r in detail["comparison"] if r["area"] == "environment")
    assert (row["previous_rating"], row["rating"], row["change"]) == (
        "1: Very unsafe",
        "3: Mixed",
        "1 to 3, better",
    )
    assert detail["voices"] == [{"quote": "It feels better", "attributed_to": ""}]


def test_plan_goal_action_and_measure_over_the_api_with_400s_that_write_nothing():
    lead = worker()
    case = screened_case(lead=lead)
    done = assessment_make(case, by=lead, ratings={"guardianship": 2})
    client = api(lead)
    base = f"/api/cases/{case.reference}"
    assert client.post(f"{base}/plan/", {}, format="json").json() == {
        "started_on": ["Enter the date the plan starts"]
    }
    assert not ContextPlan.objects.exists()
    plan = client.post(f"{base}/plan/", {"started_on": str(done.completed_on)}, format="json")
    assert plan.status_code == 201
    assert plan.json()["next_review_on"] is not None
    finding = done.areas.get(area="guardianship")
    goal = client.post(
        f"{base}/goals/",
        {"outcome": "Young people name an adult they trust", "finding": finding.pk},
        format="json",
    )
    assert goal.status_code == 201, goal.json()
    goal_id = goal.json()["id"]
    due = str(TODAY + datetime.timedelta(days=20))

    no_owner = client.post(
        f"{base}/actions/", {"goal": goal_id, "description": "Train", "due_on": due}, format="json"
    )
    assert no_owner.status_code == 400
    assert no_owner.json() == {"owner_kind": [NO_OWNER]}
    assert not Action.objects.exists()

    shop = partner_make(name="Station Kiosk")
    action = client.post(
        f"{base}/actions/",
        {
            "goal": goal_id,
            "description": "Train kiosk staff",
            "owner_kind": "partner",
            "owner_partner": shop.pk,
            "due_on": due,
        },
        format="json",
    )
    assert action.status_code == 201, action.json()
    assert action.json()["owner"] == "Station Kiosk (partner)"
    url = f"{base}/actions/{action.json()['id']}/"
    refused = client.patch(url, {"status": "done", "completed_on": str(TODAY)}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"evidence": ["Describe the evidence that this action is done"]}
    assert Action.objects.get().status == "not_started"

    measure = client.post(
        f"{base}/measures/", {"goal": goal_id, "measured_on": str(TODAY)}, format="json"
    )
    assert measure.status_code == 400
    assert measure.json() == {"value": ["Enter the measure as a number"]}
    assert not GoalMeasure.objects.exists()

    read = client.get(f"{base}/plan/").json()
    assert read["goals"][0]["actions"][0]["description"] == "Train kiosk staff"
    assert read["goals"][0]["indicators"][0]["value"] == "2: Unsafe"


def test_a_worker_without_the_right_to_change_cases_may_read_but_not_write():
    from waymark.accounts.models import Role

    lead = worker()
    analyst = worker(role=Role.ANALYST)
    case = screened_case(lead=lead)
    done = assessment_make(case, by=lead, ratings={})
    plan = context_plan_create(actor=lead, case=case, started_on=done.completed_on)
    goal_add(actor=lead, plan=plan, outcome="Safer", finding=done.areas.first())
    client = api(analyst)
    assert client.get(f"/api/cases/{case.reference}/plan/").status_code == 200
    assert client.post(f"/api/cases/{case.reference}/plan/", {}, format="json").status_code == 403


def test_another_agency_gets_a_403_and_the_actions_owner_may_record_progress():
    lead, outsider, owner = worker(), worker(), worker()
    case = screened_case(lead=lead)
    done = assessment_make(case, by=lead, ratings={"guardianship": 2})
    plan = context_plan_create(actor=lead, case=case, started_on=done.completed_on)
    goal = goal_add(actor=lead, plan=plan, outcome="Safer", finding=done.areas.first())
    base = f"/api/cases/{case.reference}"
    action = api(lead).post(
        f"{base}/actions/",
        {
            "goal": goal.pk,
            "description": "Patrols",
            "owner_kind": "worker",
            "owner_worker": owner.pk,
            "due_on": str(TODAY + datetime.timedelta(days=5)),
        },
        format="json",
    )
    assert action.status_code == 201, action.json()
    url = f"{base}/actions/{action.json()['id']}/"
    refused = api(outsider).post(
        f"{base}/goals/", {"outcome": "Safer", "finding": goal.finding_id}, format="json"
    )
    assert refused.status_code == 403
    assert api(outsider).patch(url, {"status": "in_progress"}, format="json").status_code == 403
    assert api(owner).patch(url, {"status": "in_progress"}, format="json").status_code == 200
    case.status = "closed"
    case.save(update_fields=["status"])
    closed = api(lead).patch(url, {"status": "cancelled"}, format="json")
    assert closed.status_code == 400
    assert closed.json()["case"][0].startswith(f"Case {case.reference} is closed:")
    assert Action.objects.get().status == "in_progress"
