"""Concerns, and the associations they imply, built in memory for one demo town.

The background is random but shaped like real recording: older children appear more often,
children are seen near home and with schoolmates, each kind of harm has its kind of place, and
each kind of place has its partners who report. On top of it sit the planted patterns from
`plan.PatternPlan`. Associations follow the same rules as `association_record`: one link per
pair, widened in time, raised (never lowered) in reliability by each new concern.
"""

import datetime
import itertools
from dataclasses import dataclass, field

from waymark.accounts.models import User
from waymark.concerns.models import Concern, ConcernRisk
from waymark.concerns.taxonomy import EXPLOITATION, INDICATORS
from waymark.contexts.models import Place
from waymark.core.models import RELIABILITY_RANK, Reliability

from . import planted, texts
from .agencies import (
    AGENCY_BASE_WEIGHT,
    AGENCY_PLACE_BOOST,
    RECORDING_ROLES,
    SCHOOL_AGENCIES,
    agency_of,
)
from .people import Adult, Child
from .plan import HISTORY_DAYS, REVIEW_PERIOD, Counts, PatternPlan, references, stream
from .town import KIND_WEIGHT, Town

CATEGORY_WEIGHTS = {
    "cse": 15, "cce": 20, "trafficking": 3, "modern_slavery": 2, "gangs": 12,
    "radicalisation": 3, "hsb": 5, "online": 10, "missing": 15, "substances": 12, "other": 3,
}  # fmt: skip
SECOND_CATEGORY = {
    "cse": ["missing", "online", "substances"],
    "cce": ["missing", "substances", "gangs", "trafficking"],
    "trafficking": ["cce", "missing"],
    "modern_slavery": ["trafficking"],
    "gangs": ["cce", "substances"],
    "radicalisation": ["online"],
    "hsb": ["online"],
    "online": ["cse", "hsb"],
    "missing": ["cse", "cce"],
    "substances": ["cce"],
    "other": [],
}
NO_PLACE_RATE = {"online": 0.8, "radicalisation": 0.5}
PLACE_AFFINITY: dict[str, dict[str, float]] = {
    "cse": {"hotel": 4, "residential": 2, "takeaway": 1.5, "transport": 1.5},
    "cce": {"transport": 3, "residential": 2, "estate": 2, "street": 1.5, "takeaway": 1.5},
    "trafficking": {"transport": 3, "residential": 2, "hotel": 2},
    "modern_slavery": {"takeaway": 3, "shop": 3, "other": 2},
    "gangs": {"park": 2, "street": 2, "estate": 2, "school": 1.5},
    "radicalisation": {"school": 3, "leisure": 1.5},
    "hsb": {"school": 5, "park": 1.5, "leisure": 1.5},
    "online": {"school": 3, "residential": 2},
    "missing": {"transport": 2, "residential": 2, "other": 1.5},
    "substances": {"park": 3, "licensed": 3, "street": 2, "shop": 1.5},
}
ADULT_RATE = {
    "cse": 0.3, "cce": 0.35, "trafficking": 0.4, "modern_slavery": 0.4, "gangs": 0.25,
    "radicalisation": 0.15, "online": 0.1, "missing": 0.1, "substances": 0.1,
}  # fmt: skip
HOUR_WEIGHTS = [1, 1, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 2, 2, 2, 3, 3, 3, 5, 6, 6, 6, 6, 6, 5, 4, 2]
CIRCLE_SIZES = [20, 20, 16, 12, 10, 8, 8, 6]  # weights of 1 to 8 children known to a person
RETURN_RATE = 0.85  # a person of concern named again is most often with children named before
ROLE_WEIGHTS = {"at_risk": 75, "causing_harm": 8, "witness": 9, "unclear": 8}


@dataclass
class LinkPlan:
    """An association before it is written: the evidence for one pair."""

    kind: str
    reliability: str
    first_seen: datetime.date
    last_seen: datetime.date
    review_by: datetime.date
    recorded_by: User
    sources: list[int] = field(default_factory=list)  # concern indices
    note: str = ""

    def strengthen(
        self,
        *,
        kind: str,
        reliability: str,
        seen: datetime.date,
        review: datetime.date,
        recorded_by: User,
        source: int | None,
    ) -> None:
        if seen < self.first_seen:
            self.first_seen, self.recorded_by = seen, recorded_by
        self.last_seen = max(self.last_seen, seen)
        self.review_by = max(self.review_by, review)
        rank = RELIABILITY_RANK[Reliability(reliability)]
        if rank > RELIABILITY_RANK[Reliability(self.reliability)]:
            self.reliability = reliability
        if self.kind == "associate" and kind != "associate":
            self.kind = kind
        if source is not None and source not in self.sources:
            self.sources.append(source)


@dataclass
class TownConcerns:
    concerns: list[Concern] = field(default_factory=list)
    risks: list[ConcernRisk] = field(default_factory=list)
    involvement: list[tuple[int, int, str]] = field(default_factory=list)  # concern, child, role
    adult_involvement: list[tuple[int, int]] = field(default_factory=list)  # concern, adult
    # Keyed by the pair, and by the concern too for a link resting on one C concern alone.
    child_links: dict[tuple[int, ...], LinkPlan] = field(default_factory=dict)
    adult_links: dict[tuple[int, ...], LinkPlan] = field(default_factory=dict)  # child, adult
    first_recorded: dict[int, tuple[datetime.datetime, User]] = field(default_factory=dict)


class ConcernBuilder:
    def __init__(
        self,
        *,
        seed: int,
        town: Town,
        places: list[Place],
        children: list[Child],
        adults: list[Adult],
        users: list[User],
        patterns: PatternPlan,
        now: datetime.datetime,
    ) -> None:
        self.seed = seed
        self.rng = stream(seed, "concerns")
        self.ref_rng = stream(seed, "concern-references")
        self.town, self.places, self.children, self.adults = town, places, children, adults
        self.patterns = patterns
        self.now = now
        self.today = now.date()
        self.out = TownConcerns()
        self._refs: set[str] = set()
        self._recorders: dict[str, tuple[list[User], list[float]]] = {}
        for user in users:
            if user.role in RECORDING_ROLES:
                pool = self._recorders.setdefault(agency_of(user).name, ([], []))
                pool[0].append(user)
                pool[1].append({"practitioner": 4.0, "manager": 1.0}.get(user.role, 0.5))
        self._agency_cache: dict[tuple, tuple[list[str], list[float]]] = {}
        self._place_cache: dict[tuple, tuple[list[int], list[float]]] = {}
        # Children the background may name with others. The planted groups' members are named
        # with each other, or alone, so their links are the group's own; the bus station's
        # children are named only alone, so nothing but the place joins them.
        self.open_children = [i for i in range(len(children)) if i not in patterns.reserved]
        self.open_set = frozenset(self.open_children)
        self.by_ward: dict[int, list[int]] = {}
        self.by_school: dict[int, list[int]] = {}
        for i in self.open_children:
            self.by_ward.setdefault(children[i].ward, []).append(i)
            school = children[i].school
            if school is not None:
                self.by_school.setdefault(school, []).append(i)
        self._all_cum = list(itertools.accumulate(c.activity for c in children))
        self._open_cum = list(
            itertools.accumulate(children[i].activity for i in self.open_children)
        )
        # A rising place's concerns are the planted ones: the background leaves out the places
        # that intensify and the places around them, and draws the sudden riser at 0.4 of its
        # usual weight, so it was quiet before its rise.
        self._background_share: dict[int, float] = {}
        for rising in patterns.rising:
            if rising.sudden:
                self._background_share[rising.place] = 0.4
            else:
                self._background_share.update(dict.fromkeys((rising.place, *rising.around), 0.0))
        planted_adults = patterns.planted_people_of_concern
        self.background_adults = [i for i in range(len(adults)) if i not in planted_adults]
        # Each person of concern frequents one ward, and returns to the children they know.
        wards = stream(seed, "persons-of-concern-wards")
        self.patch = {a: wards.randrange(len(town.wards)) for a in self.background_adults}
        self.circle_size = {
            a: wards.choices(range(1, len(CIRCLE_SIZES) + 1), weights=CIRCLE_SIZES)[0]
            for a in self.background_adults
        }
        self.circles: dict[int, list[int]] = {}
        self.friends: dict[int, list[int]] = {}  # children named together, so far

    # --- choices -------------------------------------------------------------------------

    def _reference(self) -> str:
        while True:
            ref = references("CN", 1, self.ref_rng)[0]
            if ref not in self._refs:
                self._refs.add(ref)
                return ref

    def _place_for(self, category: str, ward: int | None) -> int:
        key = (category, ward)
        if key not in self._place_cache:
            affinity = PLACE_AFFINITY.get(category, {})
            pool, weights = [], []
            for i, p in enumerate(self.town.places):
                if ward is not None and p.ward != ward:
                    continue
                weight = KIND_WEIGHT[p.kind] * p.popularity * affinity.get(p.kind, 1.0)
                pool.append(i)
                weights.append(weight * self._background_share.get(i, 1.0))
            self._place_cache[key] = (pool, list(itertools.accumulate(weights)))
        pool, cum = self._place_cache[key]
        return self.rng.choices(pool, cum_weights=cum)[0]

    def _recorder(self, place: int | None, child: int | None) -> User:
        kind = self.town.places[place].kind if place is not None else None
        place_school = (
            SCHOOL_AGENCIES.get(self.town.places[place].name) if place is not None else None
        )
        child_school = None
        school = self.children[child].school if child is not None else None
        if school is not None:
            child_school = SCHOOL_AGENCIES.get(self.town.places[school].name)
        key = (kind, place_school, child_school)
        if key not in self._agency_cache:
            by_agency = dict(AGENCY_BASE_WEIGHT)
            for agency, boost in AGENCY_PLACE_BOOST.get(kind or "", {}).items():
                by_agency[agency] += boost
            if place_school:
                by_agency[place_school] += 8
            if child_school:
                by_agency[child_school] += 1.5
            names = [a for a, w in by_agency.items() if w > 0 and a in self._recorders]
            self._agency_cache[key] = (names, [by_agency[a] for a in names])
        agencies, weights = self._agency_cache[key]
        return self.recorder_from(self.rng.choices(agencies, weights=weights)[0])

    def recorder_from(self, agency: str) -> User:
        users, weights = self._recorders[agency]
        return self.rng.choices(users, weights=weights)[0]

    def child(self, *, open_only: bool) -> int:
        if open_only:
            return self.rng.choices(self.open_children, cum_weights=self._open_cum)[0]
        return self.rng.choices(range(len(self.children)), cum_weights=self._all_cum)[0]

    def companions(self, first: int, count: int, pool: list[int] | None = None) -> list[int]:
        chosen = [first]
        school = self.children[first].school
        for _ in range(count * 4):
            if len(chosen) > count:
                break
            if pool is not None:
                other = self.rng.choice(pool)
            elif school is not None and self.rng.random() < 0.6:
                other = self.rng.choice(self.by_school[school])
            else:
                other = self.child(open_only=True)
            if other not in chosen:
                chosen.append(other)
        return chosen

    def _indicators(self, category: str) -> list[str]:
        codes = [code for code, _ in INDICATORS[category]]
        k = min(len(codes), self.rng.choices([0, 1, 2, 3], weights=[15, 45, 30, 10])[0])
        return self.rng.sample(codes, k)

    def _grading(self) -> tuple[str, str, str, str]:
        rng = self.rng
        source = rng.choices("123", weights=[30, 55, 15])[0]
        info = rng.choices("ABCDE", weights=[30, 30, 25, 12, 3])[0]
        if rng.random() < 0.15:
            return source, info, "C", rng.choice(texts.HANDLING_CONDITIONS)
        return source, info, "P", ""

    @staticmethod
    def _reliability(source: str, info: str) -> str:
        if source == "1" and info in "AB":
            return Reliability.CONFIRMED
        if source == "3" or info in "DE":
            return Reliability.UNCONFIRMED
        return Reliability.TENTATIVE

    # --- one concern ---------------------------------------------------------------------

    def add(
        self,
        *,
        days_ago: int,
        categories: list[str],
        place: int | None,
        children: list[int],
        adults: list[int] | None = None,
        roles: list[str] | None = None,
        link_kind: str | None = None,
        adult_link_kind: str | None = None,
        recorder: User | None = None,
        grading: tuple[str, str, str, str] | None = None,
    ) -> int:
        rng, index = self.rng, len(self.out.concerns)
        adults = adults or []
        occurred_on = self.today - datetime.timedelta(days=days_ago)
        has_time = rng.random() < 0.75
        hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0] if has_time else None
        minute = rng.randrange(0, 60, 5)
        recorder = recorder or self._recorder(place, children[0] if children else None)
        source, info, handling, conditions = grading or self._grading()
        delay = rng.choices([0, 1, 2, 3, 7], weights=[50, 30, 10, 5, 5])[0]
        recorded_on = min(self.today, occurred_on + datetime.timedelta(days=delay))
        recorded_at = datetime.datetime.combine(
            recorded_on, datetime.time(rng.randint(8, 18), rng.randrange(60)), self.now.tzinfo
        )
        # Draw whether or not it is used, so the time of day a town is built changes nothing else.
        minutes_ago = rng.randint(1, 30)
        if recorded_at > self.now:
            recorded_at = self.now - datetime.timedelta(minutes=minutes_ago)
        risks = {c: self._indicators(c) for c in dict.fromkeys(categories)}
        signs = [code for codes in risks.values() for code in codes]
        spot = self.town.places[place] if place is not None else None
        narrative = texts.narrative(
            rng,
            categories=categories,
            indicators=signs,
            children=[(self.children[c].name, self.children[c].person.gender) for c in children],
            place=(spot.name, spot.kind) if spot else None,
            adult=self.adults[adults[0]].phrase if adults else None,
            sector=agency_of(recorder).sector,
            hour=hour,
            minute=minute,
        )
        concern = Concern(
            reference=self._reference(),
            occurred_on=occurred_on,
            occurred_time=datetime.time(hour, minute) if hour is not None else None,
            occurred_approximate=rng.random() < 0.25,
            recorded_at=recorded_at,
            created_at=recorded_at,
            recorded_by=recorder,
            recording_agency=agency_of(recorder),
            place=self.places[place] if place is not None else None,
            narrative=narrative,
            source_evaluation=source,
            information_assessment=info,
            handling_code=handling,
            handling_conditions=conditions,
        )
        self.out.concerns.append(concern)
        self.out.risks += [
            ConcernRisk(concern=concern, category=c, indicators=i) for c, i in sorted(risks.items())
        ]
        if roles is None:
            roles = rng.choices(
                list(ROLE_WEIGHTS), weights=list(ROLE_WEIGHTS.values()), k=len(children)
            )
            if roles:
                roles[0] = "causing_harm" if categories[0] == "hsb" else "at_risk"
        for child, role in zip(children, roles, strict=True):
            self.out.involvement.append((index, child, role))
            first = self.out.first_recorded.get(child)
            if first is None or recorded_at < first[0]:
                self.out.first_recorded[child] = (recorded_at, recorder)
        self.out.adult_involvement += [(index, a) for a in adults]

        reliability = self._reliability(source, info)
        review = recorded_on + REVIEW_PERIOD
        kind = (
            link_kind
            or rng.choices(["friend", "associate", "relationship"], weights=[45, 50, 5])[0]
        )
        # A C concern's links stand apart, resting on it alone (handling follows the information).
        apart: tuple[int, ...] = (index,) if handling == "C" else ()
        for a, b in itertools.combinations(sorted(children), 2):
            if a in self.open_set and b in self.open_set:
                self.friends.setdefault(a, []).append(b)
                self.friends.setdefault(b, []).append(a)
            self.link(
                self.out.child_links,
                (a, b, *apart),
                kind,
                reliability,
                occurred_on,
                review,
                recorder,
                index,
            )
        for child in children:
            for adult in adults:
                harmful = categories[0] in EXPLOITATION or categories[0] == "gangs"
                adult_kind = adult_link_kind or (
                    "exploiting" if harmful and rng.random() < 0.6 else "associate"
                )
                self.link(
                    self.out.adult_links,
                    (child, adult, *apart),
                    adult_kind,
                    reliability,
                    occurred_on,
                    review,
                    recorder,
                    index,
                )
        return index

    @staticmethod
    def link(
        links: dict,
        key: tuple[int, ...],
        kind: str,
        reliability: str,
        seen: datetime.date,
        review: datetime.date,
        recorder: User,
        source: int | None,
        note: str = "",
    ) -> None:
        link = links.get(key)
        if link is None:
            links[key] = LinkPlan(
                kind,
                reliability,
                seen,
                seen,
                review,
                recorder,
                [source] if source is not None else [],
                note,
            )
        else:
            link.strengthen(
                kind=kind,
                reliability=reliability,
                seen=seen,
                review=review,
                recorded_by=recorder,
                source=source,
            )

    # --- the background and the planted patterns -----------------------------------------

    def background(self, count: int) -> None:
        rng = self.rng
        categories, weights = zip(*CATEGORY_WEIGHTS.items(), strict=True)
        for _ in range(count):
            main = rng.choices(categories, weights=weights)[0]
            cats = [main]
            if SECOND_CATEGORY[main] and rng.random() < 0.3:
                cats.append(rng.choice(SECOND_CATEGORY[main]))
            no_place = rng.random() < NO_PLACE_RATE.get(main, 0.06)
            size = rng.choices([0, 1, 2, 3, 4], weights=[4, 62, 20, 9, 5])[0]
            if no_place:
                size = max(size, 1)
            adults = []
            if self.background_adults and rng.random() < ADULT_RATE.get(main, 0.05):
                adults = [rng.choice(self.background_adults)]
            children: list[int] = []
            if adults and size:
                children = self.children_with(adults[0], size)
            elif size == 1:
                children = [self.child(open_only=False)]
            elif size > 1:
                children = self.companions(self.child(open_only=True), size - 1)
            place = None
            if not no_place:
                home = self.children[children[0]] if children else None
                if (
                    home
                    and home.school is not None
                    and main in {"hsb", "gangs", "radicalisation"}
                    and rng.random() < 0.5
                ):
                    place = home.school
                else:
                    place = self._place_for(
                        main, home.ward if home and rng.random() < 0.5 else None
                    )
            self.add(
                days_ago=rng.randrange(HISTORY_DAYS),
                categories=cats,
                place=place,
                children=children,
                adults=adults,
            )

    def adult_near(self, ward: int) -> int:
        """A person of concern who frequents this ward, if there is one."""
        local = [a for a in self.background_adults if self.patch[a] == ward]
        return self.rng.choice(local or self.background_adults)

    def children_with(self, adult: int, size: int) -> list[int]:
        """Children named with a person of concern: mostly the few they were named with before.

        Each person of concern frequents one ward and knows a handful of children: first a child
        from that ward and their schoolmates, then, now and then up to `circle_size`, someone new
        seen with them, most often a friend of one of them. So the children a person of concern
        is linked to are close to each other in the peer network, not scattered across the town.
        """
        rng, circle = self.rng, self.circles.setdefault(adult, [])
        if circle and (len(circle) >= self.circle_size[adult] or rng.random() < RETURN_RATE):
            return rng.sample(circle, min(size, len(circle)))
        locals_ = self.by_ward.get(self.patch[adult]) or self.open_children
        if not circle:
            children = self.companions(rng.choice(locals_), size - 1)
            circle.extend(children)
            return children
        # Someone new, seen with children they know: most often a friend of one of them.
        friends = sorted({f for c in circle for f in self.friends.get(c, ()) if f not in circle})
        new = rng.choice(friends) if friends else rng.choice(locals_)
        if new in circle:
            return rng.sample(circle, min(size, len(circle)))
        circle.append(new)
        return [new, *rng.sample(circle[:-1], min(size - 1, len(circle) - 1))]

    def reviewed(self) -> None:
        """Some links past their review date were reviewed and kept; the rest have expired."""
        rng = self.rng
        for links in (self.out.child_links, self.out.adult_links):
            for link in links.values():
                if link.review_by < self.today and rng.random() < 0.45:
                    link.review_by = self.today + datetime.timedelta(days=rng.randint(14, 150))


def build_concerns(
    *,
    seed: int,
    counts: Counts,
    town: Town,
    places: list[Place],
    children: list[Child],
    adults: list[Adult],
    users: list[User],
    patterns: PatternPlan,
    now: datetime.datetime,
) -> TownConcerns:
    builder = ConcernBuilder(
        seed=seed,
        town=town,
        places=places,
        children=children,
        adults=adults,
        users=users,
        patterns=patterns,
        now=now,
    )
    builder.background(counts.background_concerns)
    planted.plant_rising_places(builder, counts.rising_per_month)
    planted.plant_peer_groups(builder)
    planted.plant_linking_person(builder)
    planted.plant_bus_station(builder)
    planted.family_and_friends(builder, counts.school_friend_links)
    planted.plant_context_places(builder)
    builder.reviewed()
    return builder.out
