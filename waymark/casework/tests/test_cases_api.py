"""Context cases over the API: the lifecycle, bad input answered 400 with field messages and
nothing written, and young people by reference only."""

import datetime
from typing import Any

import h3
from django.test import Client
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.casework.models import CaseStatus, ContextCase, Review, Screening
from waymark.casework.tests.factories import (
    CaseLinkFactory,
    ContextCaseFactory,
    ContextPlanFactory,
    OnlineSpaceFactory,
    OpenCaseFactory,
    ReferralFactory,
    ScreeningFactory,
)
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

TODAY = timezone.localdate()
REFERRAL = {
    "reason": "Older males wait outside after dark",
    "source": "Youth worker",
    "reliability": "reliable",
}


def test_the_lifecycle_over_the_api(api, practitioner):
    place = PlaceFactory()
    made = api.post(
        "/api/cases/", {"subject_kind": "place", "place": place.pk, **REFERRAL}, format="json"
    )
    assert made.status_code == 201, made.json()
    reference = made.json()["reference"]
    screened = api.post(
        f"/api/cases/{reference}/screening/",
        {"decision": "partnership_plus", "reason": "Three agencies"},
        format="json",
    )
    assert screened.status_code == 201
    case = ContextCase.objects.get(reference=reference)
    assert (case.status, case.threshold) == (CaseStatus.OPEN, "partnership_plus")
    closed = api.post(f"/api/cases/{reference}/close/", {"reason": "Safer"}, format="json")
    assert closed.json()["status"] == "closed"


def test_an_area_is_referred_over_the_api(api):
    cell = h3.latlng_to_cell(52.63, -1.13, 9)
    made = api.post(
        "/api/cases/",
        {
            "subject_kind": "neighbourhood",
            "cells": [cell],
            "area_evidence": {"gi_z": 2.9, "emerging_category": "intensifying"},
            **REFERRAL,
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert made.json()["referral"]["area_evidence"]["gi_z"] == 2.9


def test_closing_without_a_reason_is_a_400_and_writes_nothing(api, practitioner):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    response = api.post(f"/api/cases/{case.reference}/close/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"reason": ["Enter why the case is closed"]}
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_screening_twice_is_a_400(api, practitioner):
    screening = ScreeningFactory(
        case__lead_agency=practitioner.agency, case__lead_worker=practitioner
    )
    response = api.post(
        f"/api/cases/{screening.case.reference}/screening/",
        {"decision": "complex", "reason": "Again"},
        format="json",
    )
    assert response.status_code == 400
    assert "a referral is screened once" in response.json()["non_field_errors"][0]
    assert Screening.objects.count() == 1


def test_a_review_before_the_plan_is_a_400(api, practitioner):
    plan = ContextPlanFactory(case__lead_agency=practitioner.agency, case__lead_worker=practitioner)
    response = api.post(
        f"/api/cases/{plan.case.reference}/reviews/",
        {"held_on": str(plan.started_on - datetime.timedelta(days=1)), "summary": "Early"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["held_on"][0].startswith(
        "The review date must be on or after the plan started"
    )
    assert not Review.objects.exists()


def test_a_bad_referral_names_each_field(api):
    response = api.post(
        "/api/cases/",
        {"subject_kind": "place", "reliability": "certain", "concerns": ["CN-ZZZZZ"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"reliability"}
    response = api.post(
        "/api/cases/",
        {"subject_kind": "place", "reason": "", **{"source": "x"}, "reliability": "reliable"},
        format="json",
    )
    assert response.json() == {
        "reason": ["Enter why the context is referred"],
        "place": ["Choose the place referred"],
    }
    assert not ContextCase.objects.exists()


def test_an_agency_not_involved_gets_a_count_not_the_children(api, practitioner, outsider):
    case = OpenCaseFactory()
    child: Any = YoungPersonFactory(created_by_agency=practitioner.agency)
    CaseLinkFactory(case=case, young_person=child)
    theirs = client_for(outsider).get(f"/api/cases/{case.reference}/").json()
    assert theirs["linked"] == {"count": None, "young_people": []}
    assert child.reference not in str(theirs)
    mine = api.get(f"/api/cases/{case.reference}/links/").json()
    assert mine["young_people"][0]["reference"] == child.reference
    assert child.family_name not in str(mine)


def test_online_spaces_are_recorded_and_refused_twice(api):
    made = api.post(
        "/api/online-spaces/",
        {"platform": "Roblox", "name": "Eastbridge Hangout", "kind": "game"},
        format="json",
    )
    assert made.status_code == 201
    again = api.post(
        "/api/online-spaces/",
        {"platform": "roblox", "name": "eastbridge hangout", "kind": "game"},
        format="json",
    )
    assert again.status_code == 400 and "name" in again.json()
    space: Any = OnlineSpaceFactory()
    referred = api.post(
        "/api/cases/",
        {"subject_kind": "online_space", "online_space": space.reference, **REFERRAL},
        format="json",
    )
    assert referred.status_code == 201
    assert referred.json()["subject"]["reference"] == space.reference


def test_the_list_filters_overdue(api):
    late = OpenCaseFactory(next_review_on=TODAY - datetime.timedelta(days=1))
    OpenCaseFactory(next_review_on=TODAY + datetime.timedelta(days=1))
    found = api.get("/api/cases/?overdue=true").json()
    assert [c["reference"] for c in found["results"]] == [late.reference]


def test_a_known_childs_name_in_free_text_is_refused_until_confirmed(api, practitioner):
    YoungPersonFactory(given_name="Zarathustra", family_name="Quinlan-Okonkwo")
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    text = {"reason": "Zarathustra Quinlan-Okonkwo no longer goes there"}
    refused = api.post(f"/api/cases/{case.reference}/close/", text, format="json")
    assert refused.status_code == 400
    assert "full name of a young person known to Waymark" in refused.json()["reason"][0]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    confirmed = api.post(
        f"/api/cases/{case.reference}/close/", {**text, "confirm_names": True}, format="json"
    )
    assert confirmed.status_code == 200


def test_a_handling_code_c_concern_is_never_counted_for_those_outside_its_audience(
    practitioner, outsider
):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    referral = ReferralFactory(case=case)
    secret = concern_make(
        actor=practitioner,
        place=case.place,
        handling_code="C",
        handling_conditions="Not to be shared",
    )
    referral.concerns.add(secret)
    theirs = client_for(outsider)
    assert theirs.get(f"/api/cases/{case.reference}/").json()["referral"]["concerns_not_shown"] == 0
    client = Client()
    client.force_login(outsider)
    assert "you may not see" not in client.get(f"/cases/{case.reference}/").content.decode()
    referral.concerns.add(concern_make(actor=practitioner, place=case.place))
    body = theirs.get(f"/api/cases/{case.reference}/").json()["referral"]
    assert body["concerns"] == [] and body["concerns_not_shown"] is None
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "fewer than 5 concerns you may not see" in page


def test_another_agency_is_told_only_the_lead_may_close(practitioner, outsider):
    case = OpenCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    response = client_for(outsider).post(
        f"/api/cases/{case.reference}/close/", {"reason": "Safer"}, format="json"
    )
    assert response.status_code == 403
    assert "which leads this case, can close it" in response.json()["detail"]
    client = Client()
    client.force_login(outsider)
    page = client.post(f"/cases/{case.reference}/close/", {"reason": "Safer"})
    assert (
        page.status_code == 403 and "which leads this case, can close it" in page.content.decode()
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_the_api_gives_linked_children_by_reference_without_reading_their_records(
    api, practitioner
):
    case = OpenCaseFactory()
    child: Any = YoungPersonFactory(created_by_agency=practitioner.agency)
    CaseLinkFactory(case=case, young_person=child)
    detail = api.get(f"/api/cases/{case.reference}/").json()["linked"]
    links = api.get(f"/api/cases/{case.reference}/links/").json()
    assert (
        detail["young_people"][0]["reference"]
        == child.reference
        == links["young_people"][0]["reference"]
    )
    assert detail["young_people"][0]["practitioner_reason"]
    assert not AuditEvent.objects.filter(object_id=str(child.pk), action="view").exists()


def test_a_screening_dated_before_the_referral_is_a_400(api, practitioner):
    case = ContextCaseFactory(lead_agency=practitioner.agency, lead_worker=practitioner)
    ReferralFactory(case=case, referred_on=TODAY - datetime.timedelta(days=2))
    response = api.post(
        f"/api/cases/{case.reference}/screening/",
        {
            "decision": "universal",
            "reason": "Seen",
            "decided_on": (TODAY - datetime.timedelta(days=3)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 400
    assert "on or after the referral" in response.json()["decided_on"][0]
    assert not Screening.objects.exists()


def test_area_evidence_of_the_wrong_type_is_a_400(api):
    cell = h3.latlng_to_cell(52.63, -1.13, 9)
    response = api.post(
        "/api/cases/",
        {
            "subject_kind": "neighbourhood",
            "cells": [cell],
            "area_evidence": {"gi_z": {"x": 1}, "cells": ["not-a-cell"], "resolution": 9},
            **REFERRAL,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["area_evidence"] == [
        "In the area evidence, cells must be a list of H3 area indexes; gi_z must be a number"
    ]
    assert not ContextCase.objects.exists()
