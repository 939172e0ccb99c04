"""The case pages: referral from a place and an area, the steps' bad input on the web, the
known-child-name warning, and need to know on the case page."""

import datetime
from typing import Any

import h3
import pytest
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.casework.models import CaseLink, CaseStatus, ContextCase, Review, Screening
from waymark.casework.tests.factories import (
    CaseLinkFactory,
    ContextPlanFactory,
    OpenCaseFactory,
    ReferralFactory,
    ScreeningFactory,
)
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

TODAY = timezone.localdate()


@pytest.fixture
def web(client, practitioner):
    client.force_login(practitioner)
    return client


def _date(prefix: str, day: datetime.date) -> dict[str, str]:
    return {
        f"{prefix}_day": str(day.day),
        f"{prefix}_month": str(day.month),
        f"{prefix}_year": str(day.year),
    }


REFERRAL = {
    "reason": "Children gather here after school and older males approach them.",
    "source": "Youth worker's visits",
    "reliability": "reliable",
}


def test_a_place_is_referred_from_its_page(web, practitioner):
    place = PlaceFactory(name="Riverside Arcade")
    page = web.get(f"/places/{place.pk}/")
    assert f"/cases/refer/?place={place.pk}" in page.content.decode()
    response = web.post(f"/cases/refer/?place={place.pk}", REFERRAL)
    case = ContextCase.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.reference}/"
    assert case.place == place and case.lead_worker == practitioner
    detail = web.get(response["Location"]).content.decode()
    assert "govuk-task-list" in detail and "Screen the referral" in detail


def test_an_area_is_referred_with_the_analysis_as_evidence(web):
    cell = h3.latlng_to_cell(52.63, -1.13, 9)
    url = f"/cases/refer/?cell={cell}&from=2026-01-01&to=2026-06-30&z=3.25&emerging=new&concerns=15"
    assert "Gi* z-score" in web.get(url).content.decode()
    web.post(url, REFERRAL)
    case = ContextCase.objects.get()
    assert cell in case.neighbourhood.cells and len(case.neighbourhood.cells) == 7
    assert case.referral.area_evidence["gi_z"] == 3.25
    assert case.referral.area_evidence["period"] == {"from": "2026-01-01", "to": "2026-06-30"}


def test_a_reason_naming_a_known_child_warns_before_saving(web):
    YoungPersonFactory(given_name="Zarathustra", family_name="Quinlan-Okonkwo")
    place = PlaceFactory()
    data = {**REFERRAL, "reason": "Zarathustra Quinlan-Okonkwo is seen here with older males."}
    first = web.post(f"/cases/refer/?place={place.pk}", data)
    body = first.content.decode()
    assert first.status_code == 200
    assert "contains the full name of a young person known to Waymark" in body
    assert "Zarathustra Quinlan-Okonkwo is seen" in body  # the writer's own text, kept
    assert not ContextCase.objects.exists()
    web.post(f"/cases/refer/?place={place.pk}", {**data, "confirm_names": "on"})
    assert ContextCase.objects.count() == 1


def test_closing_without_a_reason_shows_the_error_and_writes_nothing(web, practitioner):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    response = web.post(f"/cases/{case.reference}/close/", {"reason": ""})
    assert response.status_code == 200
    assert "Enter why the case is closed" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_screening_twice_is_refused_on_the_web(web, practitioner):
    screening = ScreeningFactory(
        case__lead_agency=practitioner.agency, case__lead_worker=practitioner
    )
    response = web.post(
        f"/cases/{screening.case.reference}/screening/",
        {"decision": "complex", "reason": "Worse than thought"},
    )
    assert "a referral is screened once" in response.content.decode()
    assert Screening.objects.get().decision == "partnership_plus"


def test_a_review_before_the_plan_is_refused_on_the_web(web, practitioner):
    plan = ContextPlanFactory(case__lead_agency=practitioner.agency, case__lead_worker=practitioner)
    before = plan.started_on - datetime.timedelta(days=3)
    response = web.post(
        f"/cases/{plan.case.reference}/reviews/new/",
        {**_date("held_on", before), "summary": "Too early"},
    )
    assert "The review date must be on or after the plan started" in response.content.decode()
    assert not Review.objects.exists()


def test_a_young_person_is_linked_by_reference(web):
    case = OpenCaseFactory()
    child = YoungPersonFactory()
    web.post(
        f"/cases/{case.reference}/links/new/",
        {"young_person": child.reference.lower(), "reason": "Seen there by her youth worker"},
    )
    assert CaseLink.objects.get().young_person == child
    response = web.post(
        f"/cases/{case.reference}/links/new/", {"young_person": "YP-ZZZZZ", "reason": "x"}
    )
    assert "There is no young person with that reference" in response.content.decode()


def test_an_agency_not_involved_sees_the_case_but_not_the_childs_name(
    client, practitioner, outsider
):
    case = OpenCaseFactory()
    ReferralFactory(case=case)
    child: Any = YoungPersonFactory(created_by_agency=practitioner.agency)
    CaseLinkFactory(case=case, young_person=child)
    client.force_login(outsider)
    body = client.get(f"/cases/{case.reference}/").content.decode()
    assert case.subject_name in body
    assert child.family_name not in body and child.reference not in body
    assert "Fewer than 5 young people are linked" in body
    client.force_login(practitioner)
    body = client.get(f"/cases/{case.reference}/").content.decode()
    assert child.family_name in body
    assert AuditEvent.objects.filter(
        actor=practitioner, action="view", object_id=str(child.pk)
    ).exists()


def test_the_case_list_filters_by_overdue(web):
    late = OpenCaseFactory(next_review_on=TODAY - datetime.timedelta(days=1))
    on_time = OpenCaseFactory(next_review_on=TODAY + datetime.timedelta(days=1))
    body = web.get("/cases/?overdue=on").content.decode()
    assert late.reference in body and on_time.reference not in body


def test_the_young_persons_page_shows_the_contexts_and_their_actions(web, practitioner):
    from waymark.casework.tests.factories import ActionFactory

    child: Any = YoungPersonFactory(created_by_agency=practitioner.agency)
    action: Any = ActionFactory(description="Shop staff can name the signs of exploitation")
    ActionFactory(goal=action.goal, description="Internal audit", relevant_to_children=False)
    case = action.goal.plan.case
    CaseLinkFactory(case=case, young_person=child)
    body = web.get(f"/young-people/{child.reference}/").content.decode()
    assert "Contexts affecting this young person" in body
    assert case.reference in body and action.description in body
    assert "Internal audit" not in body


def test_the_dashboard_shows_overdue_reviews_to_the_lead_and_the_manager(client, practitioner):
    from waymark.accounts.models import Role
    from waymark.accounts.tests.factories import UserFactory

    late = OpenCaseFactory(
        lead_agency=practitioner.agency,
        lead_worker=practitioner,
        next_review_on=TODAY - datetime.timedelta(days=2),
    )
    colleague = UserFactory(agency=practitioner.agency)
    theirs = OpenCaseFactory(
        lead_agency=practitioner.agency,
        lead_worker=colleague,
        next_review_on=TODAY - datetime.timedelta(days=2),
    )
    OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner, next_review_on=TODAY)
    OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    client.force_login(practitioner)
    body = client.get("/").content.decode()
    assert late.reference in body and theirs.reference not in body
    assert "1 open case with reviews on time" in body
    assert "1 open case with no review date set" in body
    manager = UserFactory(agency=practitioner.agency, role=Role.MANAGER)
    client.force_login(manager)
    body = client.get("/").content.decode()
    assert late.reference in body and theirs.reference in body


def test_the_case_page_takes_as_many_queries_for_many_children_as_for_few(web, practitioner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(children: int) -> int:
        case = OpenCaseFactory()
        ReferralFactory(case=case)
        for child in YoungPersonFactory.create_batch(
            children, created_by_agency=practitioner.agency
        ):
            CaseLinkFactory(case=case, young_person=child)
        with CaptureQueriesContext(connection) as captured:
            assert web.get(f"/cases/{case.reference}/").status_code == 200
        return len(captured)

    assert queries(25) == queries(2)


def test_the_transfer_form_groups_workers_by_agency_and_refuses_a_mismatch(
    web, practitioner, outsider
):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    page = web.get(f"/cases/{case.reference}/transfer/").content.decode()
    assert f'<optgroup label="{outsider.agency.name}">' in page
    response = web.post(
        f"/cases/{case.reference}/transfer/",
        {"to_agency": outsider.agency.pk, "to_worker": practitioner.pk, "reason": "Theirs now"},
    )
    assert response.status_code == 200
    assert f"The new lead worker must work for {outsider.agency}" in response.content.decode()
    case.refresh_from_db()
    assert case.lead_agency == practitioner.agency
