"""What a user may see behind the aggregates: names only through need to know."""

from dataclasses import dataclass
from datetime import date

from waymark.accounts.types import Actor
from waymark.analytics.shared_contexts import SharedContext
from waymark.concerns.models import Concern
from waymark.concerns.selectors import concern_list_visible_to
from waymark.contexts.models import Place
from waymark.core.suppression import THRESHOLD, count_is_small, count_shown, count_text
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_list_visible_to

from .cells import CellDetail
from .filters import AnalysisFilters
from .shared_contexts import day_from_number, shared_context_list


def place_names(ids: list[int]) -> dict[int, Place]:
    """Places by id, with their wards, to name the areas and places an analysis shows."""
    return Place.objects.select_related("ward").in_bulk(ids)


def shared_minimum(requested: int) -> int:
    """The minimum number of unconnected children actually applied.

    Asking for at least 3, then at least 4, would tell a context of exactly 3 children from one
    of 4: the minimum would work as an exact count. So a minimum under 5 is 3 (fewer than 3
    unconnected children is not a pattern), and one of 5 or more is taken down to a multiple of
    5, the steps in which counts are published.
    """
    if requested < THRESHOLD:
        return 3
    return requested - requested % THRESHOLD


@dataclass(frozen=True)
class SharedContextShown:
    """A shared context as one user may see it: counts for all, names only through need to know.

    Counts are published through the suppression rule, rounded (the answer takes filters). A
    context of fewer than 5 unconnected children still names the place and the children and
    concerns the viewer may see (they may see those records anyway), but says "fewer than 5"
    for its counts and gives months, not days: days with a place and a small count point to
    the children.
    """

    context: SharedContext
    place: Place | None
    cell: str
    young_people: list[YoungPerson]  # records the user may see, among the unconnected
    young_people_hidden: int
    concerns: list[Concern]  # records the user may see, among those naming them
    concerns_hidden: int

    @property
    def small(self) -> bool:
        return count_is_small(len(self.context.unconnected)) or count_is_small(
            len(self.context.concerns)
        )

    @property
    def first_day(self) -> date | None:
        return None if self.small else day_from_number(self.context.first_day)

    @property
    def last_day(self) -> date | None:
        return None if self.small else day_from_number(self.context.last_day)

    @property
    def first_month(self) -> str:
        return f"{day_from_number(self.context.first_day):%Y-%m}"

    @property
    def last_month(self) -> str:
        return f"{day_from_number(self.context.last_day):%Y-%m}"

    @property
    def first_month_date(self) -> date:
        return day_from_number(self.context.first_day).replace(day=1)

    @property
    def last_month_date(self) -> date:
        return day_from_number(self.context.last_day).replace(day=1)

    @property
    def unconnected_shown(self) -> int | None:
        return count_shown(len(self.context.unconnected), rounded=True)

    @property
    def young_people_count_shown(self) -> int | None:
        return count_shown(len(self.context.young_people), rounded=True)

    @property
    def concerns_count_shown(self) -> int | None:
        return count_shown(len(self.context.concerns), rounded=True)

    @property
    def young_people_hidden_shown(self) -> int | None:
        return count_shown(self.young_people_hidden, rounded=True)

    @property
    def concerns_hidden_shown(self) -> int | None:
        return count_shown(self.concerns_hidden, rounded=True)

    @property
    def unconnected_text(self) -> str:
        return count_text(self.unconnected_shown)

    @property
    def concerns_count_text(self) -> str:
        return count_text(self.concerns_count_shown)

    @property
    def young_people_hidden_text(self) -> str:
        return count_text(self.young_people_hidden_shown)

    @property
    def concerns_hidden_text(self) -> str:
        return count_text(self.concerns_hidden_shown)


def shared_contexts_visible_to(
    *,
    user: Actor,
    filters: AnalysisFilters,
    min_young_people: int = 3,
    by: str = "place",
    limit: int = 20,
) -> list[SharedContextShown]:
    """The ranked shared contexts, each explained with the children and concerns the user may see.

    `min_young_people` is applied as `shared_minimum` gives it. The ranking uses the published
    counts, so that the order of contexts with fewer than 5 children says nothing about them.
    """
    minimum = shared_minimum(min_young_people)
    found = shared_context_list(filters=filters, min_young_people=minimum, by=by)[:limit]
    people_ids = {p for c in found for p in c.unconnected}
    concern_ids = {c for ctx in found for c in ctx.concerns}
    people = young_person_list_visible_to(user=user).filter(pk__in=people_ids).in_bulk()
    concerns = concern_list_visible_to(user=user).filter(pk__in=concern_ids).in_bulk()
    places = place_names([c.location for c in found]) if by == "place" else {}
    shown = []
    for ctx in found:
        visible_people = [people[p] for p in ctx.unconnected if p in people]
        visible_concerns = sorted(
            (concerns[c] for c in ctx.concerns if c in concerns), key=lambda c: c.occurred_on
        )
        shown.append(
            SharedContextShown(
                context=ctx,
                place=places.get(ctx.location),
                cell=getattr(ctx, "cell", ""),
                young_people=visible_people,
                young_people_hidden=len(ctx.unconnected) - len(visible_people),
                concerns=visible_concerns,
                concerns_hidden=len(ctx.concerns) - len(visible_concerns),
            )
        )
    return sorted(
        shown,
        key=lambda s: (-(s.unconnected_shown or 0), -(s.concerns_count_shown or 0), s.cell,
                       s.place.name if s.place else ""),
    )  # fmt: skip


def cell_concerns_visible_to(*, user: Actor, detail: CellDetail) -> list[Concern]:
    """The cell's concerns (after the filters) that the user may see, latest first."""
    return list(
        concern_list_visible_to(user=user)
        .filter(pk__in=detail.concern_ids)
        .order_by("-occurred_on", "-id")
    )
