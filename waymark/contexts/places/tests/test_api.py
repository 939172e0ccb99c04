import pytest

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import Place
from waymark.contexts.tests.factories import PlaceFactory, WardFactory
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward():
    return WardFactory(name="Eastbridge Central", code="E05000001")


def test_wards_are_listed_and_read(api, ward):
    listed = api.get("/api/wards/").json()["results"]
    assert [w["code"] for w in listed] == ["E05000001"]
    assert api.get(f"/api/wards/{ward.pk}/").json()["name"] == "Eastbridge Central"


def test_places_are_filtered_by_kind_and_searched(api, ward):
    park = PlaceFactory(name="Victoria Park", kind="park", ward=ward)
    hotel = PlaceFactory(name="Station Hotel", kind="hotel", postcode="EB2 1AB")
    names = lambda response: [p["name"] for p in response.json()["results"]]  # noqa: E731
    assert names(api.get("/api/places/")) == ["Station Hotel", "Victoria Park"]
    assert names(api.get("/api/places/", {"kind": "park"})) == ["Victoria Park"]
    assert names(api.get("/api/places/", {"q": "eb2"})) == ["Station Hotel"]
    assert names(api.get("/api/places/", {"q": "park", "kind": "hotel"})) == []
    listed = api.get("/api/places/", {"kind": "park"}).json()["results"][0]
    assert (listed["id"], listed["ward"], listed["ward_name"]) == (park.pk, ward.pk, ward.name)
    assert hotel.pk not in [
        p["id"] for p in api.get("/api/places/", {"kind": "park"}).json()["results"]
    ]


def test_an_unknown_kind_of_place_is_refused(api):
    response = api.get("/api/places/", {"kind": "volcano"})
    assert response.status_code == 400
    assert "kind" in response.json()


def test_a_place_is_added(api, practitioner, ward):
    data = {
        "name": "Chicken Spot",
        "kind": "takeaway",
        "latitude": 52.63,
        "longitude": -1.13,
        "postcode": "eb14qt",
        "ward": ward.pk,
    }
    response = api.post("/api/places/", data, format="json")
    assert response.status_code == 201, response.json()
    place = Place.objects.get()
    assert (place.postcode, place.ward, place.created_by) == ("EB1 4QT", ward, practitioner)
    assert response.json()["counts"] == {
        "shown": True,
        "concerns": 0,
        "young_people": 0,
        "young_people_hidden": 0,
        "months": [],
        "months_withheld": False,
    }
    assert AuditEvent.objects.filter(object_type="contexts.place", action="create").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postcode": "NOT A CODE"}, "postcode"),
        ({"latitude": 123.0}, "latitude"),
        ({"kind": "volcano"}, "kind"),
        ({"ward": 999999}, "ward"),
    ],
)
def test_a_refused_place_names_the_field_and_writes_nothing(api, change, field):
    data = {"name": "Corner shop", "kind": "shop", "latitude": 52.6, "longitude": -1.1}
    events = AuditEvent.objects.count()  # signing the client in is audited
    response = api.post("/api/places/", {**data, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Place.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_an_analyst_may_see_places_but_not_add_them(agency):
    PlaceFactory()
    api = client_for(UserFactory(username="ana.analyst", agency=agency, role=Role.ANALYST))
    assert api.get("/api/places/").status_code == 200
    data = {"name": "Corner shop", "kind": "shop", "latitude": 52.6, "longitude": -1.1}
    assert api.post("/api/places/", data, format="json").status_code == 403
    assert Place.objects.count() == 1


def test_a_place_shows_counts_to_all_but_concerns_only_to_those_involved(
    api, practitioner, outsider, agency
):
    place = PlaceFactory(name="Bus station")
    a, b = (
        YoungPersonFactory(created_by_agency=agency),
        YoungPersonFactory(created_by_agency=agency),
    )
    concern = concern_make(actor=practitioner, young_people=[a, b], place=place)
    concern_make(actor=practitioner, young_people=[a], place=PlaceFactory())

    # One concern and two children: counts of 1 to 4 are withheld.
    detail = api.get(f"/api/places/{place.pk}/").json()
    assert detail["counts"] == {
        "shown": True,
        "concerns": None,
        "young_people": None,
        "young_people_hidden": 0,
        "months": [{"month": f"{concern.occurred_on:%Y-%m}", "concerns": None}],
        "months_withheld": False,
    }
    listed = api.get(f"/api/places/{place.pk}/concerns/").json()["results"]
    assert [c["reference"] for c in listed] == [concern.reference]

    other = client_for(outsider)
    # The outsider may see neither child: the 2 hidden are withheld, and the total with them.
    theirs = other.get(f"/api/places/{place.pk}/").json()["counts"]
    assert (theirs["concerns"], theirs["young_people"], theirs["young_people_hidden"]) == (
        None,
        None,
        None,
    )
    assert other.get(f"/api/places/{place.pk}/concerns/").json()["results"] == []
