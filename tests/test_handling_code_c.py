"""Handling conditions follow the information.

The police record a concern with handling code C ("police operation, do not share with school")
naming two children the school works with, and a person of concern with current flags. The
school must see nothing of what that concern created, on any route: not the link between the
children, not the link to the person of concern, not the early warning it raised, not the
peer-map links, not the group facts or counts it would add, not the concern's reference, not
the person of concern's reference. The police, who are its audience, see all of it.
"""

import dataclasses
import datetime
import json
from html import escape
from typing import Any

import pytest
from django.utils import timezone

from tests.test_route_harness import ROUTES, WRITES, World, _body, _call, _client
from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Association
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import DetectedGroupMember, PeerAlert
from waymark.contexts.peer_groups.network import peer_groups_refresh
from waymark.contexts.tests.factories import PlaceFactory, WardFactory
from waymark.people.access import InvolvementSource
from waymark.people.services import involvement_start
from waymark.people.tests.factories import (
    PersonFlagFactory,
    PersonOfConcernFactory,
    YoungPersonFactory,
)

CONDITIONS = "Police operation, do not share with school"
NARRATIVE = "Operation Kestrel: seen collected by a grey van behind the garages"
SECRET_PLACE = "Quarry Lane Garages"
B_GIVEN, B_FAMILY = "Ottoline", "Brackenridge-Nwosu"


@dataclasses.dataclass
class HandlingWorld:
    school: Any  # a school practitioner, involved with every child here
    school_manager: Any
    officer: Any  # a police officer, involved with A and B, who records the C concern
    a: Any
    b: Any
    others: list[Any]
    poc: Any  # flagged, named only in the C concern
    concern: Any  # the C concern
    shared_concern: Any  # a concern the school recorded, handling code P
    shared_association: Any
    place: Any
    ward: Any
    unrelated_poc: Any
    school_agency: Any

    @property
    def c_links(self) -> list[Association]:
        return list(self.concern.associations.all())

    def harness_world(self) -> World:
        """The route harness's world, seen by the school: every route is driven as the school."""
        values = {
            "practitioner": self.school,
            "manager": self.school_manager,
            "outsider": self.officer,
            "young_person": self.a,
            "other_young_person": self.others[0],
            "place": self.place,
            "ward": self.ward,
            "concern": self.shared_concern,
            "association": self.shared_association,
            "person_of_concern": self.unrelated_poc,
            "agency": self.school_agency,
        }
        return World(**{f.name: values.get(f.name) for f in dataclasses.fields(World)})


@pytest.fixture
def hw(db) -> HandlingWorld:
    school_agency = AgencyFactory(name="Eastbridge Academy Safeguarding", sector="education")
    police = AgencyFactory(name="Midshire Police", sector="police")
    school = UserFactory(username="dsl", agency=school_agency, role=Role.PRACTITIONER)
    school_manager = UserFactory(username="head", agency=school_agency, role=Role.MANAGER)
    officer: Any = UserFactory(username="pc", agency=police, role=Role.PRACTITIONER)
    a: Any = YoungPersonFactory(created_by_agency=school_agency)
    b: Any = YoungPersonFactory(
        created_by_agency=school_agency, given_name=B_GIVEN, family_name=B_FAMILY
    )
    others: list[Any] = [YoungPersonFactory(created_by_agency=school_agency) for _ in range(3)]
    for child in (a, b):
        involvement_start(
            actor=officer,
            agency=police,
            young_person=child,
            source=InvolvementSource.ALLOCATION,
            purpose="Exploitation team caseload",
        )
    ward = WardFactory(name="Riverside")
    place = PlaceFactory(name="Eastbridge Academy", ward=ward)
    # What the school knows: A and B each with the same three friends. One peer group of five.
    shared_concern = concern_make(
        actor=school, young_people=[a, *others], place=place, risks={"cce": ["cash"]}
    )
    concern_make(actor=school, young_people=[b, *others], place=place, risks={"cce": ["cash"]})
    shared_association = Association.objects.get(
        young_person=min(a, others[0], key=lambda p: p.pk),
        other_young_person=max(a, others[0], key=lambda p: p.pk),
    )
    poc = PersonFlagFactory(kind="sexual_harm").person
    secret_place = PlaceFactory(name=SECRET_PLACE, ward=ward)
    concern = concern_make(
        actor=officer,
        young_people=[a, b],
        persons_of_concern=[poc],
        place=secret_place,
        narrative=NARRATIVE,
        handling_code="C",
        handling_conditions=CONDITIONS,
        link_kind="exploiting",
        link_reliability="confirmed",
        risks={"cse": ["gifts"]},
        occurred_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    peer_groups_refresh(force=True)
    return HandlingWorld(
        school=school,
        school_manager=school_manager,
        officer=officer,
        a=a,
        b=b,
        others=others,
        poc=poc,
        concern=concern,
        shared_concern=shared_concern,
        shared_association=shared_association,
        place=place,
        ward=ward,
        unrelated_poc=PersonOfConcernFactory(),
        school_agency=school_agency,
    )


def _group(hw: HandlingWorld) -> int:
    return DetectedGroupMember.objects.get(group__active=True, young_person=hw.a).group.number


def _json(user: Any, url: str) -> Any:
    response = _client(user).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.json()


def _results(data: Any) -> list[Any]:
    return data["results"] if isinstance(data, dict) and "results" in data else data


def _pairs(links: list[dict]) -> set[frozenset[str]]:
    return {frozenset({link["source"], link["target"]}) for link in links}


def test_the_c_concern_created_links_and_an_early_warning(hw):
    # The world is what the test says it is: the C concern made two kinds of link and a warning.
    assert len(hw.c_links) == 3  # A-B, A-POC, B-POC
    assert {link.kind for link in hw.c_links} == {"exploiting"}
    alerts = PeerAlert.objects.filter(association__in=hw.c_links)
    assert alerts.exists()
    # The early warning went to the police only, though the school is involved with A and B.
    for alert in alerts:
        assert set(alert.agencies.values_list("name", flat=True)) == {"Midshire Police"}
    # The C concern shaped no detected group: the group is the school's five, found from P.
    members = set(
        DetectedGroupMember.objects.filter(group__number=_group(hw)).values_list(
            "young_person_id", flat=True
        )
    )
    assert members == {p.pk for p in (hw.a, hw.b, *hw.others)}


def test_the_school_sees_nothing_of_it_on_any_route(hw):
    w = hw.harness_world()
    secrets = (
        hw.concern.reference,
        hw.poc.reference,
        NARRATIVE,
        CONDITIONS,
        "Newly linked (exploiting",  # the early warning's words
    )
    checked = 0
    for name, route in [*ROUTES.items(), *((f"{n} (write)", r) for n, r in WRITES.items())]:
        if route.public:
            continue
        response = _call(_client(hw.school), route, w)
        assert response.status_code < 500, name
        body = _body(response)
        if name == "api:person-of-concern-list":
            # The register of persons of concern lists everyone in it: the person of concern
            # exists apart from the C concern. Nothing ties them to A or B here.
            body = body.replace(hw.poc.reference, "")
        for secret in secrets:
            assert secret not in body, (name, secret)
        checked += 1
    assert checked > 40
    # The flagged person of concern's own pages name them, but show nothing the C concern made.
    for url in (
        f"/persons-of-concern/{hw.poc.reference}/",
        f"/api/persons-of-concern/{hw.poc.reference}/",
    ):
        body = _body(_client(hw.school).get(url))
        for secret in (hw.concern.reference, hw.a.reference, hw.b.reference, NARRATIVE):
            assert secret not in body, (url, secret)


def test_the_school_sees_no_link_alert_peer_link_or_group_fact_from_it(hw):
    school = hw.school
    a, b, poc = hw.a.reference, hw.b.reference, hw.poc.reference
    # A's page and API: no link to B or to the person of concern, not even that one exists.
    page = _body(_client(school).get(f"/young-people/{a}/"))
    for secret in (b, B_FAMILY, poc, hw.concern.reference):
        assert secret not in page, secret
    links = _results(_json(school, f"/api/young-people/{a}/associations/"))
    assert links and all(link["other_young_person"] != b for link in links)
    assert all(link["person_of_concern"] is None for link in links)
    assert all(hw.concern.reference not in link["source_concerns"] for link in links)
    everyone = _results(_json(school, "/api/associations/?limit=100"))
    assert not {link["id"] for link in everyone} & {link.pk for link in hw.c_links}
    for link in hw.c_links:
        assert _client(school).get(f"/api/associations/{link.pk}/").status_code == 404
    # No early warning, on the dashboard or the API.
    assert _results(_json(school, "/api/peer-alerts/?include_acknowledged=true")) == []
    dashboard = _body(_client(school).get("/"))
    assert poc not in dashboard and "Newly linked" not in dashboard
    # The peer map of A and of the group: no A-B link, no person of concern.
    for url in (f"/api/young-people/{a}/network/", f"/api/peer-groups/{_group(hw)}/"):
        data = _json(school, url)
        assert frozenset({a, b}) not in _pairs(data["links"]), url
        assert poc not in {node["id"] for node in data["nodes"]}, url
        assert "exploiting" not in {link["kind"] for link in data["links"]}, url
    # Group facts and counts: only the school's two P concerns, in the one category they share.
    profile = _json(school, f"/api/peer-groups/{_group(hw)}/")["profile"]
    categories = {c["category"]: c for c in profile["concerns_by_category"]}
    assert set(categories) == {"cce"} and categories["cce"]["concerns"] == 2
    assert [p["name"] for p in profile["places"]] == ["Eastbridge Academy"]
    assert profile["persons_of_concern"] == []
    summary = next(
        g for g in _results(_json(school, "/api/peer-groups/")) if g["number"] == _group(hw)
    )
    assert summary["persons_of_concern"] == 0 and summary["flagged_persons_of_concern"] == 0
    group_page = _body(_client(school).get(f"/peer-groups/{_group(hw)}/"))
    for secret in (poc, SECRET_PLACE, "Child sexual exploitation", "Exploiting or controlling"):
        assert secret not in group_page, secret


def test_counts_the_school_sees_do_not_include_it(hw):
    secret_place = hw.concern.place
    page = _body(_client(hw.school).get(f"/young-people/{hw.a.reference}/"))
    assert SECRET_PLACE not in page
    detail = _json(hw.school, f"/api/places/{secret_place.pk}/")
    counts = detail["counts"]
    assert (counts["concerns"], counts["young_people"], counts["months"]) == (0, 0, [])
    place_page = _body(_client(hw.school).get(f"/places/{secret_place.pk}/"))
    for child in (hw.a, hw.b):
        assert child.reference not in place_page and escape(child.display_name) not in place_page
    # Counts shared by every viewer leave C concerns out for everyone, the audience included.
    assert _json(hw.officer, f"/api/places/{secret_place.pk}/")["counts"]["concerns"] == 0


def test_the_police_its_audience_still_see_all_of_it(hw):
    officer = hw.officer
    a, b, poc = hw.a.reference, hw.b.reference, hw.poc.reference
    links = _results(_json(officer, f"/api/young-people/{a}/associations/"))
    assert {link["other_young_person"] for link in links} >= {b}
    assert poc in {link["person_of_concern"] for link in links}
    for link in links:
        if link["other_young_person"] == b or link["person_of_concern"] == poc:
            assert link["source_concerns"] == [hw.concern.reference]
    page = _body(_client(officer).get(f"/young-people/{a}/"))
    assert poc in page and hw.concern.reference in page
    alerts = _results(_json(officer, "/api/peer-alerts/"))
    assert poc in json.dumps(alerts)
    assert poc in _body(_client(officer).get("/"))
    network = _json(officer, f"/api/young-people/{a}/network/")
    ab = [link for link in network["links"] if {link["source"], link["target"]} == {a, b}]
    assert ab and ab[0]["details"] and ab[0]["kind"] == "exploiting"
    assert ab[0]["sources"] == [
        {"concern": hw.concern.reference, "description": hw.concern.reference}
    ]
    profile = _json(officer, f"/api/peer-groups/{_group(hw)}/")["profile"]
    assert "cse" in {c["category"] for c in profile["concerns_by_category"]}
    assert SECRET_PLACE in {p["name"] for p in profile["places"]}
    assert poc in {p["reference"] for p in profile["persons_of_concern"]}


def test_recording_the_same_link_by_hand_does_not_reveal_the_c_concern(hw):
    response = _client(hw.school).post(
        "/api/associations/",
        {
            "young_person": hw.a.reference,
            "person_of_concern": hw.poc.reference,
            "kind": "associate",
            "reliability": "unconfirmed",
            "seen_on": str(timezone.localdate()),
            "source_note": "Seen with him at the school gates",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert hw.concern.reference not in _body(response)
    assert response.json()["source_concerns"] == []
    assert response.json()["source_note"] == "Seen with him at the school gates"
