"""Who reviews a held link: an agency involved with the child its recorder is not involved with.

The link is held because the recording agency does not work with that child; the agencies that
hold that child's case screen it (ADR 0010). An agency that works only with the other child, whom
the recorder already knows, is not that child's case holder and may not put the link in effect.
"""

import pytest
from django.core.exceptions import PermissionDenied

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Association, AssociationReview
from waymark.concerns.selectors import association_list_held_for_review_by
from waymark.concerns.services import association_review
from waymark.concerns.tests.factories import concern_make
from waymark.people.models import Involvement
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


def _involve(agency, child) -> None:
    Involvement.objects.create(
        agency=agency,
        young_person=child,
        source="manager",
        purpose="Working with the child",
        lawful_basis="sch1_para18",
    )


@pytest.fixture
def held():
    police = AgencyFactory(name="Midshire Police", sector="police")
    school = AgencyFactory(name="Eastbridge Academy", sector="education")
    csc = AgencyFactory(name="Eastbridge Children's Services")
    known = YoungPersonFactory(created_by_agency=school)  # police and school work with them
    _involve(police, known)
    hidden = YoungPersonFactory(created_by_agency=csc)  # only children's services do
    officer = UserFactory(agency=police, role=Role.PRACTITIONER)
    concern_make(actor=officer, young_people=[known, hidden])
    link = Association.objects.get(other_young_person__isnull=False)
    assert link.review_state == AssociationReview.HELD
    return {
        "link": link,
        "teacher": UserFactory(agency=school, role=Role.PRACTITIONER),
        "social_worker": UserFactory(agency=csc, role=Role.PRACTITIONER),
    }


def test_the_hidden_childs_agency_reviews_the_link(held) -> None:
    assert held["link"] in association_list_held_for_review_by(user=held["social_worker"])


def test_an_agency_involved_only_with_the_other_child_cannot_review_it(held) -> None:
    assert held["link"] not in association_list_held_for_review_by(user=held["teacher"])
    with pytest.raises(PermissionDenied):
        association_review(actor=held["teacher"], association=held["link"], accept=True)
    held["link"].refresh_from_db()
    assert held["link"].review_state == AssociationReview.HELD
