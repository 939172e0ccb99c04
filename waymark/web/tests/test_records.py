"""A young person's page and a person of concern's page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.services import involvement_start
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def test_young_person_page_shows_chronology_links_places_and_hides_unseen_names(
    client, practitioner, outsider
):
    mine = YoungPersonFactory(created_by_agency=practitioner.agency)
    theirs = YoungPersonFactory(created_by_agency=outsider.agency, family_name="Quillfeather")
    place = PlaceFactory(name="Mill Lane Park")
    # Both agencies work with `mine`, so the link the outsider records takes effect at once.
    involvement_start(
        actor=outsider,
        agency=outsider.agency,
        young_person=mine,
        source="manager",
        purpose="Joint work",
    )
    concern = concern_make(actor=outsider, young_people=[mine, theirs], place=place)
    client.force_login(practitioner)
    page = client.get(reverse("young-person-detail", args=[mine.reference])).content.decode()
    assert concern.reference in page
    assert "Mill Lane Park" in page
    assert f"{theirs.reference} (not visible to you)" in page
    assert theirs.family_name not in page
    assert "Unconfirmed: a single report, not verified" in page


def test_expired_flag_shows_as_expired(client, practitioner):
    flag = PersonFlagFactory(review_by=timezone.localdate() - datetime.timedelta(days=1))
    client.force_login(practitioner)
    page = client.get(reverse("person-of-concern-detail", args=[flag.person.reference]))
    assert b"Expired" in page.content
