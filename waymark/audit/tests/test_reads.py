"""Reads of personal data: one audit event per record per response, written when the response
is complete; at once when there is no request."""

import pytest

from waymark.audit.models import AuditEvent
from waymark.audit.reads import audit_reads, reads_collected
from waymark.audit.services import audit_record_many
from waymark.people.tests.factories import YoungPersonFactory


def _events(person):
    return AuditEvent.objects.filter(object_type="people.youngperson", object_id=str(person.pk))


def test_a_read_outside_a_request_is_written_at_once(practitioner):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    audit_reads(actor=practitioner, objs=[person], what="flags", purpose="CLI export")
    event = _events(person).get()
    assert (event.action, event.actor, event.changed_fields) == ("view", practitioner, ["flags"])
    assert event.purpose == "CLI export"


def test_reads_in_one_response_become_one_event_per_record(practitioner):
    first = YoungPersonFactory(created_by_agency=practitioner.agency)
    second = YoungPersonFactory(created_by_agency=practitioner.agency)
    with reads_collected():
        audit_reads(actor=practitioner, objs=[first, second])
        audit_reads(actor=practitioner, objs=[first], what="network", purpose="Network of")
        audit_record_many(actor=practitioner, action="view", objs=[second, first])
        # Nothing is written until the response is complete.
        assert not AuditEvent.objects.exists()
    assert _events(second).count() == 1
    event = _events(first).get()
    assert event.changed_fields == ["network"]
    assert event.purpose == "Network of"
    # One event per record, and no more.
    assert AuditEvent.objects.count() == 2


def test_nothing_is_written_for_a_response_that_failed(practitioner):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    with pytest.raises(RuntimeError), reads_collected():
        audit_reads(actor=practitioner, objs=[person])
        raise RuntimeError("the page failed")
    assert not _events(person).exists()


def test_a_write_is_not_a_read(practitioner):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    with pytest.raises(ValueError, match="Not a read"):
        audit_reads(actor=practitioner, objs=[person], action="update")


def test_a_page_that_names_a_child_many_times_records_one_read_in_that_request(
    client, practitioner
):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    client.force_login(practitioner)
    response = client.get(f"/young-people/{person.reference}/")
    assert response.status_code == 200
    # The heading, the button, and the captions name her; one read is recorded.
    event = _events(person).get()
    assert event.request_id == response["X-Request-ID"]
    assert event.actor == practitioner
