"""The known-child-name warning on the free text of assessments, plans and partners, on the pages
and over the API: a text with a known child's full name is refused with the warning and writes
nothing; confirmed, it is saved; a text without a name is saved at once."""

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from waymark.people.tests.factories import YoungPersonFactory

from ..models import Action, Assessment, Goal, Partner
from ..names import CONFIRM_FIELD, WARNING
from ..plans.services import context_plan_create, goal_add
from .factories_plans import assessment_make, screened_case, worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NAMED = "Seen with Zarathustra Quinlan-Okonkwo by the lockers"
PLAIN = "Seen with older boys by the lockers"


def _date(name: str) -> dict[str, int]:
    return {f"{name}_day": TODAY.day, f"{name}_month": TODAY.month, f"{name}_year": TODAY.year}


class Form(NamedTuple):
    url: str
    field: str  # where the warning goes
    data: Callable[[str], dict[str, Any]]
    written: Callable[[], int]


def _goal(lead: Any) -> Any:
    case = screened_case(lead=lead)
    done = assessment_make(case, by=lead, ratings={})
    plan = context_plan_create(actor=lead, case=case, started_on=done.completed_on)
    return goal_add(actor=lead, plan=plan, outcome="Adults nearby", finding=done.areas.first())


def assessment_page(lead: Any) -> Form:
    case = screened_case(lead=lead)
    return Form(
        f"/cases/{case.reference}/assessments/new/",
        "voice_0_attributed_to",
        lambda text: {
            **_date("started_on"),
            "voice_0_quote": "Fine",
            "voice_0_attributed_to": text,
        },
        Assessment.objects.count,
    )


def action_page(lead: Any) -> Form:
    goal = _goal(lead)
    owner = {"owner_kind": "agency", "owner_agency": lead.agency_id}
    return Form(
        f"/cases/{goal.plan.case.reference}/plan/goals/{goal.pk}/actions/new/",
        "description",
        lambda text: {"description": text, **owner, **_date("due_on")},
        Action.objects.count,
    )


def partner_page(lead: Any) -> Form:
    return Form(
        "/partners/new/",
        "notes",
        lambda text: {"name": f"Kiosk {len(text)}", "kind": "takeaway", "notes": text},
        Partner.objects.count,
    )


def assessment_api(lead: Any) -> Form:
    case = screened_case(lead=lead)
    return Form(
        f"/api/cases/{case.reference}/assessments/",
        "areas",
        lambda text: {
            "started_on": str(TODAY),
            "areas": {"guardianship": {"findings": text, "rating": 3}},
        },
        Assessment.objects.count,
    )


def goal_api(lead: Any) -> Form:
    goal = _goal(lead)
    return Form(
        f"/api/cases/{goal.plan.case.reference}/goals/",
        "outcome",
        lambda text: {"outcome": text, "finding": goal.finding_id},
        Goal.objects.count,
    )


def partner_api(lead: Any) -> Form:
    return partner_page(lead)._replace(url="/api/partners/")


@pytest.fixture
def known_child(db: Any) -> None:
    YoungPersonFactory(given_name="Zarathustra", family_name="Quinlan-Okonkwo")


@pytest.mark.parametrize("make", [assessment_page, action_page, partner_page])
def test_a_page_warns_before_saving_a_known_childs_name(client, known_child, make):
    lead = worker()
    form = make(lead)
    before = form.written()
    client.force_login(lead)
    warned = client.post(form.url, form.data(NAMED))
    body = warned.content.decode()
    assert warned.status_code == 200
    assert "contains the full name of a young person known to Waymark" in body
    assert f'href="#id_{form.field}"' in body and f'name="{CONFIRM_FIELD}"' in body
    assert form.written() == before
    confirmed = client.post(form.url, {**form.data(NAMED), CONFIRM_FIELD: "on"})
    assert confirmed.status_code == 302 and form.written() == before + 1
    assert client.post(form.url, form.data(PLAIN)).status_code == 302
    assert form.written() == before + 2


@pytest.mark.parametrize("make", [assessment_api, goal_api, partner_api])
def test_the_api_refuses_a_known_childs_name_until_confirmed(known_child, make):
    lead = worker()
    form = make(lead)
    before = form.written()
    api = APIClient()
    api.force_authenticate(lead)
    warned = api.post(form.url, form.data(NAMED), format="json")
    assert warned.status_code == 400
    assert warned.json()[form.field] == [WARNING] and set(warned.json()) == {
        form.field,
        CONFIRM_FIELD,
    }
    assert form.written() == before
    confirmed = api.post(form.url, {**form.data(NAMED), CONFIRM_FIELD: True}, format="json")
    assert confirmed.status_code == 201, confirmed.json()
    assert api.post(form.url, form.data(PLAIN), format="json").status_code == 201
    assert form.written() == before + 2


def test_a_name_the_writer_may_not_see_is_recorded_and_checked_only_within_an_allowance(
    settings, known_child
):
    """Telling a writer that Waymark knows a child of a name is what the search's "known
    elsewhere" check does: so it is recorded as a search naming the child, and shares its
    hourly allowance. Past it, only names the writer may see are warned about."""
    from django.core.cache import cache

    from waymark.audit.models import AuditEvent
    from waymark.people.models import YoungPerson

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": None,
            "user": None,
            "search": None,
            "known_elsewhere": "1/hour",
        },
    }
    cache.clear()
    lead = worker()
    hidden = YoungPerson.objects.get()
    form = partner_api(lead)
    api = APIClient()
    api.force_authenticate(lead)

    warned = api.post(form.url, form.data(NAMED), format="json")
    assert warned.status_code == 400
    checks = AuditEvent.objects.filter(action="search", object_id=str(hidden.pk), actor=lead)
    assert checks.count() == 1 and checks.get().purpose.startswith("Name check")

    # The allowance is spent: the hidden child's name is no longer looked for.
    assert api.post(form.url, form.data(NAMED), format="json").status_code == 201
    assert checks.count() == 1
    cache.clear()
