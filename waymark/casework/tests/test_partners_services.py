"""The partner register's services and selectors: what they refuse, what they write and audit,
and which refreshes of training fall due for which agency."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.casework.models import Guardianship, Partner, PartnerContact, TrainingRecord
from waymark.casework.partners.selectors import (
    partner_actions,
    partner_contacts_read,
    training_refresh_due,
)
from waymark.casework.partners.services import (
    guardianship_add,
    partner_contact_add,
    partner_create,
    partner_update,
    training_record_add,
)
from waymark.contexts.tests.factories import PlaceFactory

from .factories_partners import (
    PartnerCaseFactory,
    PartnerFactory,
    TrainingRecordFactory,
    partner_action_make,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_a_partner_belongs_to_the_agency_of_the_worker_who_adds_it(practitioner):
    partner = partner_create(actor=practitioner, name=" Station Kebabs ", kind="takeaway")
    assert (partner.name, partner.agency, partner.created_by) == (
        "Station Kebabs",
        practitioner.agency,
        practitioner,
    )
    assert AuditEvent.objects.filter(
        action="create", object_type="casework.partner", object_id=str(partner.pk)
    ).exists()


def test_the_same_partner_cannot_be_added_twice(practitioner):
    partner_create(actor=practitioner, name="Station Kebabs", kind="takeaway")
    with pytest.raises(ValidationError) as refused:
        partner_create(actor=practitioner, name="station kebabs", kind="takeaway")
    assert refused.value.message_dict == {
        "name": ["Station Kebabs is already in the register as a takeaway partner"]
    }
    assert Partner.objects.count() == 1


def test_only_the_owning_agency_changes_a_partner(practitioner, outsider):
    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    with pytest.raises(PermissionDenied):
        partner_update(actor=outsider, partner=partner, name="Quay Hotel and Bar")
    partner_update(actor=practitioner, partner=partner, kind="licensed")
    partner.refresh_from_db()
    assert partner.kind == "licensed"
    assert AuditEvent.objects.get(action="update", object_type="casework.partner").changed_fields


def test_a_refresh_date_not_after_the_training_date_is_refused_and_nothing_is_written(
    practitioner,
):
    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    events = AuditEvent.objects.count()
    delivered = datetime.date(2026, 3, 7)
    for refresh in (delivered, delivered - datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as refused:
            training_record_add(
                actor=practitioner,
                partner=partner,
                course="Exploitation awareness",
                delivered_on=delivered,
                number_trained=0,
                refresh_due=refresh,
            )
        assert refused.value.message_dict == {
            "number_trained": ["The number of staff trained must be 1 or more"],
            "refresh_due": ["The refresh date must be after the training date, 7 March 2026"],
        }
    assert not TrainingRecord.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_partner_guards_a_place_once(practitioner):
    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    place = PlaceFactory(name="Quay Street")
    guardianship_add(actor=practitioner, partner=partner, place=place, hours="Mon-Sun  18:00-02:00")
    assert Guardianship.objects.get().hours == "Mon-Sun 18:00-02:00"
    with pytest.raises(ValidationError) as refused:
        guardianship_add(actor=practitioner, partner=partner, place=place, hours="25:00-26:00")
    assert refused.value.message_dict == {
        "hours": ["25:00 is not a time of day: use the 24-hour clock, like 22:00"],
        "place": ["Quay Hotel is already recorded as a guardian of Quay Street"],
    }


def test_contacts_are_encrypted_at_rest_and_reading_them_is_audited(practitioner, outsider):
    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    contact = partner_contact_add(
        actor=practitioner,
        partner=partner,
        name="Marguerite Fairweather",
        role="Duty manager",
        phone="01632 960 417",
        email="m.fairweather@example.com",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, email FROM casework_partnercontact WHERE id = %s", [contact.pk]
        )
        stored = " ".join(cursor.fetchone())
    for plaintext in ("Marguerite", "Fairweather", "960 417", "fairweather@example"):
        assert plaintext not in stored

    # Another agency may read the register, and its reading is recorded as the owner's would be.
    (read,) = partner_contacts_read(user=outsider, partner=partner)
    assert (read.name, read.email) == ("Marguerite Fairweather", "m.fairweather@example.com")
    assert AuditEvent.objects.filter(
        actor=outsider,
        action="view",
        object_type="casework.partnercontact",
        object_id=str(contact.pk),
    ).exists()


def test_a_contact_needs_a_way_to_reach_them(practitioner):
    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    with pytest.raises(ValidationError) as refused:
        partner_contact_add(actor=practitioner, partner=partner, name="Jo", email="jo@")
    assert refused.value.message_dict == {
        "email": ["Enter an email address in the correct format, like name@example.com"]
    }
    with pytest.raises(ValidationError) as refused:
        partner_contact_add(actor=practitioner, partner=partner, name="Jo")
    assert refused.value.message_dict == {"phone": ["Enter a telephone number or an email address"]}
    assert not PartnerContact.objects.exists()


def test_refreshes_due_are_the_owning_agencys_latest_of_each_course(agency, other_agency):
    ours: Any = PartnerFactory(agency=agency, name="Quay Hotel")
    theirs: Any = PartnerFactory(agency=other_agency, name="Station Taxis")

    def trained(partner: Any, course: str, days_ago: int, due_in: int) -> Any:
        return TrainingRecordFactory(
            partner=partner,
            course=course,
            delivered_on=TODAY - datetime.timedelta(days=days_ago),
            refresh_due=TODAY + datetime.timedelta(days=due_in),
        )

    overdue = trained(ours, "Exploitation awareness", 400, -5)
    soon = trained(ours, "First aid", 300, 20)
    trained(ours, "Licensing", 100, 45)  # not yet due
    trained(ours, "Night staff", 500, -100)  # refreshed since:
    trained(ours, "night staff", 10, 355)
    trained(theirs, "Exploitation awareness", 400, -5)  # another agency's partner

    due = list(training_refresh_due(agency=agency, today=TODAY))
    assert due == [overdue, soon]
    assert list(training_refresh_due(agency=agency, today=TODAY, within_days=60))[-1].course == (
        "Licensing"
    )


def test_a_partners_actions_span_every_case(agency):
    partner: Any = PartnerFactory(agency=agency)
    later = partner_action_make(partner=partner, due_on=TODAY + datetime.timedelta(days=40))
    sooner = partner_action_make(
        partner=partner,
        case=PartnerCaseFactory(place__name="Riverside Arcade"),
        due_on=TODAY + datetime.timedelta(days=5),
    )
    partner_action_make(partner=PartnerFactory(agency=agency))  # someone else's
    assert list(partner_actions(partner=partner)) == [sooner, later]
    assert sooner.goal.plan.case.subject_name == "Riverside Arcade"


def test_a_place_submitted_twice_at_once_is_refused_not_an_error(practitioner, monkeypatch):
    """The second of two submissions that both passed the check before either was saved."""
    from waymark.casework.partners import services

    partner = partner_create(actor=practitioner, name="Quay Hotel", kind="hotel")
    place = PlaceFactory(name="Quay Street")
    guardianship_add(actor=practitioner, partner=partner, place=place, hours="18:00-02:00")
    monkeypatch.setattr(services, "guardian_already", lambda **_: False)
    with pytest.raises(ValidationError) as refused:
        guardianship_add(actor=practitioner, partner=partner, place=place, hours="18:00-02:00")
    assert refused.value.message_dict == {
        "place": ["Quay Hotel is already recorded as a guardian of Quay Street"]
    }
    assert Guardianship.objects.count() == 1
