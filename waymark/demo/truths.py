"""The patterns planted in a demo town: the answers analysis should find.

The truths are worked out from the seed and scale, not stored, so they hold for any database the
town was built into. `demo_truths()` reads the built town's seed and scale and adds the database
ids of the places; `truths_for()` answers for any seed and scale without touching the database.

1. Rising places: one takeaway, one hotel and one park, each in a quiet part of town, at least a
   kilometre from the bus station and from each other. The takeaway and the park are
   long-standing places of concern whose concerns have grown faster and faster for two years, to
   2.6 times as many as a year ago: emerging hot spot analysis finds them as intensifying hot
   spots. The hotel (`sudden_places`) was quiet until a sharp rise in the final month: a new hot
   spot. Half of each one's planted concerns are at the place, the rest at the places around
   it. Each has more concerns in the last year (`RECENT_DAYS`) than in the year before.
2. Peer groups: five groups of 5 to 12 children, densely linked as friends by shared concerns,
   each linked to one person of concern who has current flags. No concern names a member with
   a child outside their group, and only a few members have a friendship outside it (noted by
   their school), so detection can recover each group much as it was planted.
   One more person of concern with current flags, an older man, exploits one or two children
   in each of the four groups whose harm is criminal exploitation or gangs
   (`linking_person_of_concern`): he is what links those groups.
3. The bus station: fifteen children from across the town, each harmed at the bus station, with
   no association between any two of them.
4. Context cases at two quiet places whose context plans started `plan_months` before the build
   (`waymark.demo.cases`). At the improved place, concerns fell clearly once its plan started
   (about 35 in the `window_days` before, about 10 in the `window_days` after) while its
   surrounding area (the other places whose H3 cell at resolution `outcome_resolution` is within
   `outcome_ring` cells of the place's) had the same number in both windows, and at least 45.
   At the unchanged place, concerns were much the same in both windows (at least 12 in each),
   as in its area.
"""

from dataclasses import dataclass

from waymark.contexts.models import Place

from .generator import DemoError, demo_state
from .plan import (
    OUTCOME_RESOLUTION,
    OUTCOME_RING,
    PLAN_MONTHS,
    RECENT_DAYS,
    WINDOW_DAYS,
    counts_for,
    plan_patterns,
    references,
    stream,
)
from .town import town


@dataclass(frozen=True)
class PeerGroupTruth:
    theme: str  # the risk category the group's concerns are mostly about
    hangout: str  # place name
    members: tuple[str, ...]  # young person references
    person_of_concern: str  # person of concern reference


@dataclass(frozen=True)
class DemoTruths:
    seed: int
    scale: float
    rising_places: tuple[str, ...]  # place names
    sudden_places: tuple[str, ...]  # of the rising places, those quiet until the final month
    peer_groups: tuple[PeerGroupTruth, ...]
    bus_station: str  # place name
    bus_station_children: tuple[str, ...]  # young person references
    linking_person_of_concern: str  # person of concern reference
    linking_groups: tuple[int, ...]  # positions in peer_groups of the groups he links
    linking_young_people: tuple[str, ...]  # young person references: the children he exploits
    improved_place: str  # place name: concerns fell once its context plan started
    unchanged_place: str  # place name: concerns much as before its context plan
    recent_days: int = RECENT_DAYS
    plan_months: int = PLAN_MONTHS
    window_days: int = WINDOW_DAYS
    outcome_resolution: int = OUTCOME_RESOLUTION
    outcome_ring: int = OUTCOME_RING
    place_ids: dict[str, int] | None = None  # place name -> id, when read from a database

    @property
    def rising_place_ids(self) -> tuple[int, ...]:
        return tuple(self._id(name) for name in self.rising_places)

    @property
    def bus_station_id(self) -> int:
        return self._id(self.bus_station)

    @property
    def improved_place_id(self) -> int:
        return self._id(self.improved_place)

    @property
    def unchanged_place_id(self) -> int:
        return self._id(self.unchanged_place)

    def _id(self, name: str) -> int:
        if self.place_ids is None:
            raise DemoError("These truths were not read from a database: use demo_truths()")
        return self.place_ids[name]


def truths_for(*, seed: int, scale: float) -> DemoTruths:
    """What a town of this seed and scale contains. Pure: reads no database."""
    geography, counts = town(), counts_for(scale)
    plan = plan_patterns(seed=seed, counts=counts, town=geography)
    children = references("YP", counts.young_people, stream(seed, "young-person-references"))
    adults = references("POC", counts.persons_of_concern, stream(seed, "poc-references"))
    place = geography.places
    return DemoTruths(
        seed=seed,
        scale=scale,
        rising_places=tuple(place[i].name for i in plan.rising_places),
        sudden_places=tuple(place[r.place].name for r in plan.rising if r.sudden),
        peer_groups=tuple(
            PeerGroupTruth(
                theme=g.theme,
                hangout=place[g.hangout].name,
                members=tuple(children[m] for m in g.members),
                person_of_concern=adults[g.person_of_concern],
            )
            for g in plan.groups
        ),
        bus_station=place[plan.bus_station].name,
        bus_station_children=tuple(children[i] for i in plan.bus_station_children),
        linking_person_of_concern=adults[plan.linking.person_of_concern],
        linking_groups=plan.linking.groups,
        linking_young_people=tuple(children[i] for i in plan.linking.members),
        improved_place=place[plan.context_places.improved].name,
        unchanged_place=place[plan.context_places.unchanged].name,
    )


def demo_truths() -> DemoTruths:
    """The truths of the town built in this database, with its place ids."""
    state = demo_state()
    if state is None:
        raise DemoError("No demo town is built: run `waymark demo` first")
    truths = truths_for(seed=state.seed, scale=state.scale)
    names = {
        *truths.rising_places,
        truths.bus_station,
        *(g.hangout for g in truths.peer_groups),
        truths.improved_place,
        truths.unchanged_place,
    }
    ward_codes = [w.code for w in town().wards]
    ids = dict(
        Place.objects.filter(name__in=names, ward__code__in=ward_codes).values_list("name", "pk")
    )
    return DemoTruths(**{**truths.__dict__, "place_ids": ids})
