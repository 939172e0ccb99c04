"""Services of context cases: each writes with its audit event, and bad input writes nothing."""

import datetime
from typing import Any

import h3
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.audit.models import AuditEvent
from waymark.casework.cases.selectors import (
    cases_overdue,
    context_cases_linked_to,
    linked_children_shown,
    linked_young_people,
)
from waymark.casework.cases.services import (
    case_link_add,
    context_case_close,
    context_case_refer,
    context_case_screen,
    context_case_transfer,
    online_space_create,
    review_record,
)
from waymark.casework.models import (
    CaseLink,
    CaseStatus,
    ContextCase,
    LeadTransfer,
    Review,
    Screening,
)
from waymark.casework.names import known_child_names_in
from waymark.casework.tests.factories import (
    ActionFactory,
    CaseLinkFactory,
    ContextCaseFactory,
    ContextPlanFactory,
    OpenCaseFactory,
    PartnerFactory,
)
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import Neighbourhood, OnlineSpace
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

TODAY = timezone.localdate()


def refer(actor: Any, **overrides: Any) -> ContextCase:
    data: dict[str, Any] = {
        "subject_kind": "place",
        "place": PlaceFactory(),
        "reason": "Children approached by older males after school.",
        "source": "Youth worker",
        "reliability": "reliable",
    }
    data.update(overrides)
    return context_case_refer(actor=actor, **data)


def test_a_referral_makes_a_case_led_by_the_referrer(practitioner):
    case = refer(practitioner)
    assert case.status == CaseStatus.REFERRED
    assert (case.lead_agency, case.lead_worker) == (practitioner.agency, practitioner)
    assert case.referral.referred_by == practitioner
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="create").exists()


def test_an_area_referral_makes_a_neighbourhood_of_its_cells(practitioner):
    cell = h3.latlng_to_cell(52.63, -1.13, 9)
    case = refer(
        practitioner,
        subject_kind="neighbourhood",
        place=None,
        cells=[cell, *h3.grid_ring(cell, 1)],
        area_evidence={"cells": [cell], "gi_z": 3.1, "emerging_category": "new"},
    )
    assert len(case.neighbourhood.cells) == 7
    assert case.referral.area_evidence["gi_z"] == 3.1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"reliability": "certain"}, "reliability"),
        ({"place": None}, "place"),
        ({"subject_kind": "neighbourhood", "place": None, "cells": ["not-a-cell"]}, "cells"),
        (
            {
                "subject_kind": "neighbourhood",
                "place": None,
                "cells": [h3.latlng_to_cell(52.6, -1.1, 8), h3.latlng_to_cell(52.6, -1.1, 9)],
            },
            "cells",
        ),
    ],
)
def test_a_bad_referral_says_why_and_writes_nothing(practitioner, overrides, field):
    with pytest.raises(ValidationError) as caught:
        refer(practitioner, **overrides)
    assert field in caught.value.message_dict
    assert not ContextCase.objects.exists()
    assert not Neighbourhood.objects.exists()


def test_the_lead_worker_must_work_for_the_lead_agency(practitioner, other_agency):
    with pytest.raises(ValidationError) as caught:
        refer(practitioner, lead_agency=other_agency, lead_worker=practitioner)
    assert "lead_worker" in caught.value.message_dict


def test_screening_sets_the_threshold_and_a_second_screening_is_refused(practitioner):
    case = refer(practitioner)
    context_case_screen(
        actor=practitioner, case=case, decision="partnership_plus", reason="Three agencies"
    )
    case.refresh_from_db()
    assert (case.status, case.threshold) == (CaseStatus.OPEN, "partnership_plus")
    with pytest.raises(ValidationError, match="already screened"):
        context_case_screen(actor=practitioner, case=case, decision="complex", reason="Again")
    assert Screening.objects.count() == 1
    case.refresh_from_db()
    assert case.threshold == "partnership_plus"


def test_no_further_action_needs_its_reason(practitioner):
    case = refer(practitioner)
    with pytest.raises(ValidationError) as caught:
        context_case_screen(actor=practitioner, case=case, decision="no_further_action", reason="")
    assert caught.value.message_dict["reason"] == ["Enter why no further action is needed"]
    context_case_screen(
        actor=practitioner, case=case, decision="no_further_action", reason="Already in hand"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.NO_FURTHER_ACTION and not case.threshold


def test_a_transfer_is_recorded(practitioner, other_agency):
    case = refer(practitioner)
    police = UserFactory(agency=other_agency)
    context_case_transfer(
        actor=practitioner, case=case, to_agency=other_agency, to_worker=police, reason="Lead"
    )
    case.refresh_from_db()
    assert (case.lead_agency, case.lead_worker) == (other_agency, police)
    transfer = LeadTransfer.objects.get()
    assert (transfer.from_worker, transfer.to_worker) == (practitioner, police)


def test_a_review_before_the_plan_started_is_refused_and_writes_nothing(practitioner):
    plan = ContextPlanFactory(case__lead_agency=practitioner.agency)
    case = plan.case
    with pytest.raises(ValidationError) as caught:
        review_record(
            actor=practitioner,
            case=case,
            held_on=plan.started_on - datetime.timedelta(days=1),
            summary="Early",
        )
    assert caught.value.message_dict["held_on"] == [
        f"The review date must be on or after the plan started, {plan.started_on:%-d %B %Y}"
    ]
    assert not Review.objects.exists()
    review_record(
        actor=practitioner,
        case=case,
        held_on=TODAY,
        summary="Going well",
        next_review_on=TODAY + datetime.timedelta(days=90),
    )
    case.refresh_from_db()
    assert case.next_review_on == TODAY + datetime.timedelta(days=90)


def test_no_review_without_a_plan(practitioner):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    with pytest.raises(ValidationError, match="no context plan"):
        review_record(actor=practitioner, case=case, held_on=TODAY, summary="x")


def test_closing_needs_a_reason_and_keeps_the_date(practitioner):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    with pytest.raises(ValidationError) as caught:
        context_case_close(actor=practitioner, case=case, reason=" ")
    assert caught.value.message_dict["reason"] == ["Enter why the case is closed"]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    context_case_close(actor=practitioner, case=case, reason="The place is safer")
    case.refresh_from_db()
    assert (case.status, case.closed_on) == (CaseStatus.CLOSED, TODAY)


def test_an_online_space_is_recorded_once(practitioner):
    online_space_create(
        actor=practitioner, platform="Discord", name="Eastbridge Gaming", kind="server"
    )
    with pytest.raises(ValidationError) as caught:
        online_space_create(
            actor=practitioner, platform="discord", name="eastbridge gaming", kind="server"
        )
    assert "name" in caught.value.message_dict
    assert OnlineSpace.objects.count() == 1


def test_linked_young_people_say_why(practitioner):
    school = PlaceFactory(kind="school")
    pupil = YoungPersonFactory(school=school)
    seen = YoungPersonFactory(created_by_agency=practitioner.agency)
    concern_make(actor=practitioner, young_people=[seen], place=school)
    concern_make(
        actor=practitioner,
        young_people=[YoungPersonFactory(created_by_agency=practitioner.agency)],
        place=school,
        handling_code="C",
        handling_conditions="Not to be shared",
    )
    case = refer(practitioner, place=school)
    linked = YoungPersonFactory()
    case_link_add(actor=practitioner, case=case, young_person=linked, reason="Youth worker saw")
    with pytest.raises(ValidationError):
        case_link_add(actor=practitioner, case=case, young_person=linked, reason="Again")
    assert CaseLink.objects.count() == 1
    why = {item.young_person_id: item.why for item in linked_young_people(case=case)}
    assert why == {
        pupil.pk: ("Pupil of the school",),
        seen.pk: ("Concern at the place",),
        linked.pk: ("Linked by a practitioner",),
    }
    assert context_cases_linked_to(young_person=seen) == [case]
    assert context_cases_linked_to(young_person=pupil) == [case]


def test_a_viewer_who_may_see_none_of_the_children_gets_a_suppressed_count(
    practitioner, outsider, django_assert_max_num_queries
):
    case = OpenCaseFactory()
    children = YoungPersonFactory.create_batch(3, created_by_agency=practitioner.agency)
    for child in children:
        CaseLinkFactory(case=case, young_person=child)
    hidden = linked_children_shown(user=outsider, case=case)
    assert hidden.rows == [] and hidden.count_text == "fewer than 5"
    shown = linked_children_shown(user=practitioner, case=case)
    assert {r.person.label for r in shown.rows} == {c.display_name for c in children}
    assert shown.rows[0].practitioner_reason


def test_linked_children_take_few_queries_however_many(practitioner, django_assert_max_num_queries):
    case = OpenCaseFactory()
    for child in YoungPersonFactory.create_batch(30, created_by_agency=practitioner.agency):
        CaseLinkFactory(case=case, young_person=child)
    with django_assert_max_num_queries(12):
        shown = linked_children_shown(user=practitioner, case=case)
    assert len(shown.rows) == 30


def test_overdue_reviews_and_actions_by_agency(db):
    yesterday = TODAY - datetime.timedelta(days=1)
    late = OpenCaseFactory(next_review_on=yesterday)
    OpenCaseFactory(next_review_on=TODAY)  # due today, not overdue
    ContextCaseFactory(status="closed", next_review_on=yesterday)
    partner = PartnerFactory()
    plan = ContextPlanFactory(case=late)
    action = ActionFactory(
        goal__plan=plan,
        owner_kind="partner",
        owner_agency=None,
        owner_partner=partner,
        due_on=yesterday,
    )
    ActionFactory(goal__plan=plan, due_on=yesterday, status="done")
    groups = {g.agency: g for g in cases_overdue(today=TODAY)}
    assert groups[late.lead_agency].reviews == [late]
    assert groups[partner.agency].actions == [action]
    only = cases_overdue(today=TODAY, agency=partner.agency)
    assert [g.agency for g in only] == [partner.agency]


def test_known_child_names_are_found_without_saying_whose(db):
    YoungPersonFactory(given_name="Zarathustra", family_name="Quinlan-Okonkwo")
    found = known_child_names_in(
        texts=["Seen with zarathustra quinlan-okonkwo at the arcade", "nothing here"]
    )
    assert found == ["zarathustra quinlan-okonkwo"]
    assert known_child_names_in(texts=["Zarathustra was there", "Quinlan-Okonkwo"]) == []


def test_only_a_worker_with_the_right_may_refer(db):
    analyst = UserFactory(role=Role.ANALYST, agency=AgencyFactory())
    with pytest.raises(PermissionDenied):
        refer(analyst)
    assert not ContextCase.objects.exists()


def test_only_the_lead_agency_may_screen_transfer_review_or_close(practitioner, outsider):
    case = refer(practitioner)
    lead = practitioner.agency.name
    with pytest.raises(PermissionDenied, match=f"Only {lead}, which leads this case, can screen"):
        context_case_screen(actor=outsider, case=case, decision="universal", reason="Seen")
    with pytest.raises(ValidationError) as caught:
        context_case_close(actor=practitioner, case=case, reason="Quiet now")
    assert "has not been screened" in caught.value.messages[0]
    context_case_screen(actor=practitioner, case=case, decision="universal", reason="Seen")
    with pytest.raises(PermissionDenied, match="can close it"):
        context_case_close(actor=outsider, case=case, reason="Quiet now")
    with pytest.raises(PermissionDenied, match="can transfer it"):
        context_case_transfer(
            actor=outsider, case=case, to_agency=outsider.agency, reason="Ours now"
        )
    case.refresh_from_db()
    assert (case.status, case.lead_agency) == (CaseStatus.OPEN, practitioner.agency)


def test_a_case_with_no_review_date_is_not_counted_as_on_time(practitioner):
    from waymark.casework.cases.selectors import case_reviews_for

    mine = {"lead_agency": practitioner.agency, "lead_worker": practitioner}
    OpenCaseFactory(next_review_on=TODAY, **mine)
    OpenCaseFactory(next_review_on=None, **mine)
    OpenCaseFactory(next_review_on=TODAY - datetime.timedelta(days=1), **mine)
    reviews = case_reviews_for(user=practitioner, today=TODAY)
    assert reviews is not None
    assert (reviews.on_time, reviews.no_review_date, len(reviews.overdue)) == (1, 1, 1)
