"""The planted patterns, and the links that come from records rather than concerns.

Each function adds to a `ConcernBuilder` what one pattern of `plan.PatternPlan` needs: the rising
places, the peer groups with their person of concern, and the unrelated children at the bus
station. Analysis is tested against these (see `truths`).
"""

import datetime
import itertools
import math
from typing import TYPE_CHECKING

from waymark.core.models import Reliability

from .agencies import CSC, POLICE, SCHOOL_AGENCIES, TRANSPORT, YOUTH
from .plan import HISTORY_DAYS, RECENT_DAYS, REVIEW_PERIOD, GroupPlan

if TYPE_CHECKING:
    from .concerns import ConcernBuilder

GROUP_SECOND_CATEGORY = {
    "cce": ["missing", "substances"],
    "cse": ["missing", "online"],
    "gangs": ["cce"],
}
RISING_THEMES = {
    "takeaway": ["cce", "cse", "substances"],
    "hotel": ["cse", "trafficking", "missing"],
    "park": ["substances", "gangs", "cce"],
}


def plant_rising_places(builder: "ConcernBuilder", per_place: int) -> None:
    """Each rising place: a few concerns a year, then a sharp rise over the last six months.

    The added concerns grow denser towards today, and mostly involve children who live nearby.
    """
    rng = builder.rng
    for place in builder.patterns.rising_places:
        spot = builder.town.places[place]
        locals_ = builder.by_ward.get(spot.ward, [])
        for _ in range(per_place):
            days_ago = min(RECENT_DAYS - 1, int(RECENT_DAYS * (1 - math.sqrt(rng.random()))))
            size = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            first = (
                rng.choice(locals_)
                if locals_ and rng.random() < 0.6
                else builder.child(open_only=True)
            )
            children = builder.companions(first, size - 1, pool=locals_ or None)
            adults = [rng.choice(builder.background_adults)] if rng.random() < 0.25 else []
            builder.add(
                days_ago=days_ago,
                categories=[rng.choice(RISING_THEMES[spot.kind])],
                place=place,
                children=children,
                adults=adults,
            )


def plant_peer_groups(builder: "ConcernBuilder") -> None:
    """Tight groups that share concerns with each other and with one person of concern."""
    rng = builder.rng
    for group in builder.patterns.groups:
        members = list(group.members)
        with_adult: set[int] = set()
        covered: set[tuple[int, int]] = set()
        for _ in range(len(members) + 4):
            kids = rng.sample(members, rng.randint(2, min(4, len(members))))
            _group_concern(builder, group, kids, rng.random() < 0.6, covered, with_adult)
        for member in members:
            if member not in with_adult:
                other = rng.choice([m for m in members if m != member])
                _group_concern(builder, group, [member, other], True, covered, with_adult)
        for pair in itertools.combinations(members, 2):
            if pair not in covered and rng.random() < 0.6:
                seen = builder.today - datetime.timedelta(days=rng.randint(10, 120))
                builder.link(
                    builder.out.child_links,
                    pair,
                    "friend",
                    Reliability.TENTATIVE,
                    seen,
                    seen + REVIEW_PERIOD,
                    builder.recorder_from(YOUTH),
                    None,
                    note="Peer mapping by Eastbridge Youth Service",
                )


def _group_concern(
    builder: "ConcernBuilder",
    group: GroupPlan,
    kids: list[int],
    with_adult: bool,
    covered: set[tuple[int, int]],
    linked_to_adult: set[int],
) -> None:
    rng = builder.rng
    categories = [group.theme]
    if rng.random() < 0.4:
        categories.append(rng.choice(GROUP_SECOND_CATEGORY[group.theme]))
    nearby = [i for i, p in enumerate(builder.town.places) if p.ward == group.ward]
    builder.add(
        days_ago=rng.randint(3, 150),
        categories=categories,
        place=group.hangout if rng.random() < 0.6 else rng.choice(nearby),
        children=kids,
        adults=[group.person_of_concern] if with_adult else [],
        link_kind="friend",
        roles=["at_risk"] * len(kids),
        recorder=builder.recorder_from(rng.choice([POLICE, POLICE, CSC, YOUTH])),
        grading=(rng.choice("12"), rng.choice("AB"), "P", ""),
    )
    covered.update(itertools.combinations(sorted(kids), 2))
    if with_adult:
        linked_to_adult.update(kids)


def plant_bus_station(builder: "ConcernBuilder") -> None:
    """Unrelated children, each harmed at the bus station, none linked to another."""
    rng = builder.rng
    for child in builder.patterns.bus_station_children:
        for _ in range(1 + (rng.random() < 0.5)):
            category = rng.choices(["cse", "cce", "gangs"], weights=[40, 35, 25])[0]
            agency = rng.choice([TRANSPORT, POLICE, POLICE, YOUTH, CSC])
            builder.add(
                days_ago=rng.randint(0, 270),
                categories=[category],
                place=builder.patterns.bus_station,
                children=[child],
                roles=["at_risk"],
                recorder=builder.recorder_from(agency),
            )


def family_and_friends(builder: "ConcernBuilder", school_friend_links: int) -> None:
    """Links that come from records rather than concerns: siblings and school friendships."""
    rng = builder.rng
    for index, child in enumerate(builder.children):
        if child.sibling_of is not None:
            seen = builder.today - datetime.timedelta(days=rng.randint(30, 700))
            review = builder.today + datetime.timedelta(days=rng.randint(60, 365))
            builder.link(
                builder.out.child_links,
                (child.sibling_of, index),
                "family",
                Reliability.CONFIRMED,
                seen,
                review,
                builder.recorder_from(CSC),
                None,
                note="Family composition on the children's social care record",
            )
    reserved = builder.patterns.reserved
    schools = [
        s
        for s, kids in builder.by_school.items()
        if len([k for k in kids if k not in reserved]) > 1
    ]
    for _ in range(school_friend_links):
        kids = [k for k in builder.by_school[rng.choice(schools)] if k not in reserved]
        a, b = sorted(rng.sample(kids, 2))
        seen = builder.today - datetime.timedelta(days=rng.randint(0, HISTORY_DAYS))
        school = builder.children[a].school
        agency = (
            SCHOOL_AGENCIES.get(builder.town.places[school].name, CSC)
            if school is not None
            else CSC
        )
        builder.link(
            builder.out.child_links,
            (a, b),
            "friend",
            Reliability.TENTATIVE,
            seen,
            seen + REVIEW_PERIOD,
            builder.recorder_from(agency),
            None,
            note="Friendship noted by the school's safeguarding lead",
        )
