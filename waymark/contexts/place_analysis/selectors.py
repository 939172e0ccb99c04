"""What a user may see behind the aggregates: names only through need to know."""

from dataclasses import dataclass
from datetime import date

from waymark.accounts.types import Actor
from waymark.analytics.shared_contexts import SharedContext
from waymark.concerns.models import Concern
from waymark.concerns.selectors import concern_list_visible_to
from waymark.contexts.models import Place
from waymark.people.models import YoungPerson
from waymark.people.selectors import young_person_list_visible_to

from .cells import CellDetail
from .filters import AnalysisFilters
from .shared_contexts import day_from_number, shared_context_list


def place_names(ids: list[int]) -> dict[int, Place]:
    """Places by id, with their wards, to name the areas and places an analysis shows."""
    return Place.objects.select_related("ward").in_bulk(ids)


@dataclass(frozen=True)
class SharedContextShown:
    """A shared context as one user may see it: counts for all, names only through need to know."""

    context: SharedContext
    place: Place | None
    cell: str
    young_people: list[YoungPerson]  # records the user may see, among the unconnected
    young_people_hidden: int
    concerns: list[Concern]  # records the user may see, among those naming them
    concerns_hidden: int

    @property
    def first_day(self) -> date:
        return day_from_number(self.context.first_day)

    @property
    def last_day(self) -> date:
        return day_from_number(self.context.last_day)


def shared_contexts_visible_to(
    *,
    user: Actor,
    filters: AnalysisFilters,
    min_young_people: int = 3,
    by: str = "place",
    limit: int = 20,
) -> list[SharedContextShown]:
    """The ranked shared contexts, each explained with the children and concerns the user may see."""
    found = shared_context_list(filters=filters, min_young_people=min_young_people, by=by)[:limit]
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
    return shown


def cell_concerns_visible_to(*, user: Actor, detail: CellDetail) -> list[Concern]:
    """The cell's concerns (after the filters) that the user may see, latest first."""
    return list(
        concern_list_visible_to(user=user)
        .filter(pk__in=detail.concern_ids)
        .order_by("-occurred_on", "-id")
    )
