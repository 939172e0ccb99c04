import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.models import YoungPerson
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db


def person_answers(**overrides):
    data = {
        "given_name": "Maya",
        "family_name": "Okafor",
        "known_as": "",
        "date_of_birth_day": "14",
        "date_of_birth_month": "7",
        "date_of_birth_year": "2011",
        "gender": "female",
        "ethnicity": "black_african",
        "nhs_number": "943 476 5919",
        "upn": "",
        "strengths": "Captain of the netball team; trusts her youth worker",
        "own_words": "I just want to feel safe on the way home.",
    }
    data.update(overrides)
    return data


def test_add_young_person(client, practitioner):
    client.force_login(practitioner)
    response = client.post(reverse("young-person-new"), person_answers())
    person = YoungPerson.objects.get()
    assert response.url == reverse("young-person-detail", args=[person.reference])
    assert person.nhs_number == "9434765919"
    page = client.get(response.url)
    assert b"Captain of the netball team" in page.content
    assert b"I just want to feel safe on the way home." in page.content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"nhs_number": "943 476 5918"}, b"the check digit of this one is wrong"),
        ({"nhs_number": "12345"}, b"Enter an NHS number of 10 digits"),
        ({"upn": "B123456789012"}, b"the check letter of this one is wrong"),
        (
            {"date_of_birth_year": str(timezone.localdate().year + 1)},
            b"Date of birth must be in the past",
        ),
        ({"given_name": ""}, b"Enter a first name"),
    ],
)
def test_bad_young_person_shows_error_summary_and_writes_nothing(
    client, practitioner, change, message
):
    client.force_login(practitioner)
    response = client.post(reverse("young-person-new"), person_answers(**change))
    assert response.status_code == 200
    assert b'class="govuk-error-summary"' in response.content
    assert message in response.content
    assert YoungPerson.objects.count() == 0


def test_young_person_page_shows_chronology_links_places_and_hides_unseen_names(
    client, practitioner, outsider
):
    mine = YoungPersonFactory(created_by_agency=practitioner.agency)
    theirs = YoungPersonFactory(created_by_agency=outsider.agency)
    place = PlaceFactory(name="Mill Lane Park")
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
    from waymark.core.views import RESULTS_SHOWN

    place = PlaceFactory(name="Eastbridge Bus Station")
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    for _ in range(RESULTS_SHOWN + 1):
        concern_make(actor=practitioner, young_people=[person], place=place)
    client.force_login(practitioner)
    page = client.get(reverse("search"), {"q": "bus station"}).content.decode()
    assert f"More than {RESULTS_SHOWN + 1} results" in page
    assert f"Each list shows the first {RESULTS_SHOWN}" in page


def test_add_a_person_of_concern_with_a_vehicle(client, practitioner):
    from waymark.people.models import PersonOfConcern

    client.force_login(practitioner)
    response = client.post(
        reverse("person-of-concern-new"),
        {
            "nicknames": "Ty",
            "description": "Tall, grey tracksuit",
            "age_band": "18_24",
            "vehicle_make": "Ford Fiesta",
            "vehicle_colour": "Silver",
            "vehicle_registration": "ab12 cde",
        },
    )
    person = PersonOfConcern.objects.get()
    assert response.url == reverse("person-of-concern-detail", args=[person.reference])
    assert person.vehicles.get().registration == "AB12CDE"


def test_person_of_concern_needs_something_to_know_them_by(client, practitioner):
    from waymark.people.models import PersonOfConcern

    client.force_login(practitioner)
    page = client.post(reverse("person-of-concern-new"), {"age_band": "not_known"})
    assert b"Enter a name, a nickname or a description" in page.content
    assert b'class="govuk-error-summary"' in page.content
    assert PersonOfConcern.objects.count() == 0


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
