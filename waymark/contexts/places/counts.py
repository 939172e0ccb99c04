"""A place's counts as they are published: the suppression rule applied after counting.

Kept apart from `selectors`, which the people and concerns apps read and which must not import
them; this module reads the exact counts from the concerns app and publishes them through
`waymark.core.suppression`.
"""

from dataclasses import dataclass

from waymark.accounts.types import Actor
from waymark.concerns.selectors import (
    PlaceSeen,
    place_concerns_by_month,
    place_counts,
    place_list_with_counts_visible_to,
    place_seen_by,
)
from waymark.contexts.models import Place, PlaceKind
from waymark.core.suppression import count_is_small, count_shown, count_text, table_suppress


@dataclass(frozen=True)
class PlaceCountsShown:
    """A place's counts as published (`waymark.core.suppression`): None where withheld.

    A residential address shows no counts at all (`per_child` False): any count there is a count
    of the few people who live at it.
    """

    per_child: bool
    concerns: int | None = None
    young_people: int | None = None  # withheld too when the hidden count beside it is small
    young_people_hidden: int | None = None
    months: tuple[tuple[str, int | None], ...] = ()  # empty when withheld whole
    months_withheld: bool = False

    @property
    def concerns_text(self) -> str:
        return count_text(self.concerns)

    @property
    def young_people_text(self) -> str:
        return count_text(self.young_people)

    @property
    def young_people_hidden_text(self) -> str:
        return count_text(self.young_people_hidden)


def place_counts_shown(*, user: Actor, place: Place) -> PlaceCountsShown:
    """The counts one user may be shown for a place: the suppression rule applied after counting.

    The concerns and young people the user may see are known to them exactly (the place's page
    and its API list them), so when the number they may not see is from 1 to 4 the total is
    withheld as well: the total minus those shown would give it. Likewise the months are
    withheld whole when, in any month, the concerns the user may not see number 1 to 4. The
    months sum to the concerns total, so they are protected from it by complementary
    suppression.
    """
    if place.kind == PlaceKind.RESIDENTIAL:
        return PlaceCountsShown(per_child=False)
    counts = place_counts(place=place)
    seen = place_seen_by(user=user, place=place)[place.pk]
    hidden = counts["young_people"] - seen.young_people
    concerns_hidden = counts["concerns"] - seen.concerns
    months = place_concerns_by_month(place=place)
    seen_months = seen.by_month or {}
    table = table_suppress([n for _, n in months])
    withheld = table.withheld or any(count_is_small(n - seen_months.get(m, 0)) for m, n in months)
    return PlaceCountsShown(
        per_child=True,
        concerns=None if count_is_small(concerns_hidden) else count_shown(counts["concerns"]),
        young_people=None if count_is_small(hidden) else count_shown(counts["young_people"]),
        young_people_hidden=count_shown(hidden),
        months=()
        if withheld
        else tuple((m, n) for (m, _), n in zip(months, table.cells, strict=True)),
        months_withheld=withheld,
    )


@dataclass(frozen=True)
class PlaceRowShown:
    place: Place
    concerns: int | None
    young_people: int | None
    per_child: bool

    @property
    def concerns_text(self) -> str:
        return count_text(self.concerns) if self.per_child else "Not shown"

    @property
    def young_people_text(self) -> str:
        return count_text(self.young_people) if self.per_child else "Not shown"


def _unless_hidden_small(total: int, seen: int) -> int | None:
    """A total as published to a viewer who sees `seen` of it: withheld when the rest is small."""
    return None if count_is_small(total - seen) else count_shown(total)


def place_list_shown(*, user: Actor, kind: str = "") -> list[PlaceRowShown]:
    """Places with their published counts, most concerns first.

    The order uses the published counts only: sorting by the exact ones would rank the places
    whose counts are withheld, and so tell a 4 from a 1.
    """
    places = place_list_with_counts_visible_to(user=user)
    if kind in PlaceKind.values:
        places = places.filter(kind=kind)
    # What the user may see at each place: a count is withheld when it minus that is small.
    seen = place_seen_by(user=user)
    rows = []
    for place in places:
        per_child = place.kind != PlaceKind.RESIDENTIAL
        mine = seen.get(place.pk, PlaceSeen())
        concerns: int = place.concern_count  # type: ignore[attr-defined]
        young_people: int = place.young_person_count  # type: ignore[attr-defined]
        rows.append(
            PlaceRowShown(
                place=place,
                concerns=_unless_hidden_small(concerns, mine.concerns) if per_child else None,
                young_people=_unless_hidden_small(young_people, mine.young_people)
                if per_child
                else None,
                per_child=per_child,
            )
        )

    def rank(row: PlaceRowShown) -> tuple[int, str]:
        # Shown counts first, largest first; then every withheld or residential one; then none.
        if not row.per_child or row.concerns is None:
            return (-1, row.place.name)
        return (-row.concerns if row.concerns else 0, row.place.name)

    return sorted(rows, key=rank)
