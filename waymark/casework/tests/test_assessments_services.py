"""Recording assessments: the instrument's areas and scale, screening first, evidence the actor
may see, numbers per case. Bad input writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.people.tests.factories import YoungPersonFactory

from ..assessments.selectors import assessment_comparison
from ..assessments.services import assessment_record
from ..models import Assessment, AssessmentArea, ScreeningDecision, YoungVoice
from .factories_plans import assessment_make, case_make, case_screen, screened_case, worker

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
STARTED = TODAY - datetime.timedelta(days=10)

SIDES = {
    "young_people": {"findings": "Young people gather after school", "rating": 3},
    "guardianship": {"findings": "No staff after 6pm", "rating": 2},
    "environment": {"findings": "Poor lighting by the bins", "rating": 2},
}


def nothing_written():
    return not (
        Assessment.objects.exists()
        or AssessmentArea.objects.exists()
        or YoungVoice.objects.exists()
        or AuditEvent.objects.filter(object_type="casework.assessment").exists()
    )


def test_a_complete_location_assessment_is_recorded_numbered_and_audited():
    lead = worker()
    case = screened_case(lead=lead)
    first = assessment_record(
        actor=lead,
        case=case,
        started_on=STARTED,
        completed_on=TODAY,
        methods=["observation", "youth_panel"],
        areas=SIDES,
        voices=[{"quote": "The lights are always off", "attributed_to": ""}, {"quote": ""}],
    )
    second = assessment_record(actor=lead, case=case, started_on=TODAY)
    assert (first.number, second.number) == (1, 2)
    assert first.kind == "location"
    assert {a.area: a.rating for a in first.areas.all()} == {
        "young_people": 3,
        "guardianship": 2,
        "environment": 2,
    }
    # One voice: a blank box is not a voice, and voices carry no name unless given.
    assert list(first.voices.values_list("quote", "attributed_to")) == [
        ("The lights are always off", "")
    ]
    assert AuditEvent.objects.filter(
        object_type="casework.assessment", object_id=str(first.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("kind", "area", "rating", "message"),
    [
        ("park", "guardianship", 6, "Rate guardianship from 1 to 5"),
        ("park", "guardianship", 0, "Rate guardianship from 1 to 5"),
        ("school", "prevention", 4, "Choose red, amber or green for prevention"),
    ],
)
def test_a_rating_outside_its_scale_names_the_area_and_the_scale_and_writes_nothing(
    kind, area, rating, message
):
    lead = worker()
    case = screened_case(lead=lead, kind=kind)
    keys = (
        ["structures", "prevention", "identification", "response"]
        if kind == "school"
        else list(SIDES)
    )
    areas = {k: {"findings": "Seen", "rating": 2} for k in keys}
    areas[area]["rating"] = rating
    with pytest.raises(ValidationError) as raised:
        assessment_record(
            actor=lead, case=case, started_on=STARTED, completed_on=TODAY, areas=areas
        )
    assert raised.value.message_dict == {f"{area}_rating": [message]}
    assert nothing_written()


def test_a_complete_assessment_needs_every_area():
    lead = worker()
    case = screened_case(lead=lead)
    with pytest.raises(ValidationError) as raised:
        assessment_record(
            actor=lead,
            case=case,
            started_on=STARTED,
            completed_on=TODAY,
            areas={"young_people": SIDES["young_people"]},
        )
    errors = raised.value.message_dict
    assert errors["guardianship_rating"] == ["Rate guardianship from 1 to 5"]
    assert errors["environment_findings"] == [
        "Enter the findings for environment, resources and policy"
    ]
    assert nothing_written()


def test_a_case_is_not_assessed_before_screening_nor_after_no_further_action():
    lead = worker()
    unscreened = case_make(lead=lead)
    with pytest.raises(ValidationError) as raised:
        assessment_record(actor=lead, case=unscreened, started_on=STARTED)
    assert raised.value.message_dict == {
        "case": ["Screen this case and decide its threshold before assessing it"]
    }
    dropped = case_screen(
        case_make(lead=lead), by=lead, decision=ScreeningDecision.NO_FURTHER_ACTION
    )
    with pytest.raises(ValidationError) as raised:
        assessment_record(actor=lead, case=dropped, started_on=STARTED)
    assert "no further action" in raised.value.messages[0]
    assert nothing_written()


def test_evidence_is_only_concerns_the_actor_may_see():
    lead = worker()
    case = screened_case(lead=lead)
    other = worker()  # another agency, involved with another child
    theirs = concern_make(
        actor=other, young_people=[YoungPersonFactory(created_by_agency=other.agency)]
    )
    mine = concern_make(
        actor=lead, young_people=[YoungPersonFactory(created_by_agency=lead.agency)]
    )
    with pytest.raises(ValidationError) as raised:
        assessment_record(actor=lead, case=case, started_on=STARTED, concerns=[mine, theirs])
    assert raised.value.message_dict["concerns"] == [
        f"There is no concern with the reference {theirs.reference} that you can see:"
        " only concerns you can see may be linked as evidence"
    ]
    assert nothing_written()
    assessment = assessment_record(actor=lead, case=case, started_on=STARTED, concerns=[mine])
    assert list(assessment.concerns.all()) == [mine]


def test_re_assessment_is_compared_area_by_area_with_the_one_before():
    lead = worker()
    case = screened_case(lead=lead)
    assessment_make(case, by=lead, ratings={"guardianship": 2, "environment": 4})
    later = assessment_make(case, by=lead, ratings={"guardianship": 4, "environment": 3})
    rows = {r.key: r for r in assessment_comparison(assessment=later).rows}
    assert rows["guardianship"].change == "2 to 4, better"
    assert rows["environment"].change == "4 to 3, worse"
    assert rows["young_people"].change == "3 to 3, no change"
    assert rows["guardianship"].previous_findings == "Findings about guardianship in assessment 1"
