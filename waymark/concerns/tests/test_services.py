import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association, Concern
from waymark.concerns.services import ConcernInput, association_record, concern_record
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_concern_about_two_young_people_links_them_with_the_concern_as_source(practitioner):
    a, b = YoungPersonFactory(), YoungPersonFactory()
    place = PlaceFactory()
    concern = concern_make(actor=practitioner, young_people=[a, b], place=place)
    link = Association.objects.get()
    assert {link.young_person_id, link.other_young_person_id} == {a.pk, b.pk}
    assert link.young_person_id < link.other_young_person_id
    assert list(link.source_concerns.all()) == [concern]
    assert link.review_by > timezone.localdate()
    assert concern.recording_agency == practitioner.agency
    assert AuditEvent.objects.filter(object_type="concerns.concern", action="create").count() == 1


def test_second_concern_strengthens_the_existing_link(practitioner):
    a = YoungPersonFactory(created_by_agency=practitioner.agency)
    b = YoungPersonFactory(created_by_agency=practitioner.agency)
    first = concern_make(
        actor=practitioner,
        young_people=[a, b],
        occurred_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    second = concern_make(actor=practitioner, young_people=[b, a], link_reliability="confirmed")
    link = Association.objects.get()
    assert link.reliability == "confirmed"
    assert set(link.source_concerns.all()) == {first, second}
    assert link.first_seen < link.last_seen


def test_young_person_linked_to_person_of_concern(practitioner):
    a = YoungPersonFactory()
    poc = PersonOfConcernFactory()
    concern_make(
        actor=practitioner, young_people=[a], persons_of_concern=[poc], place=PlaceFactory()
    )
    link = Association.objects.get()
    assert link.person_of_concern == poc and link.other_young_person is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_on": timezone.localdate() + datetime.timedelta(days=1)}, "occurred_on"),
        ({"handling_code": "C"}, "handling_conditions"),
        ({"risks": {}}, "risks"),
        ({"narrative": "  "}, "narrative"),
        ({"source_evaluation": "9"}, "source_evaluation"),
    ],
)
def test_invalid_concern_writes_nothing(practitioner, overrides, field):
    a, b = YoungPersonFactory(), YoungPersonFactory()
    with pytest.raises(ValidationError) as exc:
        concern_make(actor=practitioner, young_people=[a, b], place=PlaceFactory(), **overrides)
    assert field in exc.value.message_dict
    assert Concern.objects.count() == 0
    assert Association.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="concerns.concern").exists()


def test_missing_place_must_be_answered(practitioner):
    data = ConcernInput(
        occurred_on=timezone.localdate(),
        narrative="x",
        source_evaluation="1",
        information_assessment="A",
        handling_code="P",
        young_people=[(YoungPersonFactory(), "at_risk")],
        risks={"cse": []},
    )
    with pytest.raises(ValidationError) as exc:
        concern_record(actor=practitioner, data=data)
    assert "place" in exc.value.message_dict
    assert Concern.objects.count() == 0


def test_link_cannot_cite_a_concern_that_does_not_name_both_young_people(practitioner):
    a, b, c = YoungPersonFactory(), YoungPersonFactory(), YoungPersonFactory()
    concern = concern_make(actor=practitioner, young_people=[a, b], place=PlaceFactory())
    with pytest.raises(ValidationError) as exc:
        association_record(
            actor=practitioner,
            young_person=a,
            other_young_person=c,
            kind="friend",
            reliability="unconfirmed",
            seen_on=timezone.localdate(),
            source_concern=concern,
        )
    assert "source_concern" in exc.value.message_dict
    assert Association.objects.filter(other_young_person=c).count() == 0


def test_link_review_date_must_be_in_the_future(practitioner):
    a, b = YoungPersonFactory(), YoungPersonFactory()
    with pytest.raises(ValidationError) as exc:
        association_record(
            actor=practitioner,
            young_person=a,
            other_young_person=b,
            kind="friend",
            reliability="unconfirmed",
            seen_on=timezone.localdate(),
            source_note="Seen together by youth worker",
            review_by=timezone.localdate(),
        )
    assert "review_by" in exc.value.message_dict
    assert Association.objects.count() == 0
