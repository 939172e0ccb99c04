"""A small world of young people in two peer groups, for the tests of the peer-group pages
and API: who is linked to whom, who may see whom."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory
from waymark.concerns.models import Association
from waymark.concerns.services import association_record
from waymark.concerns.tests.factories import concern_make
from waymark.contexts.models import DetectedGroupMember, PlaceKind
from waymark.contexts.peer_groups.network import peer_groups_refresh
from waymark.contexts.tests.factories import PlaceFactory
from waymark.people.tests.factories import PersonFlagFactory, YoungPersonFactory

# Names that must never reach a user who may not see these young people.
GIVEN, FAMILY = "Zarathustra", "Quinlan-Okonkwo"
HIDDEN_GIVEN, HIDDEN_FAMILY = "Persephone", "Vandermeulen-Adeyemi"
STRENGTHS = "Captains the under-16s football team"
NOTE = "Seen together at the skate park by a youth worker"


@dataclass
class PeerWorld:
    worker: Any  # children's services: involved with A, B, C, D (and X, Y, Z)
    teacher: Any  # the school: involved with E
    officer: Any  # police: involved with no one here
    analyst: Any
    a: Any
    b: Any
    c: Any
    d: Any
    e: Any
    f: Any  # linked to A only by an expired link
    x: Any
    poc: Any
    concern: Any
    number: int  # the group of A to E
    other_number: int  # the group of X, Y, Z

    @property
    def members(self) -> list[Any]:
        return [self.a, self.b, self.c, self.d, self.e]


def years_ago(years: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=round(365.25 * years) + 40)


def peer_world_build() -> PeerWorld:
    """Two groups found by detection, a bridge between them, and a person of concern linked to
    children in both. A link past its review-by date joins F to A, and must never show."""
    social_care = AgencyFactory(name="Eastbridge Children's Services")
    school_agency = AgencyFactory(name="Eastbridge Academy Safeguarding", sector="education")
    police = AgencyFactory(name="Midshire Police", sector="police")
    worker = UserFactory(username="sam", agency=social_care, role=Role.PRACTITIONER)
    teacher = UserFactory(username="dsl", agency=school_agency, role=Role.PRACTITIONER)
    officer = UserFactory(username="pc", agency=police, role=Role.PRACTITIONER)
    analyst = UserFactory(username="ana", agency=social_care, role=Role.ANALYST)
    school = PlaceFactory(name="Eastbridge Academy", kind=PlaceKind.SCHOOL)
    arcade = PlaceFactory(name="Riverside Arcade")

    def child(agency: Any, age: int, **kw: Any) -> Any:
        return YoungPersonFactory(created_by_agency=agency, date_of_birth=years_ago(age), **kw)

    a = child(
        social_care, 14, given_name=GIVEN, family_name=FAMILY, school=school, strengths=STRENGTHS
    )
    b = child(social_care, 15, school=school)
    c = child(social_care, 15)
    d = child(social_care, 16)
    e = child(school_agency, 13, given_name=HIDDEN_GIVEN, family_name=HIDDEN_FAMILY)
    f = child(social_care, 15)
    x, y, z = (child(social_care, 15) for _ in range(3))
    poc = PersonFlagFactory(kind="exploitation").person
    concern = concern_make(
        actor=worker,
        young_people=[a, b, c],
        place=arcade,
        persons_of_concern=[poc],
        link_reliability="confirmed",
        risks={"cce": ["cash"]},
    )
    concern_make(actor=worker, young_people=[d], risks={"cse": ["gifts"]})
    today = timezone.localdate()

    def link(actor: Any, one: Any, other: Any, reliability: str, note: str) -> None:
        association_record(
            actor=actor,
            young_person=one,
            other_young_person=other,
            kind="friend",
            reliability=reliability,
            seen_on=today - datetime.timedelta(days=10),
            source_note=note,
        )

    link(worker, d, a, "tentative", NOTE)
    link(worker, d, b, "tentative", NOTE)
    link(teacher, e, c, "unconfirmed", "Named by a pupil")
    link(teacher, e, d, "tentative", "Named by a pupil")
    # The other group, and the person of concern linked to it too.
    concern_make(
        actor=worker,
        young_people=[x, y, z],
        persons_of_concern=[poc],
        link_reliability="confirmed",
        risks={"gangs": ["weapon"]},
    )
    link(worker, d, x, "unconfirmed", "Named by D's mother")
    # Expired: not evidence, so neither detection nor any page may use it.
    Association.objects.create(
        young_person=min(a, f, key=lambda p: p.pk),
        other_young_person=max(a, f, key=lambda p: p.pk),
        kind="friend",
        reliability="confirmed",
        source_note="An old friendship, never reviewed",
        first_seen=today - datetime.timedelta(days=400),
        last_seen=today - datetime.timedelta(days=300),
        review_by=today - datetime.timedelta(days=1),
    )
    peer_groups_refresh()

    def group_of(person: Any) -> int:
        return DetectedGroupMember.objects.get(group__active=True, young_person=person).group.number

    return PeerWorld(
        worker=worker,
        teacher=teacher,
        officer=officer,
        analyst=analyst,
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
        f=f,
        x=x,
        poc=poc,
        concern=concern,
        number=group_of(a),
        other_number=group_of(x),
    )
