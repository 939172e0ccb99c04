"""The assessment and plan pages: GOV.UK error summaries with the specific message, nothing
written on bad input, re-assessment side by side, a peer group's profile with its provenance."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from waymark.contexts.models import DetectedGroup, PeerGroup, PeerGroupDetection

from ..models import Action, Assessment, ContextCase, SubjectKind
from ..plans.services import NO_OWNER, context_plan_create, goal_add
from .factories_plans import assessment_make, case_screen, screened_case, worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def date_fields(name: str, day: datetime.date) -> dict[str, Any]:
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


def summary_messages(body: str) -> str:
    start = body.index("govuk-error-summary__list")
    return body[start : body.index("</ul>", start)]


def test_a_rating_outside_its_scale_is_shown_in_the_error_summary_and_nothing_is_saved(client):
    lead = worker()
    case = screened_case(lead=lead)
    client.force_login(lead)
    url = f"/cases/{case.reference}/assessments/new/"
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("govuk-fieldset__heading") == 4  # three sides and voices
    response = client.post(
        url,
        {
            **date_fields("started_on", TODAY),
            **date_fields("completed_on", TODAY),
            "young_people_findings": "Gather after school",
            "young_people_rating": "3",
            "guardianship_findings": "No staff after 6pm",
            "guardianship_rating": "9",
            "environment_findings": "Dark",
            "environment_rating": "2",
        },
    )
    assert response.status_code == 200
    summary = summary_messages(response.content.decode())
    assert "Rate guardianship from 1 to 5" in summary
    assert 'href="#id_guardianship_rating_0"' in summary
    assert not Assessment.objects.exists()


def test_more_voice_boxes_keep_what_was_typed_without_saving(client):
    lead = worker()
    case = screened_case(lead=lead)
    client.force_login(lead)
    response = client.post(
        f"/cases/{case.reference}/assessments/new/",
        {"voice_0_quote": "Nobody comes when you call", "add_voices": "1", "voice_1_quote": ""},
    )
    body = response.content.decode()
    assert "Nobody comes when you call" in body
    assert 'name="voice_5_quote"' in body and 'name="voice_6_quote"' not in body
    assert "govuk-error-summary" not in body
    assert not Assessment.objects.exists()


def test_a_complete_assessment_is_saved_and_a_re_assessment_shows_the_change(client):
    lead = worker()
    case = screened_case(lead=lead)
    assessment_make(case, by=lead, ratings={"guardianship": 2})
    client.force_login(lead)
    response = client.post(
        f"/cases/{case.reference}/assessments/new/",
        {
            **date_fields("started_on", TODAY),
            **date_fields("completed_on", TODAY),
            "methods": ["observation", "safety_mapping"],
            "young_people_findings": "Gather after school",
            "young_people_rating": "3",
            "guardianship_findings": "Kiosk staff now look out for them",
            "guardianship_rating": "4",
            "environment_findings": "Lights fixed",
            "environment_rating": "4",
            "voice_0_quote": "I know who to go to now",
            "voice_0_attributed_to": "a boy in Year 10",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/assessments/2/"
    page = client.get(response["Location"]).content.decode()
    table = page[
        page.index('id="comparison"') : page.index("</table>", page.index('id="comparison"'))
    ]
    assert "Guardianship" in table
    assert "2: Unsafe" in table and "4: Mostly safe" in table
    assert "2 to 4, better" in table
    assert "Kiosk staff now look out for them" in table
    assert "I know who to go to now" in page and "a boy in Year 10" in page


def test_an_action_with_no_owner_is_shown_in_the_error_summary_and_nothing_is_saved(client):
    lead = worker()
    case = screened_case(lead=lead)
    done = assessment_make(case, by=lead, ratings={})
    plan = context_plan_create(actor=lead, case=case, started_on=done.completed_on)
    goal = goal_add(
        actor=lead, plan=plan, outcome="Adults at the station", finding=done.areas.first()
    )
    client.force_login(lead)
    response = client.post(
        f"/cases/{case.reference}/plan/goals/{goal.pk}/actions/new/",
        {"description": "Train kiosk staff", **date_fields("due_on", TODAY)},
    )
    assert response.status_code == 200
    assert NO_OWNER in summary_messages(response.content.decode())
    assert not Action.objects.exists()
    plan_page = client.get(f"/cases/{case.reference}/plan/").content.decode()
    assert "Adults at the station" in plan_page


def test_a_peer_group_assessment_shows_the_detected_profile_and_where_it_came_from(client):
    lead = worker()
    now = timezone.now()
    run = PeerGroupDetection.objects.create(
        computed_at=now,
        data_version="v1",
        window_start=TODAY - datetime.timedelta(days=180),
        window_end=TODAY,
    )
    detected = DetectedGroup.objects.create(
        number=7,
        first_detected=run,
        last_detected=run,
        vulnerability="high",
        reasons=["3 of 5 members have an open concern about exploitation"],
    )
    group = PeerGroup.objects.create(
        reference="PG-7F3KQ",
        name="Station group",
        detected_group=detected,
        created_by=lead,
        created_by_agency=lead.agency,
    )
    case = ContextCase.objects.create(
        reference="CC-PG001",
        subject_kind=SubjectKind.PEER_GROUP,
        peer_group=group,
        lead_agency=lead.agency,
        lead_worker=lead,
    )
    case_screen(case, by=lead)
    client.force_login(lead)
    body = client.get(f"/cases/{case.reference}/assessments/new/").content.decode()
    assert "Peer group assessment" in body
    assert "Group 7" in body and "High" in body
    assert "3 of 5 members have an open concern about exploitation" in body
    assert "Peer-group detection" in body


def test_a_concern_the_worker_may_not_see_cannot_be_linked_as_evidence(client):
    lead = worker()
    case = screened_case(lead=lead)
    client.force_login(lead)
    response = client.post(
        f"/cases/{case.reference}/assessments/new/",
        {**date_fields("started_on", TODAY), "concern_references": "CN-ZZZZZ"},
    )
    summary = summary_messages(response.content.decode())
    assert "There is no concern with the reference CN-ZZZZZ that you can see" in summary
    assert 'href="#id_concern_references"' in summary
    assert not Assessment.objects.exists()


def test_a_school_is_rated_red_amber_or_green_in_four_areas(client):
    lead = worker()
    case = screened_case(lead=lead, kind="school")
    client.force_login(lead)
    body = client.get(f"/cases/{case.reference}/assessments/new/").content.decode()
    assert "School assessment" in body
    for title in ("Structures and systems", "Prevention", "Identification", "Response and"):
        assert f'<h2 class="govuk-fieldset__heading">{title}' in body
    assert body.count(">Red</label>") == body.count(">Green</label>") == 4


def test_a_handling_code_c_concern_outside_the_viewers_audience_is_never_mentioned(client):
    """Evidence a viewer may not see is counted only if it is handling code P: whether a C
    concern outside the viewer's audience is linked must make no difference, web or API."""
    from rest_framework.test import APIClient

    from waymark.concerns.tests.factories import concern_make
    from waymark.people.tests.factories import YoungPersonFactory

    lead, recorder, viewer = worker(), worker(), worker()
    case = screened_case(lead=lead)
    assessment = assessment_make(case, by=lead, ratings={})
    child = YoungPersonFactory(created_by_agency=recorder.agency)
    shared = concern_make(actor=recorder, young_people=[child])
    secret = concern_make(
        actor=recorder,
        young_people=[child],
        handling_code="C",
        handling_conditions="Not to be shared beyond the recording agency",
    )
    assessment.concerns.add(shared)
    client.force_login(viewer)
    api = APIClient()
    api.force_authenticate(viewer)
    page_url = f"/cases/{case.reference}/assessments/{assessment.number}/"
    api_url = f"/api/cases/{case.reference}/assessments/"

    def seen() -> tuple[str, Any]:
        body = client.get(page_url).content.decode()
        start = body.index('id="evidence"')
        return body[start : body.index("</main>", start)], api.get(api_url).json()

    before = seen()
    assert "Fewer than 5 further concerns are linked" in before[0]
    assert before[1][0]["concerns_not_shown"] is None
    assessment.concerns.add(secret)
    assert seen() == before
    assessment.concerns.remove(shared)
    page, listed = seen()
    assert "No concerns linked as evidence." in page and "further concerns" not in page
    assert listed[0]["concerns_not_shown"] == 0
