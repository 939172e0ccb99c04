"""What a build of a given seed and scale contains, decided before anything is written.

Each topic draws from its own random stream (`stream(seed, "young-people")`, ...), so a change
to how narratives are worded does not move every child's reference. The planted patterns and
the references they name depend only on the streams used here, which is what lets
`waymark.demo.truths` say what a build contains without building it again.
"""

import datetime
import functools
import math
import random
from dataclasses import dataclass

import h3

from waymark.core.references import reference_new

from .town import BUS_STATION, KIND_WEIGHT, PRIMARY_SCHOOLS, Town

DEFAULT_SEED = 20260101
MAX_SCALE = 20.0
GROUP_THEMES = ("cce", "cse", "cce", "gangs", "cce")
GROUP_HANGOUT_KINDS = ("park", "estate", "street", "takeaway")
# The planted groups whose members the linking person of concern recruits to run drugs.
LINKING_THEMES = frozenset({"cce", "gangs"})
RISING_KINDS = ("takeaway", "hotel", "park")  # one place of each kind sees a planted rise
SUDDEN_KINDS = frozenset({"hotel"})  # quiet, then a sharp rise in the final month; others intensify
# Where a rising place may be. The Places page's default grid is H3 resolution 9 (areas of about
# 0.1 km²), each compared with the ring of areas around it; a rise is only the place's own if
# nothing busy shares that neighbourhood, so the place is chosen where little else is.
AREA_RESOLUTION = 9
RISING_APART_M = 1000  # from the bus station and from each other
QUIET_DRAW = 7.0  # at most this much draw (KIND_WEIGHT x popularity) from the other places nearby
BUSY_KINDS = frozenset({"school", "transport"})  # never next to a rising place, nor shared with it
BUS_STATION_CHILDREN = 15
HISTORY_DAYS = 730  # concerns reach back two years
RECENT_DAYS = 365  # "the last year": the rising places have far more concerns in it than before
REVIEW_PERIOD = datetime.timedelta(days=183)  # as ASSOCIATION_REVIEW_PERIOD in the service
# The context cases' places: one whose concerns fell once its context plan started, one whose
# concerns did not. Their plans started PLAN_MONTHS before today; outcomes compare the WINDOW_DAYS
# before the start with the WINDOW_DAYS after it, at the place and in the area around it: the
# other places whose H3 cell at OUTCOME_RESOLUTION is within OUTCOME_RING cells of the place's.
PLAN_MONTHS = 8
WINDOW_DAYS = 182
OUTCOME_RESOLUTION = 8
OUTCOME_RING = 2
IMPROVED_KINDS = ("transport", "takeaway")
UNCHANGED_KINDS = ("takeaway", "shop")
QUIETEST = 4  # a context place is drawn from the few quietest candidates of its kinds


def stream(seed: int, topic: str) -> random.Random:
    """An independent, reproducible random stream for one topic of one build."""
    # Synthetic data, not security: a seeded, reproducible generator is the point.
    return random.Random(f"{seed}:{topic}")  # noqa: S311  # nosec B311


@dataclass(frozen=True)
class Counts:
    young_people: int
    persons_of_concern: int
    background_concerns: int
    rising_per_month: float  # concerns a month at and around an intensifying place a year ago
    school_friend_links: int


def counts_for(scale: float) -> Counts:
    """How many of each record a scale asks for. Scale 1 is a town of about 2,000 children.

    Floors keep a tiny build big enough to hold every planted pattern. A rising place is measured
    against the spread of the whole town's counts, which grows more slowly than the town at small
    scales (where chance dominates it) and in step with it at large ones (where the busy places
    do), so the planted level follows `scale ** 0.8`.
    """
    return Counts(
        young_people=max(120, round(2000 * scale)),
        persons_of_concern=max(12, round(150 * scale)),
        background_concerns=max(150, round(10000 * scale)),
        rising_per_month=max(4.0, 28 * scale**0.8),
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
class LinkingPlan:
    """One older man who exploits children in several of the planted groups."""

    person_of_concern: int  # person of concern index
    groups: tuple[int, ...]  # positions in PatternPlan.groups
    members: tuple[int, ...]  # young person indices: one or two from each of those groups


@dataclass(frozen=True)
class RisingPlan:
    place: int  # place index
    around: tuple[int, ...]  # places in the neighbouring areas that share its concerns
    sudden: bool  # quiet, then a sharp rise in the final month; otherwise intensifying


@dataclass(frozen=True)
class ContextPlacesPlan:
    """The places of the two place cases whose outcomes are planted."""

    improved: int  # place index: concerns fell clearly once the plan started
    unchanged: int  # place index: concerns much as before

    @property
    def places(self) -> tuple[int, int]:
        return (self.improved, self.unchanged)


@dataclass(frozen=True)
class PatternPlan:
    rising: tuple[RisingPlan, ...]  # one per RISING_KINDS, in that order
    groups: tuple[GroupPlan, ...]
    bus_station: int  # place index
    bus_station_children: tuple[int, ...]  # young person indices, one per ward where possible
    linking: LinkingPlan
    context_places: ContextPlacesPlan

    @property
    def rising_places(self) -> tuple[int, ...]:
        return tuple(r.place for r in self.rising)

    @property
    def group_members(self) -> frozenset[int]:
        return frozenset(m for g in self.groups for m in g.members)

    @property
    def reserved(self) -> frozenset[int]:
        """Children whose links are planted: the background must not add any among them."""
        return self.group_members | frozenset(self.bus_station_children)

    @property
    def planted_people_of_concern(self) -> frozenset[int]:
        """The groups' persons of concern and the one who links them: the background leaves
        them out, so their links are the planted ones."""
        return frozenset(g.person_of_concern for g in self.groups) | {
            self.linking.person_of_concern
        }


def secondary_schools(town: Town) -> list[int]:
    return [i for i in town.places_of_kind("school") if town.places[i].name not in PRIMARY_SCHOOLS]


def metres_apart(town: Town, a: int, b: int) -> float:
    """Ground distance between two places (equirectangular: exact enough across a town)."""
    pa, pb = town.places[a], town.places[b]
    north = (pa.latitude - pb.latitude) * 111_320
    east = (pa.longitude - pb.longitude) * 111_320 * math.cos(math.radians(pa.latitude))
    return math.hypot(north, east)


def neighbourhood(town: Town, place: int) -> tuple[list[int], tuple[int, ...]]:
    """The other places in a place's area and the ring of areas around it; and those it spills into.

    The second part is the nearest place in each of up to two neighbouring areas (never a busy
    kind): where a rise at the place spreads to, the street outside or the flats next door.
    """
    cells = _area_cells(town)
    ring = set(h3.grid_disk(cells[place], 1))
    near = sorted(
        (i for i, cell in enumerate(cells) if cell in ring and i != place),
        key=lambda i: metres_apart(town, place, i),
    )
    around: list[int] = []
    used = {cells[place]}
    for i in near:
        if town.places[i].kind not in BUSY_KINDS and cells[i] not in used and len(around) < 2:
            around.append(i)
            used.add(cells[i])
    return near, tuple(around)


@functools.cache
def _area_cells(town: Town) -> tuple[str, ...]:
    return tuple(h3.latlng_to_cell(p.latitude, p.longitude, AREA_RESOLUTION) for p in town.places)


def _rising_options(town: Town, kind: str, away_from: list[int]) -> list[RisingPlan]:
    options = []
    for i in town.places_of_kind(kind):
        if any(i == j or metres_apart(town, i, j) < RISING_APART_M for j in away_from):
            continue
        near, around = neighbourhood(town, i)
        busy = any(town.places[j].kind in BUSY_KINDS for j in near)
        draw = sum(KIND_WEIGHT[town.places[j].kind] * town.places[j].popularity for j in near)
        if around and not busy and draw <= QUIET_DRAW:
            options.append(RisingPlan(place=i, around=around, sudden=kind in SUDDEN_KINDS))
    return options


def plan_patterns(*, seed: int, counts: Counts, town: Town) -> PatternPlan:
    rng = stream(seed, "patterns")
    bus_station = town.place_index(BUS_STATION)
    rising: list[RisingPlan] = []
    for kind in RISING_KINDS:
        away_from = [bus_station, *(r.place for r in rising)]
        rising.append(rng.choice(_rising_options(town, kind, away_from)))
    # A peer group's hangout would add its own rise to a rising place's neighbourhood.
    crowded = {i for r in rising for i in (r.place, *neighbourhood(town, r.place)[0])}
    wards = rng.sample(range(len(town.wards)), len(GROUP_THEMES))
    people = list(range(counts.young_people))
    rng.shuffle(people)
    pocs = rng.sample(range(counts.persons_of_concern), len(GROUP_THEMES))
    schools = secondary_schools(town)
    groups = []
    taken = {bus_station, *crowded}
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
        rising=tuple(rising),
        groups=tuple(groups),
        bus_station=bus_station,
        bus_station_children=bus_children,
        linking=_linking_plan(seed, counts, groups, taken=set(pocs)),
        context_places=_context_places_plan(seed, town, taken=taken),
    )


def outcome_area_cells(town: Town, place: int) -> frozenset[str]:
    """The cells of a place's surrounding area, as outcomes read it (the place's own included)."""
    spot = town.places[place]
    cell = h3.latlng_to_cell(spot.latitude, spot.longitude, OUTCOME_RESOLUTION)
    return frozenset(h3.grid_disk(cell, OUTCOME_RING))


def outcome_area(town: Town, place: int) -> list[int]:
    """The other places in a place's surrounding area."""
    cells = outcome_area_cells(town, place)
    return [
        i
        for i, p in enumerate(town.places)
        if i != place and h3.latlng_to_cell(p.latitude, p.longitude, OUTCOME_RESOLUTION) in cells
    ]


def _context_places_plan(seed: int, town: Town, *, taken: set[int]) -> ContextPlacesPlan:
    """Two quiet places, apart from every other planted place and from each other's area.

    Quiet (little background draw) so that the planted change at the place is the change that
    shows; apart so that neither place's planted concerns move the other's area. Drawn from its
    own stream, so choosing them moves nothing else.
    """
    rng = stream(seed, "context-places")

    def draw(i: int) -> float:
        return KIND_WEIGHT[town.places[i].kind] * town.places[i].popularity

    def pick(kinds: tuple[str, ...], avoid: set[int], keep_out: set[int]) -> int:
        """Not a place to avoid; and, where there is such a place, none of `keep_out` near."""
        allowed = [i for i in town.places_of_kind(*kinds) if i not in avoid]
        apart = [i for i in allowed if not keep_out.intersection(outcome_area(town, i))]
        return rng.choice(sorted(apart or allowed, key=draw)[:QUIETEST])

    improved = pick(IMPROVED_KINDS, taken, taken)
    near_improved = {improved, *outcome_area(town, improved)}
    unchanged = pick(UNCHANGED_KINDS, {*taken, *near_improved}, {*taken, improved})
    return ContextPlacesPlan(improved=improved, unchanged=unchanged)


def _linking_plan(
    seed: int, counts: Counts, groups: list[GroupPlan], *, taken: set[int]
) -> LinkingPlan:
    """The older man who links the planted groups of LINKING_THEMES, and the one or two children
    of each whom he exploits. Drawn from its own stream, so planting him moves nothing else."""
    rng = stream(seed, "linking-person-of-concern")
    person = rng.choice([i for i in range(counts.persons_of_concern) if i not in taken])
    chosen = tuple(n for n, g in enumerate(groups) if g.theme in LINKING_THEMES)
    members = [m for n in chosen for m in rng.sample(groups[n].members, rng.randint(1, 2))]
    return LinkingPlan(person_of_concern=person, groups=chosen, members=tuple(sorted(members)))
