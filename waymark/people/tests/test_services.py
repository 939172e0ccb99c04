import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.people.models import PersonOfConcern, YoungPerson
from waymark.people.services import (
    person_of_concern_create,
    young_person_create,
    young_person_update,
)
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_create_normalises_identifiers_and_gives_a_reference(practitioner):
    person = young_person_create(
        actor=practitioner,
        given_name="Amir",
        family_name="Shah",
        date_of_birth=datetime.date(2011, 3, 4),
        nhs_number="943-476-5919",
        upn=" a123456789012 ",
    )
    assert person.nhs_number == "9434765919"
    assert person.upn == "A123456789012"
    assert person.reference.startswith("YP-") and len(person.reference) == 8
    event = AuditEvent.objects.get(object_type="people.youngperson", action="create")
    assert "nhs_number" in event.changed_fields
    assert "Amir" not in str(event.changed_fields)  # field names, never values


def test_update_refuses_a_future_date_of_birth_and_keeps_the_old_one(practitioner):
    person = YoungPersonFactory()
    dob = person.date_of_birth
    with pytest.raises(ValidationError) as exc:
        young_person_update(
            actor=practitioner,
            young_person=person,
            date_of_birth=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert "date_of_birth" in exc.value.message_dict
    person.refresh_from_db()
    assert person.date_of_birth == dob
    assert not AuditEvent.objects.filter(action="update").exists()


def test_update_records_changed_field_names(practitioner):
    person = YoungPersonFactory()
    young_person_update(actor=practitioner, young_person=person, strengths="Loves art")
    assert YoungPerson.objects.get(pk=person.pk).strengths == "Loves art"
    assert AuditEvent.objects.get(action="update").changed_fields == ["strengths"]


def test_person_of_concern_with_a_bad_vehicle_writes_nothing(practitioner):
    with pytest.raises(ValidationError) as exc:
        person_of_concern_create(
            actor=practitioner, nicknames="Ty", vehicles=[{"make": "Ford"}, {}]
        )
    assert exc.value.message_dict["vehicles"] == ["Vehicle 2: enter a make, colour or registration"]
    assert PersonOfConcern.objects.count() == 0
