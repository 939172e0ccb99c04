"""Search by reference, name, name and date of birth, or place."""

import datetime

import pytest
from django.urls import reverse

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import YoungPersonFactory
from waymark.web.search import RESULTS_SHOWN

pytestmark = pytest.mark.django_db


def test_search_finds_by_reference_name_and_place(client, practitioner):
    person = YoungPersonFactory(
        created_by_agency=practitioner.agency, given_name="Tariq", family_name="Hussain"
    )
    PlaceFactory(name="Eastbridge Bus Station")
    client.force_login(practitioner)
    for q in (person.reference, "Tariq Hussain", "hussain"):
        assert person.reference.encode() in client.get(reverse("search"), {"q": q}).content
    assert b"Eastbridge Bus Station" in client.get(reverse("search"), {"q": "bus station"}).content


def test_search_says_when_a_list_is_cut(client, practitioner):
    place = PlaceFactory(name="Eastbridge Bus Station")
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    for _ in range(RESULTS_SHOWN + 1):
        concern_make(actor=practitioner, young_people=[person], place=place)
    client.force_login(practitioner)
    page = client.get(reverse("search"), {"q": "bus station"}).content.decode()
    assert f"More than {RESULTS_SHOWN + 1} results" in page
    assert f"Each list shows the first {RESULTS_SHOWN}" in page


def test_search_by_name_and_date_of_birth(client, practitioner):
    person = YoungPersonFactory(
        created_by_agency=practitioner.agency,
        given_name="Amara",
        family_name="Osei",
        date_of_birth=datetime.date(2011, 7, 14),
    )
    namesake = YoungPersonFactory(
        created_by_agency=practitioner.agency,
        given_name="Amara",
        family_name="Osei",
        date_of_birth=datetime.date(2012, 1, 2),
    )
    client.force_login(practitioner)
    page = client.get(reverse("search"), {"q": "amara osei 14/07/2011"}).content.decode()
    assert person.reference in page
    assert namesake.reference not in page
    both = client.get(reverse("search"), {"q": "Amara Osei"}).content.decode()
    assert person.reference in both and namesake.reference in both
