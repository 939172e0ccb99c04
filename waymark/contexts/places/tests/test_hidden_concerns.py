"""A place's concern counts cannot be differenced against the concerns the viewer may see.

A viewer reads exactly which concerns at a place they may see (its page and
/api/places/<id>/concerns/). Were the total shown exactly beside them, the total minus those
would count the concerns about children they may not see: a small count, given back.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.places.counts import place_counts_shown, place_list_shown
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(practitioner, outsider, agency, other_agency):
    place = PlaceFactory(name="Bus station", kind="transport")
    day = timezone.localdate() - datetime.timedelta(days=3)
    theirs = YoungPersonFactory(created_by_agency=agency)
    mine = YoungPersonFactory(created_by_agency=other_agency)
    # 3 concerns the outsider may not see, 5 they may: 8 in all, in one month.
    for _ in range(3):
        concern_make(actor=practitioner, young_people=[theirs], place=place, occurred_on=day)
    for _ in range(5):
        concern_make(actor=outsider, young_people=[mine], place=place, occurred_on=day)
    return place


def _hidden_is_recoverable(total: int | None, visible: int) -> bool:
    return total is not None and 0 < total - visible < 5


def test_the_api_total_does_not_give_back_the_hidden_concerns(place, outsider) -> None:
    client = client_for(outsider)
    counts = client.get(f"/api/places/{place.pk}/").json()["counts"]
    visible = client.get(f"/api/places/{place.pk}/concerns/").json()["count"]
    assert visible == 5
    assert not _hidden_is_recoverable(counts["concerns"], visible)
    for month in counts["months"]:
        assert not _hidden_is_recoverable(month["concerns"], visible)


def test_the_page_and_the_list_do_not_give_back_the_hidden_concerns(place, outsider) -> None:
    shown = place_counts_shown(user=outsider, place=place)
    assert not _hidden_is_recoverable(shown.concerns, 5)
    assert all(not _hidden_is_recoverable(n, 5) for _, n in shown.months)
    (row,) = [r for r in place_list_shown(user=outsider) if r.place == place]
    assert not _hidden_is_recoverable(row.concerns, 5)
    client = client_for(outsider)
    page = client.get(reverse("place-detail", args=[place.pk])).content.decode()
    assert ">8<" not in page


def test_a_viewer_who_sees_every_concern_gets_the_exact_total(place, practitioner) -> None:
    # The practitioner's agency sees its own 3; the outsider's 5 are hidden from it, so the
    # total is shown (5 or more hidden cannot be pinned).
    assert place_counts_shown(user=practitioner, place=place).concerns == 8
