"""The peer groups pages: the list, a group's profile and peer map, saving a group, a young
person's network. Need to know throughout: names only for young people the viewer may see."""

import datetime
import json
import re
from typing import Any

import pytest
from django.utils import timezone

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.concerns.models import Association
from waymark.contexts.models import DetectedGroupMember, PeerGroup
from waymark.contexts.peer_groups.peer_map import young_person_network
from waymark.contexts.peer_groups.selectors import detected_group_profile

from .world import (
    FAMILY,
    GIVEN,
    HIDDEN_FAMILY,
    HIDDEN_GIVEN,
    NOTE,
    STRENGTHS,
)

pytestmark = pytest.mark.django_db


def page(client: Any, user: User, url: str) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_detection_finds_the_two_groups_and_leaves_out_the_expired_link(world):
    members = set(
        DetectedGroupMember.objects.filter(group__number=world.number).values_list(
            "young_person", flat=True
        )
    )
    assert members == {p.pk for p in world.members}
    assert world.other_number != world.number
    assert not DetectedGroupMember.objects.filter(group__active=True, young_person=world.f).exists()


def test_the_group_profile_states_the_facts(world):
    profile = detected_group_profile(
        user=world.worker, group=DetectedGroupMember.objects.get(young_person=world.a).group
    )
    assert profile.size == 5
    # E, whom the worker may not see, is the only member they may not see: counts over all five
    # would describe E, so ages and schools come from the four they may see (E is 13).
    assert (profile.age_min, profile.age_max) == (14, 16)
    assert profile.schools == [("Eastbridge Academy", 2)]
    assert profile.school_not_recorded == 2
    by_category = {c.category: (c.concerns, c.members) for c in profile.categories}
    assert by_category == {"cce": (1, 3), "cse": (1, 1)}
    # A, B and C (CCE) and D (CSE) have open exploitation concerns; E has none.
    assert profile.open_exploitation == 4
    assert profile.open_exploitation_percent == 80
    assert [(p.name, p.concerns) for p in profile.places] == [("Riverside Arcade", 1)]
    [linked] = profile.persons_of_concern
    assert linked.reference == world.poc.reference and linked.members == 3
    assert linked.flags == ["Suspected exploitation of children"]
    assert profile.vulnerability == "high"
    assert "4 of 5 members have open exploitation concerns" in profile.reasons
    # Strengths beside the risks, only for members the worker may see.
    strengths = {s.person.reference: s.strengths for s in profile.strengths}
    assert set(strengths) == {p.reference for p in (world.a, world.b, world.c, world.d)}
    assert strengths[world.a.reference] == STRENGTHS
    assert profile.strengths_not_shown == 1


def test_the_group_page_shows_the_map_and_its_table_with_reliability_and_source(client, world):
    status, body = page(client, world.worker, f"/peer-groups/{world.number}/")
    assert status == 200
    assert f"{GIVEN} {FAMILY}" in body and STRENGTHS in body
    # E: the worker's agency is not involved, so E appears by reference only.
    assert world.e.reference in body and HIDDEN_FAMILY not in body
    assert "Confirmed <span" in body and "(solid line)" in body
    assert "(dashed line)" in body and "(dotted line)" in body
    # Sources: the concern the worker may see, the note of a link they may see.
    assert world.concern.reference in body and NOTE in body
    assert "Named by a pupil" in body  # the link to E goes through C, whom the worker sees
    # The map draws the same people as the table: 5 members and the person of concern.
    data = json.loads(re.search(r'id="peer-map-data"[^>]*>(.*?)</script>', body, re.S).group(1))
    assert {n["id"] for n in data["nodes"]} == {p.reference for p in world.members} | {
        world.poc.reference
    }
    styles = {frozenset((link["source"], link["target"])): link["style"] for link in data["links"]}
    assert styles[frozenset((world.a.reference, world.b.reference))] == "solid"
    assert styles[frozenset((world.d.reference, world.a.reference))] == "dashed"
    assert styles[frozenset((world.e.reference, world.c.reference))] == "dotted"
    assert world.f.reference not in body  # the expired link is not evidence
    assert 'src="/static/cytoscape/dist/cytoscape.min.js" nonce=' in body
    assert "peer-map.js" in body
    assert "Vulnerability: high" in body


def test_expired_links_are_left_out_of_a_young_persons_network(client, world):
    network = young_person_network(user=world.worker, young_person=world.a)
    ids = {n.id for n in network.nodes}
    assert world.f.reference not in ids
    assert {world.b.reference, world.d.reference, world.poc.reference} <= ids
    # X is two steps away, through D; E through C or D.
    steps = {n.id: n.steps for n in network.nodes}
    assert steps[world.a.reference] == 0 and steps[world.d.reference] == 1
    assert steps[world.x.reference] == 2 and steps[world.e.reference] == 2
    # A link that lapses today stops being evidence.
    Association.objects.filter(young_person__in=[world.a, world.d], other_young_person__in=[
        world.a, world.d
    ]).update(review_by=timezone.localdate() - datetime.timedelta(days=1))  # fmt: skip
    network = young_person_network(user=world.worker, young_person=world.a)
    assert not any(
        {link.source, link.target} == {world.a.reference, world.d.reference}
        for link in network.links
    )
    status, body = page(client, world.worker, f"/young-people/{world.a.reference}/network/")
    assert status == 200 and world.f.reference not in body
    assert "This young person" in body


def test_an_uninvolved_user_sees_no_names_on_any_peer_page(client, world):
    saved = PeerGroup.objects.create(reference="PG-TEST1", name="Arcade group")
    saved.memberships.create(young_person=world.a, added_on=timezone.localdate())
    for url in (
        "/peer-groups/",
        f"/peer-groups/{world.number}/",
        f"/peer-groups/{world.other_number}/",
        f"/peer-groups/saved/{saved.reference}/",
    ):
        status, body = page(client, world.officer, url)
        assert status == 200, url
        for secret in (GIVEN, FAMILY, HIDDEN_GIVEN, HIDDEN_FAMILY, STRENGTHS, NOTE):
            assert secret not in body, (url, secret)
    status, body = page(client, world.officer, f"/peer-groups/{world.number}/")
    assert world.a.reference in body
    # Links outside the officer's need to know show only that they exist: no agency, no kind.
    assert "Recorded by" not in body and "Eastbridge Children" not in body
    assert "its details are not shared with you" in body
    assert ">Friend</td>" not in body and "line)</span>" not in body  # no kind, no reliability
    status, body = page(client, world.officer, f"/young-people/{world.a.reference}/network/")
    assert status == 403 and FAMILY not in body
    # Nothing was read; the refused network page is recorded as refused.
    events = AuditEvent.objects.filter(actor=world.officer, object_type="people.youngperson")
    assert list(events.values_list("action", "object_id")) == [("refused", world.a.reference)]


def test_an_analyst_sees_pseudonyms_only_and_cannot_save(client, world):
    status, body = page(client, world.analyst, f"/peer-groups/{world.number}/")
    assert status == 200
    assert FAMILY not in body and STRENGTHS not in body and world.a.reference in body
    assert "Save peer group" not in body
    response = client.post(f"/peer-groups/{world.number}/", {"name": "Arcade group"})
    assert response.status_code == 403
    assert not PeerGroup.objects.exists()


def test_reading_the_group_page_audits_each_young_person_named(client, world):
    page(client, world.worker, f"/peer-groups/{world.number}/")
    viewed = set(
        AuditEvent.objects.filter(
            actor=world.worker, action="view", object_type="people.youngperson"
        ).values_list("object_id", flat=True)
    )
    assert viewed == {str(p.pk) for p in (world.a, world.b, world.c, world.d)}
    page(client, world.worker, f"/young-people/{world.a.reference}/network/")
    assert AuditEvent.objects.filter(
        actor=world.worker, object_id=str(world.a.pk), purpose__startswith="Network of"
    ).exists()


def test_the_list_filters_sorts_and_names_key_connections(client, world):
    status, body = page(client, world.worker, "/peer-groups/")
    assert status == 200
    assert f'href="/peer-groups/{world.number}/"' in body
    assert f'href="/peer-groups/{world.other_number}/"' in body
    # The person of concern reaches children in both groups: a target for disruption.
    key = body[body.index('id="key-connections"') :]
    assert world.poc.reference in key
    status, body = page(client, world.worker, "/peer-groups/?vulnerability=low")
    assert f'href="/peer-groups/{world.number}/"' not in body.split('id="key-connections"')[0]
    status, body = page(client, world.worker, "/peer-groups/?sort=size&order=ascending")
    rows = re.findall(r'<a class="govuk-link wm-nowrap" href="/peer-groups/(\d+)/">', body)
    assert rows == [str(world.other_number), str(world.number)]
    assert 'aria-sort="ascending"' in body
    status, body = page(client, world.worker, "/peer-groups/?vulnerability=extreme")
    assert "There is a problem" in body


def test_saving_a_group_keeps_its_members_and_is_audited(client, world):
    client.force_login(world.worker)
    response = client.post(
        f"/peer-groups/{world.number}/",
        {"name": "  Riverside Arcade group ", "description": "Meets after school"},
    )
    saved = PeerGroup.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/peer-groups/saved/{saved.reference}/"
    assert saved.name == "Riverside Arcade group" and saved.reference.startswith("PG-")
    assert set(saved.memberships.values_list("young_person", flat=True)) == {
        p.pk for p in world.members
    }
    assert saved.created_by_agency == world.worker.agency
    event = AuditEvent.objects.get(object_type="contexts.peergroup", action="create")
    assert event.actor == world.worker and "members" in event.changed_fields
    status, body = page(client, world.worker, response["Location"])
    assert status == 200 and "Riverside Arcade group" in body and FAMILY in body
    assert f'href="/peer-groups/{world.number}/"' in body
    # The detected group's page says what it was saved as.
    status, body = page(client, world.worker, f"/peer-groups/{world.number}/")
    assert saved.reference in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "   "}, "Enter a name for the peer group"),
        ({"name": "x" * 121}, "The name must be 120 characters or fewer"),
        ({"name": "Arcade", "description": "y" * 2001}, "The description must be 2000"),
    ],
)
def test_bad_input_shows_the_error_summary_and_saves_nothing(client, world, data, message):
    client.force_login(world.worker)
    response = client.post(f"/peer-groups/{world.number}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body and message in body
    assert "<title>Error:" in body
    assert not PeerGroup.objects.exists()


def test_a_name_already_used_is_refused(client, world):
    client.force_login(world.worker)
    client.post(f"/peer-groups/{world.number}/", {"name": "Arcade group"})
    response = client.post(f"/peer-groups/{world.other_number}/", {"name": "arcade GROUP"})
    assert "A peer group called Arcade group already exists" in response.content.decode()
    assert PeerGroup.objects.count() == 1


def test_the_young_person_page_links_to_their_network(client, world):
    status, body = page(client, world.worker, f"/young-people/{world.a.reference}/")
    assert f'href="/young-people/{world.a.reference}/network/"' in body
