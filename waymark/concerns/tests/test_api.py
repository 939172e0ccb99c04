import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association, Concern
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.models import Involvement, YoungPerson
from waymark.people.tests.factories import PersonOfConcernFactory, YoungPersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def pair(agency):
    """Two young people the practitioner's agency added, so is involved with."""
    return YoungPersonFactory(created_by_agency=agency), YoungPersonFactory(
        created_by_agency=agency
    )


@pytest.fixture
def place():
    return PlaceFactory(name="Eastbridge bus station", kind="transport")


def payload(*, place, young_people=(), **overrides):
    data = {
        "occurred_on": str(TODAY - datetime.timedelta(days=2)),
        "occurred_time": "21:30",
        "occurred_approximate": True,
        "place": place.pk if place is not None else None,
        "young_people": [{"reference": p.reference, "role": "at_risk"} for p in young_people],
        "persons_of_concern": [],
        "risks": [{"category": "cce", "indicators": ["cash", "multiple_phones"]}],
        "narrative": "Both seen getting into a car with two older males.",
        "source_evaluation": "2",
        "information_assessment": "B",
        "handling_code": "P",
        "link_kind": "friend",
        "link_reliability": "tentative",
    }
    data.update(overrides)
    return data


def row_counts():
    return (
        Concern.objects.count(),
        Association.objects.count(),
        AuditEvent.objects.count(),
        YoungPerson.objects.count(),
    )


def test_a_concern_about_two_young_people_at_a_place_links_them(api, practitioner, pair, place):
    a, b = pair
    response = api.post("/api/concerns/", payload(place=place, young_people=pair), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    concern = Concern.objects.get()
    assert body["reference"] == concern.reference
    assert body["reference"].startswith("CN-")
    assert body["place"] == {"id": place.pk, "name": "Eastbridge bus station"}
    assert {p["reference"] for p in body["young_people"]} == {a.reference, b.reference}
    assert body["risks"][0]["indicator_labels"][0] == "Unexplained cash or new possessions"
    assert body["grading"] == "2BP"
    assert concern.recorded_by == practitioner and concern.occurred_approximate

    link = Association.objects.get()
    assert {link.young_person, link.other_young_person} == {a, b}
    assert (link.kind, link.reliability) == ("friend", "tentative")
    assert list(link.source_concerns.all()) == [concern]
    assert AuditEvent.objects.filter(object_type="concerns.concern", action="create").count() == 1


def test_references_are_accepted_as_people_type_them(api, pair, place):
    a, _ = pair
    data = payload(place=place)
    data["young_people"] = [{"reference": a.reference.lower(), "role": "witness"}]
    response = api.post("/api/concerns/", data, format="json")
    assert response.status_code == 201
    assert response.json()["young_people"] == [{"reference": a.reference, "role": "witness"}]


def test_null_place_means_no_fixed_place(api, pair):
    poc = PersonOfConcernFactory()
    data = payload(place=None, young_people=pair[:1], persons_of_concern=[poc.reference])
    response = api.post("/api/concerns/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["place"] is None
    assert response.json()["persons_of_concern"] == [poc.reference]
    assert Association.objects.get().person_of_concern == poc


def _without_place(data):
    del data["place"]
    return data


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: {**d, "occurred_on": str(TODAY + datetime.timedelta(days=1))}, "occurred_on"),
        (_without_place, "place"),
        (lambda d: {**d, "handling_code": "C", "handling_conditions": ""}, "handling_conditions"),
        (
            lambda d: {**d, "young_people": [{"reference": "YP-ZZZZZ", "role": "at_risk"}]},
            "young_people",
        ),
        (lambda d: {**d, "persons_of_concern": ["POC-ZZZZZ"]}, "persons_of_concern"),
        (lambda d: {**d, "place": 999999}, "place"),
        (lambda d: {**d, "risks": []}, "risks"),
        (lambda d: {**d, "risks": [{"category": "cce", "indicators": ["owns_a_cat"]}]}, "risks"),
        (lambda d: {**d, "narrative": "   "}, "narrative"),
        (lambda d: {**d, "link_kind": "enemy"}, "link_kind"),
    ],
    ids=[
        "future date",
        "place key missing",
        "handling C without conditions",
        "unknown young person",
        "unknown person of concern",
        "unknown place",
        "no risks",
        "unknown indicator",
        "blank narrative",
        "unknown link kind",
    ],
)
def test_a_refused_concern_names_the_field_and_writes_nothing(api, pair, place, change, field):
    before = row_counts()
    response = api.post(
        "/api/concerns/", change(payload(place=place, young_people=pair)), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert row_counts() == before


def test_recording_a_concern_about_a_young_person_it_did_not_know_gives_no_access(
    api, practitioner, pair, place, other_agency
):
    stranger = YoungPersonFactory(created_by_agency=other_agency)
    assert api.get(f"/api/young-people/{stranger.reference}/").status_code == 404
    data = payload(place=place, young_people=[pair[0], stranger])
    response = api.post("/api/concerns/", data, format="json")
    assert response.status_code == 201
    assert not Involvement.objects.filter(
        young_person=stranger, agency=practitioner.agency
    ).exists()
    assert api.get(f"/api/young-people/{stranger.reference}/").status_code == 404


def test_an_unknown_young_person_reference_writes_nothing(api, pair, place):
    before = row_counts()
    data = payload(place=place, young_people=[pair[0]])
    data["young_people"].append({"reference": "YP-00000", "role": "at_risk"})
    response = api.post("/api/concerns/", data, format="json")
    assert response.status_code == 400
    assert "YP-00000" in str(response.json()["young_people"])
    assert row_counts() == before


def test_a_missing_place_says_how_to_answer(api, pair, place):
    response = api.post(
        "/api/concerns/", _without_place(payload(place=place, young_people=pair)), format="json"
    )
    assert "null if it had no fixed place" in response.json()["place"][0]


def test_concerns_are_read_by_the_recording_agency_and_the_read_is_logged(
    api, practitioner, pair, place
):
    concern = concern_make(actor=practitioner, young_people=pair, place=place)
    listed = api.get("/api/concerns/").json()
    assert [c["reference"] for c in listed["results"]] == [concern.reference]
    response = api.get(f"/api/concerns/{concern.reference}/")
    assert response.status_code == 200
    assert response.json()["narrative"] == concern.narrative
    assert AuditEvent.objects.filter(
        object_type="concerns.concern", object_id=str(concern.pk), action="view", actor=practitioner
    ).exists()


def test_another_agency_cannot_read_a_concern_it_is_not_involved_in(
    practitioner, outsider, pair, place
):
    concern = concern_make(actor=practitioner, young_people=pair, place=place)
    api = APIClient()
    api.force_login(outsider)
    assert api.get("/api/concerns/").json()["results"] == []
    assert api.get(f"/api/concerns/{concern.reference}/").status_code == 404


def test_an_analyst_cannot_read_concerns(agency, practitioner, pair, place):
    concern = concern_make(actor=practitioner, young_people=pair, place=place)
    api = APIClient()
    api.force_login(UserFactory(username="ana.analyst", agency=agency, role=Role.ANALYST))
    assert api.get("/api/concerns/").status_code == 403
    assert api.get(f"/api/concerns/{concern.reference}/").status_code == 403
    assert api.post("/api/concerns/", payload(place=place), format="json").status_code == 403
    assert Concern.objects.count() == 1


# Associations


def test_a_link_without_a_concern_needs_a_source_note(api, pair):
    a, b = pair
    data = {
        "young_person": a.reference,
        "other_young_person": b.reference,
        "kind": "family",
        "reliability": "confirmed",
        "seen_on": str(TODAY),
    }
    before = row_counts()
    refused = api.post("/api/associations/", data, format="json")
    assert refused.status_code == 400
    assert "source_note" in refused.json()
    assert row_counts() == before

    response = api.post(
        "/api/associations/",
        {**data, "source_note": "Mother told the social worker"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reliability"] == "confirmed"
    assert body["reliability_in_words"] == "Confirmed: seen or verified by a professional"
    assert body["is_expired"] is False
    assert body["first_seen"] == body["last_seen"] == str(TODAY)
    assert {body["young_person"], body["other_young_person"]} == {a.reference, b.reference}
    assert "seen_on" not in body


def test_a_link_from_a_concern_names_it_as_its_source(api, practitioner, pair):
    a, _ = pair
    poc = PersonOfConcernFactory()
    concern = concern_make(actor=practitioner, young_people=[a])
    data = {
        "young_person": a.reference,
        "person_of_concern": poc.reference,
        "kind": "exploiting",
        "reliability": "unconfirmed",
        "seen_on": str(concern.occurred_on),
        "source_concern": concern.reference,
    }
    response = api.post("/api/associations/", data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["source_concerns"] == [concern.reference]
    assert response.json()["person_of_concern"] == poc.reference


def test_a_link_must_name_exactly_one_other_person(api, pair):
    data = {
        "young_person": pair[0].reference,
        "kind": "friend",
        "reliability": "unconfirmed",
        "seen_on": str(TODAY),
        "source_note": "Seen together",
    }
    response = api.post("/api/associations/", data, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Association.objects.count() == 0


def test_links_are_visible_to_the_involved_agency_only(api, practitioner, outsider, pair, place):
    concern_make(actor=practitioner, young_people=pair, place=place)
    link = Association.objects.get()
    listed = api.get("/api/associations/").json()["results"]
    assert [row["id"] for row in listed] == [link.pk]
    detail = api.get(f"/api/associations/{link.pk}/").json()
    assert detail["reliability"] == "unconfirmed"
    assert detail["reliability_in_words"] == "Unconfirmed: a single report, not verified"

    other = APIClient()
    other.force_login(outsider)
    assert other.get("/api/associations/").json()["results"] == []
    assert other.get(f"/api/associations/{link.pk}/").status_code == 404


@pytest.mark.parametrize("what", ["concerns", "associations"])
def test_a_young_persons_chronology_and_links_are_audited_once_and_answer_head(
    api, practitioner, what
):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    other = YoungPersonFactory(created_by_agency=practitioner.agency)
    concern_make(actor=practitioner, young_people=[person, other], place=PlaceFactory())
    url = f"/api/young-people/{person.reference}/{what}/"
    # The browsable API reads the queryset again for its forms: still one read, one event.
    assert api.get(url, HTTP_ACCEPT="text/html").status_code == 200
    events = AuditEvent.objects.filter(purpose=f"API GET {url}", object_type="people.youngperson")
    assert [(e.object_id, e.changed_fields) for e in events] == [(str(person.pk), [what])]
    assert api.head(url).status_code == 200


def test_a_list_page_is_capped_and_audited_record_by_record(api, practitioner):
    person = YoungPersonFactory(created_by_agency=practitioner.agency)
    place = PlaceFactory()
    for _ in range(103):
        concern_make(actor=practitioner, young_people=[person], place=place)
    response = api.get("/api/concerns/", {"limit": 100000})
    assert response.status_code == 200
    shown = [c["reference"] for c in response.json()["results"]]
    assert len(shown) == 100
    assert response.json()["count"] == 103
    events = AuditEvent.objects.filter(
        actor=practitioner, action="view", purpose="API GET /api/concerns/"
    )
    assert sorted(e.object_id for e in events) == sorted(
        str(pk) for pk in Concern.objects.filter(reference__in=shown).values_list("pk", flat=True)
    )
