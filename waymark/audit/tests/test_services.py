import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from waymark.audit.models import AuditEvent, LawfulBasis, ShareRecord
from waymark.audit.services import share_record
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

VALID = {
    "recipient_organisation": "Eastbridge Police",
    "recipient_person": "DS Priya Shah",
    "purpose": "Strategy meeting about exploitation at Mill Lane Park",
    "lawful_basis": LawfulBasis.SAFEGUARDING,
}


def test_a_share_is_recorded_with_an_export_event(practitioner):
    people = [YoungPersonFactory(created_by_agency=practitioner.agency) for _ in range(2)]
    share = share_record(actor=practitioner, objs=people, **VALID)
    share.refresh_from_db()
    assert share.shared_objects == [f"people.youngperson:{p.pk}" for p in people]
    assert share.shared_by == practitioner
    assert share.agency == practitioner.agency
    assert share.lawful_basis == "sch1_para18"
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.object_id) == ("audit.sharerecord", str(share.pk))
    assert event.actor == practitioner and event.agency == practitioner.agency
    assert event.purpose == VALID["purpose"]
    assert "lawful_basis" in event.changed_fields
    assert "Priya" not in str(event.changed_fields)  # names of fields, never values


def test_a_description_is_enough_to_say_what_was_shared(practitioner):
    share = share_record(actor=practitioner, description="Panel pack, 3 March panel", **VALID)
    assert share.shared_objects == [] and share.description == "Panel pack, 3 March panel"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"purpose": "  "}, "purpose"),
        ({"purpose": ""}, "purpose"),
        ({"lawful_basis": "legitimate_interests"}, "lawful_basis"),
        ({"lawful_basis": ""}, "lawful_basis"),
        ({"recipient_organisation": ""}, "recipient_organisation"),
        ({"description": ""}, "description"),
        ({"purpose": "x" * 501}, "purpose"),
    ],
)
def test_an_incomplete_share_is_refused_and_writes_nothing(practitioner, change, field):
    events = AuditEvent.objects.count()
    arguments = {**VALID, "description": "Chronology", **change}
    with pytest.raises(ValidationError) as caught:
        share_record(actor=practitioner, **arguments)
    assert field in caught.value.message_dict
    assert ShareRecord.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_a_share_needs_a_signed_in_user(db):
    with pytest.raises(ValidationError) as caught:
        share_record(actor=AnonymousUser(), description="Chronology", **VALID)
    assert "shared_by" in caught.value.message_dict
    assert not ShareRecord.objects.exists() and not AuditEvent.objects.exists()


def test_refusal_happens_before_any_write(practitioner):
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
        share_record(actor=practitioner, description="x", **{**VALID, "lawful_basis": "nope"})
    assert not [q for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
