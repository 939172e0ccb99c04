"""The partners API: the register, its nested contacts, guardianships, training and actions, and
400s with field messages that write nothing."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.casework.models import Guardianship, Partner, TrainingRecord
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for

from .factories_partners import PartnerContactFactory, PartnerFactory, partner_action_make

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def partner(agency) -> Any:
    return PartnerFactory(agency=agency, name="Quay Hotel", kind="hotel")


def test_create_list_and_update(api, practitioner):
    response = api.post("/api/partners/", {"name": "Station Taxis", "kind": "taxi"}, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["agency"] == practitioner.agency_id
    assert [p["name"] for p in api.get("/api/partners/?kind=taxi").json()["results"]] == [
        "Station Taxis"
    ]
    assert api.get("/api/partners/?kind=hotel").json()["results"] == []
    response = api.patch(f"/api/partners/{pk}/", {"notes": "Night shift 22:00-06:00"})
    assert response.status_code == 200
    assert Partner.objects.get().notes == "Night shift 22:00-06:00"


def test_bad_partner_input_is_a_400_with_field_messages(api):
    response = api.post("/api/partners/", {"name": " ", "kind": "spaceport"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "kind"}
    assert not Partner.objects.exists()


def test_training_whose_refresh_falls_before_it_is_a_400_and_nothing_written(api, partner):
    url = f"/api/partners/{partner.pk}/training/"
    bad = {
        "course": "Exploitation awareness",
        "delivered_on": "2026-03-07",
        "number_trained": 4,
        "refresh_due": "2026-03-07",
    }
    events = AuditEvent.objects.filter(action="create").count()
    response = api.post(url, bad, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "refresh_due": ["The refresh date must be after the training date, 7 March 2026"]
    }
    response = api.post(url, {**bad, "number_trained": 0}, format="json")
    assert response.status_code == 400
    assert response.json()["number_trained"] == ["The number of staff trained must be 1 or more"]
    assert not TrainingRecord.objects.exists()
    assert AuditEvent.objects.filter(action="create").count() == events

    response = api.post(url, {**bad, "refresh_due": "2027-03-07"}, format="json")
    assert response.status_code == 201
    assert api.get(url).json()[0]["refresh_due"] == "2027-03-07"


def test_contacts_are_read_with_an_audit_event_and_added_by_the_owner_only(
    api, practitioner, outsider, partner
):
    contact: Any = PartnerContactFactory(partner=partner, name="Marguerite Fairweather")
    url = f"/api/partners/{partner.pk}/contacts/"
    assert [c["name"] for c in api.get(url).json()] == ["Marguerite Fairweather"]
    assert AuditEvent.objects.filter(
        actor=practitioner, action="view", object_id=str(contact.pk)
    ).exists()

    new = {"name": "Dev Patel", "phone": "01632 960 002"}
    assert client_for(outsider).post(url, new, format="json").status_code == 403
    assert api.post(url, new, format="json").status_code == 201
    assert partner.contacts.count() == 2


def test_a_place_is_guarded_once(api, partner):
    place = PlaceFactory(name="Quay Street")
    url = f"/api/partners/{partner.pk}/guardianships/"
    answer = {"place": place.pk, "hours": "Mon-Sat 07:00-22:00"}
    assert api.post(url, answer, format="json").status_code == 201
    response = api.post(url, answer, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "place": ["Quay Hotel is already recorded as a guardian of Quay Street"]
    }
    assert Guardianship.objects.count() == 1


def test_a_partners_actions(api, partner):
    action = partner_action_make(partner=partner, due_on=TODAY + datetime.timedelta(days=9))
    (row,) = api.get(f"/api/partners/{partner.pk}/actions/").json()["results"]
    assert row["case"] == action.goal.plan.case.reference
    assert row["subject"] == action.goal.plan.case.subject_name
    assert (row["goal"], row["status"]) == (action.goal.outcome, "not_started")


def test_an_analyst_may_read_the_partner_but_not_its_contacts(agency, partner):
    from waymark.accounts.models import Role
    from waymark.accounts.tests.factories import UserFactory

    PartnerContactFactory(partner=partner, name="Marguerite Fairweather")
    analyst = client_for(UserFactory(agency=agency, role=Role.ANALYST))
    assert analyst.get(f"/api/partners/{partner.pk}/").status_code == 200
    assert analyst.get(f"/api/partners/{partner.pk}/contacts/").status_code == 403
    assert not AuditEvent.objects.filter(object_type="casework.partnercontact").exists()
