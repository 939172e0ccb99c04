"""A young person's access log says nothing of a handling-code C concern outside the reader's
audience: not even that it was recorded, by whom, or who has read it."""

from typing import Any

import pytest

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.tests.factories import concern_make
from waymark.people.models import Involvement
from waymark.people.selectors import access_log_for
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_the_access_log_leaves_out_a_c_concern_outside_the_managers_audience() -> None:
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    police: Any = AgencyFactory(name="Midshire Police", sector="police")
    head: Any = UserFactory(agency=school, role=Role.MANAGER)
    officer: Any = UserFactory(agency=police, role=Role.PRACTITIONER)
    child: Any = YoungPersonFactory(created_by_agency=school)
    Involvement.objects.create(
        agency=police, young_person=child, source="manager", purpose="x", lawful_basis="dpa_part3"
    )
    shared = concern_make(actor=officer, young_people=[child])
    secret = concern_make(
        actor=officer,
        young_people=[child],
        handling_code="C",
        handling_conditions="Police operation: do not share with the school",
    )

    concern_events = set(
        access_log_for(user=head, young_person=child)
        .filter(object_type="concerns.concern")
        .values_list("object_id", flat=True)
    )
    assert str(shared.pk) in concern_events
    assert str(secret.pk) not in concern_events
    # The police, in its audience, see it.
    police_manager: Any = UserFactory(agency=police, role=Role.MANAGER)
    assert (
        access_log_for(user=police_manager, young_person=child)
        .filter(object_type="concerns.concern", object_id=str(secret.pk))
        .exists()
    )
