"""What a build of a given seed and scale contains, decided before anything is written.

Each topic draws from its own random stream (`stream(seed, "young-people")`, ...), so a change
to how narratives are worded does not move every child's reference. The planted patterns and
the references they name depend only on the streams used here, which is what lets
`waymark.demo.truths` say what a build contains without building it again.
"""

import datetime
import random
from dataclasses import dataclass

from waymark.core.references import reference_new

from .town import BUS_STATION, PRIMARY_SCHOOLS, Town

DEFAULT_SEED = 20260101
MAX_SCALE = 20.0
GROUP_THEMES = ("cce", "cse", "cce", "gangs", "cce")
GROUP_HANGOUT_KINDS = ("park", "estate", "street", "takeaway")
RISING_KINDS = ("takeaway", "hotel", "park")  # one place of each kind sees a planted rise
BUS_STATION_CHILDREN = 15
HISTORY_DAYS = 730  # concerns reach back two years
RECENT_DAYS = 183  # "the last six months" of the planted rise
REVIEW_PERIOD = datetime.timedelta(days=183)  # as ASSOCIATION_REVIEW_PERIOD in the service


def stream(seed: int, topic: str) -> random.Random:
    """An independent, reproducible random stream for one topic of one build."""
    # Synthetic data, not security: a seeded, reproducible generator is the point.
    return random.Random(f"{seed}:{topic}")  # noqa: S311  # nosec B311


@dataclass(frozen=True)
class Counts:
    young_people: int
    persons_of_concern: int
    background_concerns: int
    rising_concerns_per_place: int
    school_friend_links: int


def counts_for(scale: float) -> Counts:
    """How many of each record a scale asks for. Scale 1 is a town of about 2,000 children.

    Floors keep a tiny build big enough to hold every planted pattern.
    """
    return Counts(
        young_people=max(120, round(2000 * scale)),
        persons_of_concern=max(12, round(150 * scale)),
        background_concerns=max(150, round(10000 * scale)),
        rising_concerns_per_place=max(15, round(60 * scale)),
        school_friend_links=max(10, round(150 * scale)),
    )


def references(prefix: str, count: int, rng: random.Random) -> list[str]:
    """`count` distinct pseudonymous references, in a reproducible order."""
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        ref = reference_new(prefix, rng=rng)
        if ref not in seen:
            seen.add(ref)
            out.append(ref)
    return out


@dataclass(frozen=True)
class GroupPlan:
    theme: str  # the main risk category of the group's concerns
    members: tuple[int, ...]  # young person indices
    ward: int
    school: int  # place index
    hangout: int  # place index
    person_of_concern: int  # person of concern index


@dataclass(frozen=True)
class PatternPlan:
    rising_places: tuple[int, ...]  # place indices
    groups: tuple[GroupPlan, ...]
    bus_station: int  # place index
    bus_station_children: tuple[int, ...]  # young person indices, one per ward where possible

    @property
    def group_members(self) -> frozenset[int]:
        return frozenset(m for g in self.groups for m in g.members)

    @property
    def reserved(self) -> frozenset[int]:
        """Children whose links are planted: the background must not add any among them."""
        return self.group_members | frozenset(self.bus_station_children)

    @property
    def group_people_of_concern(self) -> frozenset[int]:
        return frozenset(g.person_of_concern for g in self.groups)


def secondary_schools(town: Town) -> list[int]:
    return [i for i in town.places_of_kind("school") if town.places[i].name not in PRIMARY_SCHOOLS]


def plan_patterns(*, seed: int, counts: Counts, town: Town) -> PatternPlan:
    rng = stream(seed, "patterns")
    bus_station = town.place_index(BUS_STATION)
    rising = tuple(
        rng.choice([i for i in town.places_of_kind(kind) if i != bus_station])
        for kind in RISING_KINDS
    )
    wards = rng.sample(range(len(town.wards)), len(GROUP_THEMES))
    people = list(range(counts.young_people))
    rng.shuffle(people)
    pocs = rng.sample(range(counts.persons_of_concern), len(GROUP_THEMES))
    schools = secondary_schools(town)
    groups = []
    taken = {bus_station, *rising}
    for theme, ward, poc in zip(GROUP_THEMES, wards, pocs, strict=True):
        size = rng.randint(5, 12)
        members, people = tuple(sorted(people[:size])), people[size:]
        near = [
            i
            for i in town.places_of_kind(*GROUP_HANGOUT_KINDS)
            if town.places[i].ward == ward and i not in taken
        ]
        hangout = rng.choice(near or [i for i in town.places_of_kind("park") if i not in taken])
        taken.add(hangout)
        local = [i for i in schools if town.places[i].ward == ward]
        school = rng.choice(local or schools)
        groups.append(GroupPlan(theme, members, ward, school, hangout, poc))
    bus_children = tuple(sorted(people[:BUS_STATION_CHILDREN]))
    return PatternPlan(
        rising_places=rising,
        groups=tuple(groups),
        bus_station=bus_station,
        bus_station_children=bus_children,
    )
