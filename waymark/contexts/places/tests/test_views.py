import pytest
from django.urls import reverse

from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.contexts.models import Place
from waymark.contexts.tests.factories import WardFactory

pytestmark = pytest.mark.django_db


def place_answers(**overrides):
    data = {
        "name": "Riverside Hotel",
        "kind": "hotel",
        "address": "2 Quay Street, Eastbridge",
        "postcode": "eb1 2qs",
        "uprn": "100031234567",
        "latitude": "52.6201",
        "longitude": "-1.1587",
    }
    data.update(overrides)
    return data


def test_add_a_place(client, practitioner):
    ward = WardFactory(name="Riverside")
    client.force_login(practitioner)
    response = client.post(reverse("place-new"), place_answers(ward=str(ward.pk)))
    place = Place.objects.get()
    assert response.url == reverse("place-detail", args=[place.pk])
    assert (place.postcode, place.ward, place.created_by) == ("EB1 2QS", ward, practitioner)
    assert AuditEvent.objects.filter(object_type="contexts.place", action="create").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"postcode": "NOT A POSTCODE"}, "Enter a real UK postcode"),
        ({"latitude": "91"}, "Ensure this value is less than or equal to 90"),
        ({"longitude": "east"}, "Enter the longitude as a number"),
        ({"kind": ""}, "Select what kind of place it is"),
        ({"uprn": "12AB"}, "Enter a UPRN of up to 12 digits"),
    ],
)
def test_bad_place_shows_error_summary_and_writes_nothing(client, practitioner, change, message):
    client.force_login(practitioner)
    page = client.post(reverse("place-new"), place_answers(**change)).content.decode()
    assert 'class="govuk-error-summary"' in page and message in page
    assert Place.objects.count() == 0


def test_analyst_cannot_add_a_place(client, agency):
    client.force_login(UserFactory(agency=agency, role="analyst"))
    assert client.post(reverse("place-new"), place_answers()).status_code == 403
    assert Place.objects.count() == 0
