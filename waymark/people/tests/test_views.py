import pytest
from django.urls import reverse
from django.utils import timezone

from waymark.people.models import PersonOfConcern, YoungPerson

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


def test_add_a_person_of_concern_with_a_vehicle(client, practitioner):
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
    client.force_login(practitioner)
    page = client.post(reverse("person-of-concern-new"), {"age_band": "not_known"})
    assert b"Enter a name, a nickname or a description" in page.content
    assert b'class="govuk-error-summary"' in page.content
    assert PersonOfConcern.objects.count() == 0
