"""The planted patterns, and the links that come from records rather than concerns.

Each function adds to a `ConcernBuilder` what one pattern of `plan.PatternPlan` needs: the rising
places, the peer groups with their person of concern, the person of concern who links several
groups, and the unrelated children at the bus station. Analysis is tested against these (see `truths`).
"""

import calendar
import datetime
import itertools
import math
from typing import TYPE_CHECKING

from waymark.core.models import Reliability

from .agencies import CSC, POLICE, SCHOOL_AGENCIES, TRANSPORT, YOUTH
from .plan import (
    HISTORY_DAYS,
    PLAN_MONTHS,
    REVIEW_PERIOD,
    WINDOW_DAYS,
    GroupPlan,
    RisingPlan,
    outcome_area,
    stream,
)

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
YEAR_GROWTH = 2.6  # an intensifying place has 2.6 times the concerns it had a year ago
SUDDEN_SIZE = 0.7  # a sudden rise has 0.7 of what an intensifying place has in its final month
AT_THE_PLACE = 0.5  # of each month's concerns; the rest are at the places around it
OUTSIDE_FRIEND_RATE = 0.2  # of a planted group's members, those with a friend outside the group


def rising_months(plan: RisingPlan, per_month: float) -> dict[int, int]:
    """How many concerns a rising place and the places around it have, by months before today.

    Month 0 is the month up to today, month 1 the one before it, and so on. An intensifying
    place had `per_month` a year ago (month 11) and grows faster and faster: it had about half
    as many two years ago, and has `YEAR_GROWTH` times as many now. A sudden one has nothing
    planted before the final month, then `SUDDEN_SIZE` of what an intensifying place has in it.
    """
    if plan.sudden:
        return {0: round(SUDDEN_SIZE * YEAR_GROWTH * per_month)}
    months = HISTORY_DAYS * 12 // 365
    return {m: round(per_month * YEAR_GROWTH ** (1 - (m / 11) ** 0.7)) for m in range(months)}


def plant_rising_places(builder: "ConcernBuilder", per_month: float) -> None:
    """Two places whose concerns have intensified for two years, and one with a sudden rise.

    Half of each month's concerns are at the place, the rest at the places around it in turn,
    so the rise reads as one cluster on the Places page's map. Most involve children who live
    nearby. The months are calendar months back from today, as the Places page slices a year.
    """
    rng = builder.rng
    after = builder.today + datetime.timedelta(days=1)
    for plan in builder.patterns.rising:
        spot = builder.town.places[plan.place]
        locals_ = builder.by_ward.get(spot.ward, [])
        for months_ago, count in rising_months(plan, per_month).items():
            at_place = round(count * AT_THE_PLACE) if plan.around else count
            where = [plan.place] * at_place + [
                plan.around[i % len(plan.around)] for i in range(count - at_place)
            ]
            first_day = _months_before(after, months_ago + 1)
            days = (_months_before(after, months_ago) - first_day).days
            for place in where:
                day = first_day + datetime.timedelta(days=rng.randrange(days))
                size = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
                if rng.random() < 0.25:  # with a person of concern who frequents the area
                    adults = [builder.adult_near(spot.ward)]
                    children = builder.children_with(adults[0], size)
                else:
                    adults = []
                    first = (
                        rng.choice(locals_)
                        if locals_ and rng.random() < 0.6
                        else builder.child(open_only=True)
                    )
                    children = builder.companions(first, size - 1, pool=locals_ or None)
                builder.add(
                    days_ago=min(HISTORY_DAYS - 1, (builder.today - day).days),
                    categories=[rng.choice(RISING_THEMES[spot.kind])],
                    place=place,
                    children=children,
                    adults=adults,
                )


def _months_before(day: datetime.date, months: int) -> datetime.date:
    """`day` moved back by whole calendar months, the day of month clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


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


def plant_linking_person(builder: "ConcernBuilder") -> None:
    """One older man who exploits one or two children from each of several planted groups.

    He meets each child apart from the rest of their group, near where the group spends time,
    so no concern names two groups' children together: only he links the groups. Every link to
    him is "exploiting", graded from reliable sources (tentative or confirmed), and recent
    enough to be current.
    """
    rng = builder.rng
    linking = builder.patterns.linking
    group_of = {
        m: builder.patterns.groups[n]
        for n in linking.groups
        for m in builder.patterns.groups[n].members
        if m in linking.members
    }
    for member in linking.members:
        group = group_of[member]
        nearby = [i for i, p in enumerate(builder.town.places) if p.ward == group.ward]
        for _ in range(rng.randint(1, 2)):
            categories = ["cce"]
            if rng.random() < 0.4:
                categories.append(rng.choice(GROUP_SECOND_CATEGORY["cce"]))
            builder.add(
                days_ago=rng.randint(5, 120),
                categories=categories,
                place=group.hangout if rng.random() < 0.5 else rng.choice(nearby),
                children=[member],
                adults=[linking.person_of_concern],
                adult_link_kind="exploiting",
                roles=["at_risk"],
                recorder=builder.recorder_from(rng.choice([POLICE, POLICE, CSC, YOUTH])),
                grading=(rng.choice("12"), rng.choice("AB"), "P", ""),
            )


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
        _school_friendship(builder, *rng.sample(kids, 2))
    # A planted group's members have friends outside it too: now and then a classmate, one with
    # friends of their own (a child whose only friend is in a group belongs with that group).
    for group in builder.patterns.groups:
        for member in group.members:
            school = builder.children[member].school
            classmates = [
                c
                for c in (builder.by_school.get(school, []) if school is not None else [])
                if builder.friends.get(c)
            ]
            if classmates and rng.random() < OUTSIDE_FRIEND_RATE:
                _school_friendship(builder, member, rng.choice(classmates))


def _school_friendship(builder: "ConcernBuilder", one: int, other: int) -> None:
    a, b = sorted((one, other))
    seen = builder.today - datetime.timedelta(days=builder.rng.randint(0, HISTORY_DAYS))
    school = builder.children[a].school
    agency = (
        SCHOOL_AGENCIES.get(builder.town.places[school].name, CSC) if school is not None else CSC
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


# What each context place's concerns are about, and how many the planting aims for in each window.
CONTEXT_THEMES = {
    "transport": ["cce", "missing", "cse"],
    "takeaway": ["cce", "cse", "substances"],
    "shop": ["substances", "cce", "modern_slavery"],
}
AREA_THEMES = ["cce", "cse", "missing", "substances", "gangs", "online"]
IMPROVED_BEFORE = (33, 38)
IMPROVED_AFTER = (8, 11)
IMPROVED_MOST = 0.3  # after / before, at most: the fall is clear however busy the background
UNCHANGED_LEAST = 12
AREA_LEAST = 45  # concerns in each window in the surrounding area


def context_plan_start(today: datetime.date) -> datetime.date:
    """The day the planted place cases' context plans started."""
    return _months_before(today, PLAN_MONTHS)


def plant_context_places(builder: "ConcernBuilder") -> None:
    """Concerns at the two context places, before and after their plans started, and around them.

    The improved place has about 35 concerns in the half year before its plan and about 10 in the
    half year after; the unchanged one has much the same in both. Each surrounding area is evened
    out so that it has the same number of concerns in both windows, and at least AREA_LEAST: the
    fall at the improved place is then its own, not the town's. Concerns already there (the
    background) count towards each aim, so the planting tops up rather than adds blindly. Drawn
    from its own stream, so planting them moves nothing planted before.
    """
    main, builder.rng = builder.rng, stream(builder.seed, "context-places-concerns")
    try:
        _plant_context_places(builder)
    finally:
        builder.rng = main


def _plant_context_places(builder: "ConcernBuilder") -> None:
    rng, town, plan = builder.rng, builder.town, builder.patterns.context_places
    start = context_plan_start(builder.today)
    window = datetime.timedelta(days=WINDOW_DAYS)
    before, after = (start - window, start), (start, start + window)
    planted = {
        builder.patterns.bus_station,
        *(i for r in builder.patterns.rising for i in (r.place, *r.around)),
        *(g.hangout for g in builder.patterns.groups),
        *plan.places,
    }
    index_of = {id(p): i for i, p in enumerate(builder.places)}
    days: dict[int, list[datetime.date]] = {}  # place index -> the days of its concerns
    for concern in builder.out.concerns:
        if concern.place is not None:
            days.setdefault(index_of[id(concern.place)], []).append(concern.occurred_on)

    def counts(places: set[int]) -> tuple[int, int]:
        on = [d for p in places for d in days.get(p, ())]
        return tuple(sum(first <= d < end for d in on) for first, end in (before, after))  # type: ignore[return-value]

    def add(place: int, span: tuple[datetime.date, datetime.date], how_many: int, themes) -> None:
        spot = town.places[place]
        locals_ = builder.by_ward.get(spot.ward) or builder.open_children
        # The same few young people return to a place, named with each other now and then.
        regulars = rng.sample(locals_, min(6, len(locals_)))
        for _ in range(how_many):
            day = span[0] + datetime.timedelta(days=rng.randrange((span[1] - span[0]).days))
            size = rng.choices([1, 2], weights=[70, 30])[0]
            builder.add(
                days_ago=(builder.today - day).days,
                categories=[rng.choice(themes)],
                place=place,
                children=builder.companions(rng.choice(regulars), size - 1, pool=regulars),
            )
            days.setdefault(place, []).append(day)

    def aim(place: int, want_before: int, want_after: int) -> None:
        had_before, had_after = counts({place})
        kind = town.places[place].kind
        add(place, before, max(0, want_before - had_before), CONTEXT_THEMES[kind])
        add(place, after, max(0, want_after - had_after), CONTEXT_THEMES[kind])

    def even_out(place: int, other: int) -> None:
        area = set(outcome_area(town, place))
        spread = sorted(area - {*outcome_area(town, other), other} - planted) or sorted(area)
        had = counts(area)
        want = max(*had, AREA_LEAST)
        for span, have in zip((before, after), had, strict=True):
            for _ in range(want - have):
                add(rng.choice(spread), span, 1, AREA_THEMES)

    had_after = counts({plan.improved})[1]
    want_after = max(rng.randint(*IMPROVED_AFTER), had_after)
    want_before = max(rng.randint(*IMPROVED_BEFORE), math.ceil(want_after / IMPROVED_MOST))
    aim(plan.improved, want_before, want_after)
    level = max(*counts({plan.unchanged}), UNCHANGED_LEAST)
    aim(plan.unchanged, level + rng.randint(0, 1), level + rng.randint(0, 1))
    even_out(plan.improved, plan.unchanged)
    even_out(plan.unchanged, plan.improved)
