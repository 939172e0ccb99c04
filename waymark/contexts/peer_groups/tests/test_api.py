"""The peer groups API: groups, a group's profile and peer map, a young person's network, key
connections, saved peer groups and early warnings. References only, never names."""

import datetime

import pytest
from django.utils import timezone

from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association
from waymark.concerns.services import association_record
from waymark.contexts.models import PeerAlert, PeerGroup
from waymark.core.tests.helpers import client_for
from waymark.people.tests.factories import YoungPersonFactory

from .world import (
    FAMILY,
    GIVEN,
    HIDDEN_FAMILY,
    HIDDEN_GIVEN,
    NOTE,
    STRENGTHS,
)

pytestmark = pytest.mark.django_db


def no_names(body: str) -> None:
    for name in (GIVEN, FAMILY, HIDDEN_GIVEN, HIDDEN_FAMILY):
        assert name not in body, name


def test_the_groups_list_is_filtered_by_vulnerability(world):
    api = client_for(world.worker)
    response = api.get("/api/peer-groups/")
    assert response.status_code == 200
    rows = {r["number"]: r for r in response.json()["results"]}
    assert set(rows) == {world.number, world.other_number}
    mine = rows[world.number]
    assert mine["size"] == 5 and mine["open_exploitation"] == 4
    assert mine["vulnerability"] == "high"
    assert "4 of 5 members have open exploitation concerns" in mine["reasons"]
    # E (13), the one member the worker may not see, is left out of the summary's ages.
    assert (mine["age_min"], mine["age_max"]) == (14, 16)
    assert mine["persons_of_concern"] == 1 and mine["flagged_persons_of_concern"] == 1
    high = api.get("/api/peer-groups/", {"vulnerability": "low"}).json()["results"]
    assert world.number not in [r["number"] for r in high]
    bad = api.get("/api/peer-groups/", {"vulnerability": "extreme"})
    assert bad.status_code == 400 and "vulnerability" in bad.json()


def test_a_group_has_its_profile_nodes_and_links_by_reference_only(world):
    response = client_for(world.worker).get(f"/api/peer-groups/{world.number}/")
    assert response.status_code == 200
    body = response.content.decode()
    no_names(body)
    data = response.json()
    profile = data["profile"]
    assert sorted(profile["members"]) == sorted(p.reference for p in world.members)
    assert profile["open_exploitation"] == 4 and profile["open_exploitation_share"] == 0.8
    assert {c["category"]: c["members"] for c in profile["concerns_by_category"]} == {
        "cce": 3,
        "cse": 1,
    }
    assert profile["schools"] == [{"name": "Eastbridge Academy", "members": 2}]
    assert profile["places"][0]["name"] == "Riverside Arcade"
    assert profile["persons_of_concern"][0]["reference"] == world.poc.reference
    assert {s["reference"] for s in profile["strengths"]} == {
        p.reference for p in (world.a, world.b, world.c, world.d)
    }
    assert profile["strengths_not_shown"] == 1
    assert {n["id"] for n in data["nodes"]} == {p.reference for p in world.members} | {
        world.poc.reference
    }
    links = {frozenset((x["source"], x["target"])): x for x in data["links"]}
    ab = links[frozenset((world.a.reference, world.b.reference))]
    assert (ab["reliability"], ab["line_style"]) == ("confirmed", "solid")
    reference = world.concern.reference
    assert ab["sources"] == [{"concern": reference, "description": reference}]
    ec = links[frozenset((world.e.reference, world.c.reference))]
    assert (ec["reliability"], ec["line_style"]) == ("unconfirmed", "dotted")
    assert ec["sources"] == [{"concern": None, "description": "Named by a pupil"}]
    assert world.f.reference not in body
    # Strengths are personal data: each young person whose strengths were returned is audited.
    viewed = set(
        AuditEvent.objects.filter(actor=world.worker, object_type="people.youngperson")
        .values_list("object_id", flat=True)
    )  # fmt: skip
    assert viewed == {str(p.pk) for p in (world.a, world.b, world.c, world.d)}


def test_an_uninvolved_user_gets_no_names_and_no_source_detail(world):
    api = client_for(world.officer)
    for url in (
        "/api/peer-groups/",
        f"/api/peer-groups/{world.number}/",
        "/api/peer-groups/key-connections/",
        "/api/peer-groups/saved/",
    ):
        response = api.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        no_names(body)
        assert STRENGTHS not in body and NOTE not in body
    data = api.get(f"/api/peer-groups/{world.number}/").json()
    assert data["profile"]["strengths"] == [] and data["profile"]["strengths_not_shown"] == 5
    # Links outside the officer's need to know: that they exist, and nothing else.
    assert data["links"] and all(not link["details"] for link in data["links"])
    for link in data["links"]:
        assert link["sources"] == []
        assert {link[k] for k in ("kind", "reliability", "line_style")} == {None}
        assert {link[k] for k in ("first_seen", "last_seen", "review_by")} == {None}
    assert (
        "Eastbridge Children" not in api.get(f"/api/peer-groups/{world.number}/").content.decode()
    )
    assert api.get(f"/api/young-people/{world.a.reference}/network/").status_code == 404


def test_a_young_persons_network_leaves_out_expired_links_and_is_audited(world):
    api = client_for(world.worker)
    response = api.get(f"/api/young-people/{world.a.reference}/network/")
    assert response.status_code == 200
    no_names(response.content.decode())
    nodes = {n["id"]: n for n in response.json()["nodes"]}
    assert nodes[world.a.reference]["focus"] is True
    assert nodes[world.x.reference]["steps"] == 2
    assert world.f.reference not in nodes
    assert AuditEvent.objects.filter(
        actor=world.worker, object_id=str(world.a.pk), changed_fields=["network"]
    ).exists()


def test_key_connections_name_the_person_of_concern_linked_to_both_groups(world):
    data = client_for(world.analyst).get("/api/peer-groups/key-connections/").json()
    [poc] = data["persons_of_concern"]
    assert poc["reference"] == world.poc.reference
    assert sorted(poc["groups"]) == sorted([world.number, world.other_number])
    assert poc["flags"] == ["Suspected exploitation of children"]
    bridges = {b["reference"] for b in data["young_people"]}
    assert bridges & {world.d.reference, world.x.reference}


def test_saving_a_group_through_the_api(world):
    api = client_for(world.worker)
    response = api.post(
        "/api/peer-groups/saved/",
        {"detected_group": world.number, "name": "Arcade group", "description": "After school"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"].startswith("PG-") and data["detected_group"] == world.number
    assert sorted(data["members"]) == sorted(p.reference for p in world.members)
    assert AuditEvent.objects.filter(
        actor=world.worker, action="create", object_type="contexts.peergroup"
    ).exists()
    listed = api.get("/api/peer-groups/saved/").json()["results"]
    assert [g["reference"] for g in listed] == [data["reference"]]
    detail = api.get(f"/api/peer-groups/saved/{data['reference']}/")
    assert detail.status_code == 200
    assert detail.json()["profile"]["size"] == 5
    no_names(detail.content.decode())
    officer = client_for(world.officer).get(f"/api/peer-groups/saved/{data['reference']}/")
    assert officer.status_code == 200 and STRENGTHS not in officer.content.decode()


def test_bad_input_is_refused_with_field_messages(world):
    api = client_for(world.worker)
    response = api.post(
        "/api/peer-groups/saved/", {"detected_group": 999, "name": ""}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["detected_group"] == ["No current detected group has the number 999"]
    assert errors["name"] == ["Enter a name for the peer group"]
    api.post("/api/peer-groups/saved/", {"detected_group": world.number, "name": "Arcade"})
    again = api.post(
        "/api/peer-groups/saved/", {"detected_group": world.other_number, "name": "ARCADE"}
    )
    assert again.status_code == 400 and "already exists" in again.json()["name"][0]
    assert PeerGroup.objects.count() == 1
    analyst = client_for(world.analyst).post(
        "/api/peer-groups/saved/", {"detected_group": world.number, "name": "Other"}
    )
    assert analyst.status_code == 403


def test_alerts_for_the_users_agency_are_listed_and_acknowledged(world):
    # A newcomer the school knows is linked to a member of the high-risk group.
    newcomer = YoungPersonFactory(created_by_agency=world.teacher.agency)
    association_record(
        actor=world.teacher,
        young_person=newcomer,
        other_young_person=world.a,
        kind="friend",
        reliability="tentative",
        seen_on=timezone.localdate(),
        source_note="Seen together at the gates",
    )
    alert = PeerAlert.objects.get(young_person=newcomer)
    school = client_for(world.teacher)
    listed = school.get("/api/peer-alerts/").json()["results"]
    assert [a["id"] for a in listed] == [alert.pk]
    assert listed[0]["young_person"] == newcomer.reference
    assert listed[0]["detected_group"] == world.number
    no_names(school.get("/api/peer-alerts/").content.decode())
    assert client_for(world.officer).get("/api/peer-alerts/").json()["results"] == []
    assert (
        client_for(world.officer).post(f"/api/peer-alerts/{alert.pk}/acknowledge/").status_code
        == 404
    )
    too_long = school.post(f"/api/peer-alerts/{alert.pk}/acknowledge/", {"note": "x" * 301})
    assert too_long.status_code == 400 and "note" in too_long.json()
    done = school.post(f"/api/peer-alerts/{alert.pk}/acknowledge/", {"note": "Spoke to her"})
    assert done.status_code == 200 and done.json()["acknowledged_note"] == "Spoke to her"
    assert school.get("/api/peer-alerts/").json()["results"] == []
    everything = school.get("/api/peer-alerts/", {"include_acknowledged": "true"}).json()
    assert [a["id"] for a in everything["results"]] == [alert.pk]
    assert school.post(f"/api/peer-alerts/{alert.pk}/acknowledge/").status_code == 404


def test_links_past_review_by_are_never_returned(world):
    Association.objects.filter(other_young_person__isnull=False).update(
        review_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    data = client_for(world.worker).get(f"/api/young-people/{world.a.reference}/network/").json()
    kinds = {link["kind"] for link in data["links"]}
    # Only the links to the person of concern, and co-involvement in the recent concern, remain.
    assert kinds <= {"associate", "co_involvement"}
    assert "co_involvement" in kinds
