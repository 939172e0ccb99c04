"""The analyses' default period ends at the latest concern every agency may know of.

A later handling-code C concern must not move it: the date the period ends is shown to every
viewer, and would tell them that a concern they may not know of exists, and when it happened.
"""

import datetime

import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.place_analysis.filters import analysis_default_period
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_a_later_c_concern_does_not_move_the_default_period() -> None:
    police = AgencyFactory(name="Midshire Police", sector="police")
    officer = UserFactory(agency=police, role=Role.PRACTITIONER)
    child = YoungPersonFactory(created_by_agency=police)
    today = timezone.localdate()
    shared_day = today - datetime.timedelta(days=20)
    concern_make(actor=officer, young_people=[child], place=PlaceFactory(), occurred_on=shared_day)
    concern_make(
        actor=officer,
        young_people=[child],
        place=PlaceFactory(),
        occurred_on=today - datetime.timedelta(days=2),
        handling_code="C",
        handling_conditions="Police operation: do not share",
    )
    assert analysis_default_period(today=today)[1] == shared_day
