import datetime

import pytest
from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association, Concern
from waymark.concerns.services import ConcernInput, concern_record
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.tests.factories import PlaceFactory
from waymark.core.tests.helpers import client_for
from waymark.people.models import PersonFlag, PersonOfConcern, Vehicle, YoungPerson
from waymark.people.tests.factories import (
    PersonFlagFactory,
    PersonOfConcernFactory,
    YoungPersonFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def analyst(agency):
    return UserFactory(username="ana.analyst", agency=agency, role=Role.ANALYST)


@pytest.fixture
def young_person(agency):
    return YoungPersonFactory(
        created_by_agency=agency,
        given_name="Jordan",
        family_name="Okafor",
        strengths="Brilliant at football; trusts his youth worker",
        own_words="I just want to feel safe going to the shop",
    )


def row_counts():
    return (
        YoungPerson.objects.count(),
        Concern.objects.count(),
        Association.objects.count(),
        AuditEvent.objects.count(),
    )


NEW_PERSON = {
    "given_name": "Amira",
    "family_name": "Haddad",
    "date_of_birth": "2010-05-14",
    "gender": "female",
    "nhs_number": "943 476 5919",
    "strengths": "Writes songs",
    "own_words": "Nobody listens at school",
}


def test_a_young_person_is_added_with_a_reference_and_an_audit_event(api, practitioner):
    response = api.post("/api/young-people/", NEW_PERSON, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    person = YoungPerson.objects.get()
    assert body["reference"] == person.reference and body["reference"].startswith("YP-")
    assert body["nhs_number"] == "9434765919"
    assert person.created_by_agency == practitioner.agency
    assert list(body)[:4] == ["reference", "display_name", "strengths", "own_words"]
    assert AuditEvent.objects.filter(
        object_type="people.youngperson", object_id=str(person.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nhs_number": "943 476 5918"}, "nhs_number"),
        ({"nhs_number": "12345"}, "nhs_number"),
        ({"date_of_birth": str(TODAY + datetime.timedelta(days=1))}, "date_of_birth"),
        ({"upn": "A12345678901Z"}, "upn"),
        ({"gender": "unknown"}, "gender"),
        ({"given_name": ""}, "given_name"),
    ],
)
def test_a_refused_young_person_names_the_field_and_writes_nothing(api, change, field):
    before = row_counts()
    response = api.post("/api/young-people/", {**NEW_PERSON, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert row_counts() == before


def test_a_school_must_be_a_place_of_kind_school(api):
    park = PlaceFactory(kind="park")
    response = api.post("/api/young-people/", {**NEW_PERSON, "school": park.pk}, format="json")
    assert response.status_code == 400
    assert "school" in response.json()
    assert YoungPerson.objects.count() == 0


def test_the_detail_puts_strengths_and_own_words_first_and_logs_the_read(
    api, practitioner, young_person
):
    response = api.get(f"/api/young-people/{young_person.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["strengths"] == "Brilliant at football; trusts his youth worker"
    assert body["own_words"] == "I just want to feel safe going to the shop"
    assert list(body)[:4] == ["reference", "display_name", "strengths", "own_words"]
    assert AuditEvent.objects.filter(
        object_type="people.youngperson",
        object_id=str(young_person.pk),
        action="view",
        actor=practitioner,
    ).exists()


def test_a_reference_in_the_address_may_be_typed_in_lower_case(api, young_person):
    response = api.get(f"/api/young-people/{young_person.reference.lower()}/")
    assert response.status_code == 200
    assert response.json()["reference"] == young_person.reference


def test_another_agency_cannot_read_a_young_person_it_is_not_involved_with(outsider, young_person):
    api = client_for(outsider)
    assert api.get(f"/api/young-people/{young_person.reference}/").status_code == 404
    assert api.get(f"/api/young-people/{young_person.reference}/concerns/").status_code == 404
    assert api.get("/api/young-people/").json()["results"] == []
    assert (
        api.post("/api/young-people/search/", {"q": "Jordan"}, format="json").json()["results"]
        == []
    )
    response = api.patch(
        f"/api/young-people/{young_person.reference}/", {"strengths": "x"}, format="json"
    )
    assert response.status_code == 404
    young_person.refresh_from_db()
    assert young_person.strengths.startswith("Brilliant")


def test_recording_a_concern_about_them_does_not_open_the_record(outsider, young_person):
    # Recording is not reading: the concern reaches the agencies involved, not the record the
    # recorder.
    concern_record(
        actor=outsider,
        data=ConcernInput(
            occurred_on=TODAY,
            narrative="Seen at the station",
            source_evaluation="1",
            information_assessment="A",
            handling_code="P",
            no_fixed_place=True,
            young_people=[(young_person, "at_risk")],
            risks={"missing": ["overnight"]},
        ),
    )
    assert (
        client_for(outsider).get(f"/api/young-people/{young_person.reference}/").status_code == 404
    )


def test_an_analyst_cannot_list_or_read_young_people_by_name(analyst, young_person):
    api = client_for(analyst)
    assert api.get("/api/young-people/").status_code == 403
    search = api.post("/api/young-people/search/", {"q": "Jordan Okafor"}, format="json")
    assert search.status_code == 403
    assert api.get(f"/api/young-people/{young_person.reference}/").status_code == 403
    assert api.post("/api/young-people/", NEW_PERSON, format="json").status_code == 403
    # Nothing read: the only event is the client's sign-in.
    assert not AuditEvent.objects.filter(actor=analyst).exclude(action="sign_in").exists()


def test_search_finds_by_name_and_logs_who_was_found(api, practitioner, young_person):
    YoungPersonFactory(created_by_agency=practitioner.agency, given_name="Sam", family_name="Lee")
    response = api.post("/api/young-people/search/", {"q": "Jordan Okafor"}, format="json")
    assert response.status_code == 200
    assert [p["reference"] for p in response.json()["results"]] == [young_person.reference]
    event = AuditEvent.objects.get(action="search")
    assert (event.actor, event.object_id) == (practitioner, str(young_person.pk))
    assert "Jordan" not in event.purpose


@pytest.mark.parametrize("url", ["/api/young-people/", "/api/persons-of-concern/"])
def test_a_search_in_the_url_is_refused_with_where_to_send_it(api, young_person, url):
    response = api.get(url, {"q": "Jordan Okafor 01/02/2010"})
    assert response.status_code == 400
    assert f"Search by POST to {url}search/" in response.json()["q"][0]
    assert not AuditEvent.objects.filter(action="search").exists()


def test_persons_of_concern_are_searched_by_post(api, practitioner):
    person = PersonOfConcernFactory()
    response = api.post("/api/persons-of-concern/search/", {"q": person.reference}, format="json")
    assert response.status_code == 200
    assert [p["reference"] for p in response.json()["results"]] == [person.reference]
    event = AuditEvent.objects.get(action="search")
    assert (event.actor, event.object_id) == (practitioner, str(person.pk))


def test_partial_update_changes_only_what_is_sent(api, young_person):
    url = f"/api/young-people/{young_person.reference}/"
    response = api.patch(url, {"own_words": "I like the new youth club"}, format="json")
    assert response.status_code == 200, response.json()
    young_person.refresh_from_db()
    assert young_person.own_words == "I like the new youth club"
    assert young_person.strengths.startswith("Brilliant")
    event = AuditEvent.objects.get(action="update")
    assert event.changed_fields == ["own_words"]


def test_a_refused_update_writes_nothing(api, young_person):
    before = row_counts()
    url = f"/api/young-people/{young_person.reference}/"
    response = api.patch(url, {"nhs_number": "943 476 5918"}, format="json")
    assert response.status_code == 400
    assert "nhs_number" in response.json()
    young_person.refresh_from_db()
    assert young_person.nhs_number == ""
    assert row_counts() == before


def test_put_is_not_offered(api, young_person):
    response = api.put(f"/api/young-people/{young_person.reference}/", NEW_PERSON, format="json")
    assert response.status_code in (403, 405)


def test_the_chronology_and_links_of_a_young_person(api, practitioner, young_person):
    friend = YoungPersonFactory(created_by_agency=practitioner.agency)
    older = concern_make(
        actor=practitioner,
        young_people=[young_person, friend],
        place=PlaceFactory(),
        occurred_on=TODAY - datetime.timedelta(days=30),
    )
    newer = concern_make(actor=practitioner, young_people=[young_person], place=PlaceFactory())
    concern_make(actor=practitioner, young_people=[friend], place=PlaceFactory())

    chronology = api.get(f"/api/young-people/{young_person.reference}/concerns/").json()
    assert [c["reference"] for c in chronology["results"]] == [newer.reference, older.reference]

    links = api.get(f"/api/young-people/{young_person.reference}/associations/").json()
    assert len(links["results"]) == 1
    link = links["results"][0]
    assert {link["young_person"], link["other_young_person"]} == {
        young_person.reference,
        friend.reference,
    }
    assert link["source_concerns"] == [older.reference]
    assert link["reliability_in_words"].startswith("Unconfirmed")


# Persons of concern


def test_a_person_of_concern_is_added_with_vehicles(api):
    data = {
        "nicknames": "Tall T",
        "description": "Tall, grey tracksuit",
        "age_band": "25_34",
        "vehicles": [{"make": "Audi A3", "colour": "Black", "registration": "ab12 cde"}],
    }
    response = api.post("/api/persons-of-concern/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("POC-")
    assert body["label"] == '"Tall T"'
    assert body["vehicles"] == [{"make": "Audi A3", "colour": "Black", "registration": "AB12CDE"}]


def test_a_person_of_concern_needs_something_to_know_them_by(api):
    before = (PersonOfConcern.objects.count(), Vehicle.objects.count(), AuditEvent.objects.count())
    response = api.post("/api/persons-of-concern/", {"vehicles": [{"make": "Ford"}]}, format="json")
    assert response.status_code == 400
    assert "names" in response.json()
    assert (
        PersonOfConcern.objects.count(),
        Vehicle.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_flags_are_listed_with_whether_they_have_expired(api):
    person = PersonOfConcernFactory()
    current = PersonFlagFactory(person=person)
    stale = PersonFlagFactory(
        person=person, kind="weapons", review_by=TODAY - datetime.timedelta(days=1)
    )
    response = api.get(f"/api/persons-of-concern/{person.reference}/flags/")
    assert response.status_code == 200
    flags = {f["id"]: f for f in response.json()["results"]}
    assert flags[current.pk]["is_expired"] is False
    assert flags[stale.pk]["is_expired"] is True


def test_a_flag_is_added_with_its_source_and_review_date(api, practitioner):
    person = PersonOfConcernFactory()
    data = {
        "kind": "drug_supply",
        "source": "Police intelligence, graded 2B",
        "reliability": "tentative",
        "review_by": str(TODAY + datetime.timedelta(days=90)),
    }
    response = api.post(f"/api/persons-of-concern/{person.reference}/flags/", data, format="json")
    assert response.status_code == 201, response.json()
    flag = PersonFlag.objects.get()
    assert (flag.person, flag.recorded_by, flag.kind) == (person, practitioner, "drug_supply")
    assert response.json()["is_expired"] is False


def test_a_flag_must_be_reviewed_in_the_future(api):
    person = PersonOfConcernFactory()
    data = {
        "kind": "violence",
        "source": "Youth worker",
        "reliability": "unconfirmed",
        "review_by": str(TODAY),
    }
    response = api.post(f"/api/persons-of-concern/{person.reference}/flags/", data, format="json")
    assert response.status_code == 400
    assert "review_by" in response.json()
    assert PersonFlag.objects.count() == 0


def test_an_analyst_cannot_read_or_flag_persons_of_concern(analyst):
    person = PersonOfConcernFactory()
    api = client_for(analyst)
    assert api.get("/api/persons-of-concern/").status_code == 403
    assert api.get(f"/api/persons-of-concern/{person.reference}/flags/").status_code == 403
    response = api.post(
        f"/api/persons-of-concern/{person.reference}/flags/",
        {
            "kind": "violence",
            "source": "x",
            "reliability": "unconfirmed",
            "review_by": "2100-01-01",
        },
        format="json",
    )
    assert response.status_code == 403
    assert PersonFlag.objects.count() == 0
