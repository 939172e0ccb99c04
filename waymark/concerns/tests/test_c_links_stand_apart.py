"""A link drawn by a handling-code C concern rests on that concern alone.

Evidence anyone else adds about the same pair (a link recorded by hand, a P concern, another
agency's C concern) goes into a link of its own, so it can neither reveal the C link nor carry
what the C concern said to people outside its audience.
"""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Association
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import PeerAlert
from waymark.core.tests.helpers import client_for
from waymark.people.models import Involvement
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

C_DAY = timezone.localdate() - datetime.timedelta(days=40)


@pytest.fixture
def pair() -> Any:
    school: Any = AgencyFactory(name="Eastbridge Academy", sector="education")
    police: Any = AgencyFactory(name="Midshire Police", sector="police")
    teacher: Any = UserFactory(agency=school, role=Role.PRACTITIONER)
    officer: Any = UserFactory(agency=police, role=Role.PRACTITIONER)
    a: Any = YoungPersonFactory(created_by_agency=school)
    b: Any = YoungPersonFactory(created_by_agency=school)
    flag = PersonFlagFactory()
    for child in (a, b):
        Involvement.objects.create(
            agency=police,
            young_person=child,
            source="manager",
            purpose="Joint exploitation work",
            lawful_basis="sch1_para18",
        )
    secret = concern_make(
        actor=officer,
        young_people=[a, b],
        persons_of_concern=[flag.person],
        handling_code="C",
        handling_conditions="Police operation, do not share with school",
        link_kind="exploiting",
        link_reliability="confirmed",
        occurred_on=C_DAY,
    )
    return teacher, officer, a, b, flag.person, secret


def test_a_link_recorded_by_hand_does_not_reveal_the_c_link(pair):
    teacher, officer, a, b, _poc, secret = pair
    api = client_for(teacher)
    assert api.get("/api/associations/").json()["results"] == []
    made = api.post(
        "/api/associations/",
        {
            "young_person": a.reference,
            "other_young_person": b.reference,
            "kind": "associate",
            "reliability": "unconfirmed",
            "seen_on": str(timezone.localdate()),
            "source_note": "Seen together at the school gate",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    # Only what the school itself said: nothing of the police's C concern.
    assert (body["kind"], body["reliability"]) == ("associate", "unconfirmed")
    assert body["first_seen"] == str(timezone.localdate())
    assert secret.reference not in made.content.decode()
    listed = api.get("/api/associations/").content.decode()
    assert "exploiting" not in listed and secret.reference not in listed
    # The C link is still there, apart, for its audience.
    links = Association.objects.filter(young_person__in=[a, b], other_young_person__in=[a, b])
    assert sorted((link.kind, link.handling_concern_id) for link in links) == sorted(
        [("exploiting", secret.pk), ("associate", None)]
    )
    theirs = client_for(officer).get("/api/associations/").content.decode()
    assert "exploiting" in theirs and secret.reference in theirs


def test_a_p_concern_or_another_c_concern_about_the_pair_stands_apart(pair):
    teacher, _officer, a, b, poc, secret = pair
    concern_make(actor=teacher, young_people=[a, b], persons_of_concern=[poc])
    concern_make(
        actor=teacher,
        young_people=[a, b],
        handling_code="C",
        handling_conditions="Pastoral, school only",
    )
    api = client_for(teacher)
    listed = api.get("/api/associations/")
    assert secret.reference not in listed.content.decode()
    pairs = [
        link
        for link in listed.json()["results"]
        if {link["young_person"], link["other_young_person"]} == {a.reference, b.reference}
    ]
    # The school sees the pair's links from its own concerns, with only what they said.
    assert pairs and all(link["kind"] != "exploiting" for link in pairs)
    assert all(link["first_seen"] != str(C_DAY) for link in pairs)
    # No early warning from the C link reaches the school.
    for alert in PeerAlert.objects.filter(agencies=teacher.agency):
        assert alert.association is None or alert.association.handling_concern_id != secret.pk
    assert secret.reference not in api.get("/api/peer-alerts/").content.decode()
