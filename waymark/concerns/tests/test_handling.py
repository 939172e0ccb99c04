"""Handling code C: only the recording agency and the agencies its conditions name see it."""

import pytest
from django.core.exceptions import ValidationError

from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Concern
from waymark.concerns.selectors import (
    association_list_for_young_person,
    concern_list_visible_to,
)
from waymark.concerns.services import association_record
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for
from waymark.people.services import involvement_start
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(practitioner, outsider):
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    teacher = UserFactory(username="dsl", agency=school)
    child = YoungPersonFactory(created_by_agency=practitioner.agency)
    # Every agency here is involved with the child; only the handling code differs.
    for user in (outsider, teacher):
        involvement_start(
            actor=user, agency=user.agency, young_person=child, source="manager", purpose="Test"
        )
    return school, teacher, child


def test_a_c_concern_is_seen_only_by_the_recorder_and_the_agencies_named(
    practitioner, outsider, setting
):
    school, teacher, child = setting
    concern = concern_make(
        actor=practitioner,
        young_people=[child],
        place=PlaceFactory(),
        handling_code="C",
        handling_conditions="Police intelligence: share with the school DSL only",
        handling_agencies=[school],
    )
    open_concern = concern_make(actor=practitioner, young_people=[child], place=PlaceFactory())

    def sees(user):
        return set(concern_list_visible_to(user=user).values_list("pk", flat=True))

    assert sees(practitioner) == {concern.pk, open_concern.pk}
    assert sees(teacher) == {concern.pk, open_concern.pk}
    assert sees(outsider) == {open_concern.pk}
    assert client_for(outsider).get(f"/api/concerns/{concern.reference}/").status_code == 404
    assert client_for(teacher).get(f"/api/concerns/{concern.reference}/").status_code == 200


def test_agencies_may_be_named_only_with_conditions(practitioner, setting):
    school, _, child = setting
    with pytest.raises(ValidationError) as exc:
        concern_make(
            actor=practitioner,
            young_people=[child],
            place=PlaceFactory(),
            handling_agencies=[school],
        )
    assert "handling_agencies" in exc.value.message_dict
    assert Concern.objects.count() == 0


def test_the_api_takes_the_agencies_a_c_concern_is_shared_with(api, practitioner, setting):
    school, teacher, child = setting
    payload = {
        "occurred_on": "2026-01-05",
        "place": None,
        "young_people": [{"reference": child.reference, "role": "at_risk"}],
        "risks": [{"category": "cse", "indicators": []}],
        "narrative": "Disclosed to the school nurse.",
        "source_evaluation": "1",
        "information_assessment": "A",
        "handling_code": "C",
        "handling_conditions": "Health information: school DSL only",
        "handling_agencies": [school.pk],
    }
    response = api.post("/api/concerns/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["handling_agencies"] == [school.pk]


def _links_seen(user, child):
    return {
        a.pk: [c.reference for c in a.source_concerns.all()]
        for a in association_list_for_young_person(user=user, young_person=child)
    }


def test_a_link_follows_the_handling_of_the_concerns_behind_it(practitioner, outsider, setting):
    """A C concern's link: its audience alone. A P concern about the same pair makes a link of
    its own, which everyone may know of. No source concern (a manual link): the usual rule for
    links."""
    school, teacher, child = setting
    friend = YoungPersonFactory(created_by_agency=practitioner.agency)
    other = YoungPersonFactory(created_by_agency=practitioner.agency)
    for user in (outsider, teacher):
        for person in (friend, other):
            involvement_start(
                actor=user, agency=user.agency, young_person=person, source="manager", purpose="T"
            )
    secret = concern_make(
        actor=practitioner,
        young_people=[child, friend],
        handling_code="C",
        handling_conditions="Police operation, do not share",
        handling_agencies=[school],
    )
    c_only = secret.associations.get()
    both = concern_make(
        actor=practitioner,
        young_people=[child, other],
        handling_code="C",
        handling_conditions="Police operation, do not share",
    )
    shared = concern_make(actor=practitioner, young_people=[child, other])
    c_link, p_link = both.associations.get(), shared.associations.get()
    assert c_link != p_link and c_link.handling_concern == both
    manual = association_record(
        actor=practitioner,
        young_person=friend,
        other_young_person=other,
        kind="friend",
        reliability="tentative",
        seen_on=secret.occurred_on,
        source_note="Seen together at the skate park",
    )

    assert _links_seen(practitioner, child) == {
        c_only.pk: [secret.reference],
        c_link.pk: [both.reference],
        p_link.pk: [shared.reference],
    }
    assert _links_seen(teacher, child) == {
        c_only.pk: [secret.reference],
        p_link.pk: [shared.reference],
    }
    # Outside every C audience: the C links do not exist; the P concern's link does.
    assert _links_seen(outsider, child) == {p_link.pk: [shared.reference]}
    assert client_for(outsider).get(f"/api/associations/{c_only.pk}/").status_code == 404
    assert manual.pk in _links_seen(outsider, friend)
