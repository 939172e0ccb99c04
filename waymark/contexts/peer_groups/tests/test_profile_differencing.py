"""A group's profile gives back nothing about the few members the viewer may not see.

The viewer reads the records (schools, concerns, places) of the members they may see. If the
profile counted the others too, and they were few, its counts minus what the viewer knows would
describe them child by child: a hidden member's school, harm or the places they were seen.
"""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.peer_groups.selectors import group_profile
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db

SECRET_SCHOOL = "Hollowmere Pupil Referral Unit"
SECRET_PLACE = "Flat above the Lantern Cafe"


def test_one_hidden_member_of_a_group_of_six_is_not_described() -> None:
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    csc = AgencyFactory(name="Eastbridge Children's Services")
    teacher: Any = UserFactory(agency=school, role=Role.PRACTITIONER)
    social_worker = UserFactory(agency=csc, role=Role.PRACTITIONER)
    seen: list[Any] = [YoungPersonFactory(created_by_agency=school) for _ in range(5)]
    hidden: Any = YoungPersonFactory(
        created_by_agency=csc,
        school=PlaceFactory(name=SECRET_SCHOOL, kind="school"),
        date_of_birth=timezone.localdate() - datetime.timedelta(days=int(9.5 * 365)),
    )
    place = PlaceFactory(name="Eastbridge bus station")
    concern_make(actor=teacher, young_people=seen, place=place, risks={"cce": ["cash"]})
    concern_make(
        actor=social_worker,
        young_people=[hidden],
        place=PlaceFactory(name=SECRET_PLACE),
        risks={"cse": ["gifts"]},
    )

    profile = group_profile(user=teacher, members=[p.pk for p in [*seen, hidden]])

    assert profile.size == 6
    assert SECRET_SCHOOL not in [name for name, _ in profile.schools]
    assert "cse" not in [c.category for c in profile.categories]
    assert SECRET_PLACE not in [p.name for p in profile.places]
    assert profile.age_min is None or profile.age_min >= 11
