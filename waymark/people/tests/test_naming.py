"""The naming primitive: a child is named only where the viewer may see their record, and a
person of concern only where the viewer may see persons of concern; each name shown is a read."""

from django.utils.html import escape

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.people.naming import people_shown, persons_of_concern_shown
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory


def _read(user, obj):
    return AuditEvent.objects.filter(
        actor=user, action="view", object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).exists()


def test_a_child_is_named_only_for_a_viewer_who_may_see_the_record(practitioner, outsider):
    ours = YoungPersonFactory(
        given_name="Ottoline", family_name="Brackenridge", created_by_agency=practitioner.agency
    )
    theirs = YoungPersonFactory(created_by_agency=outsider.agency)
    shown = people_shown(user=practitioner, young_people=[ours, theirs.pk])
    assert (shown[ours.pk].visible, shown[ours.pk].label) == (True, "Ottoline Brackenridge")
    assert (shown[theirs.pk].visible, shown[theirs.pk].label) == (False, theirs.reference)
    # Naming is reading: the child named is recorded, the child shown by reference is not.
    assert _read(practitioner, ours)
    assert not _read(practitioner, theirs)


def test_a_person_of_concern_is_named_only_for_a_viewer_who_may_see_them(practitioner):
    person = PersonOfConcernFactory(names="Barnaby Quillfeather", nicknames="")
    analyst = UserFactory(agency=practitioner.agency, role=Role.ANALYST)
    assert persons_of_concern_shown(user=practitioner, persons=[person])[person.pk].label == (
        "Barnaby Quillfeather"
    )
    assert _read(practitioner, person)
    hidden = persons_of_concern_shown(user=analyst, persons=[person])[person.pk]
    assert (hidden.visible, hidden.label) == (False, person.reference)
    assert not _read(analyst, person)


def test_a_concern_page_names_only_the_children_the_viewer_may_see(client, practitioner, outsider):
    """A concern is visible when any one of its children is: the others are shown by reference."""
    hidden = YoungPersonFactory(
        given_name="Isadora", family_name="Fenwick-Oyelaran", created_by_agency=practitioner.agency
    )
    known = YoungPersonFactory(
        given_name="Tobiah", family_name="Marchbanks", created_by_agency=outsider.agency
    )
    concern = concern_make(actor=practitioner, young_people=[hidden, known])
    client.force_login(outsider)
    response = client.get(f"/concerns/{concern.reference}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert escape("Tobiah Marchbanks") in body
    assert hidden.reference in body
    assert "Isadora" not in body and escape("Fenwick-Oyelaran") not in body
    assert _read(outsider, known) and _read(outsider, concern)
    assert not _read(outsider, hidden)


def test_the_api_labels_a_page_of_young_people_through_the_primitive(api, practitioner):
    person = YoungPersonFactory(
        given_name="Wilhelmina", family_name="Strachan", created_by_agency=practitioner.agency
    )
    response = api.get("/api/young-people/")
    assert response.status_code == 200
    assert [r["display_name"] for r in response.json()["results"]] == ["Wilhelmina Strachan"]
    events = AuditEvent.objects.filter(request_id=response["X-Request-ID"])
    assert list(events.values_list("object_type", "object_id")) == [
        ("people.youngperson", str(person.pk))
    ]
