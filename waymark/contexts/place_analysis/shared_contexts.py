"""Shared contexts: places (or areas) where children with no link between them have concerns."""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.utils import timezone

from waymark.analytics.hotspots import bin_points
from waymark.analytics.shared_contexts import SharedContext, shared_contexts
from waymark.concerns.models import Association, ConcernYoungPerson
from waymark.concerns.selectors import association_shared_q

from .filters import AnalysisFilters
from .points import analysis_cached, concern_points


def _shared(filters: AnalysisFilters, min_young_people: int, by: str) -> list[SharedContext]:
    points = concern_points(filters=filters)
    rows = list(
        ConcernYoungPerson.objects.filter(concern_id__in=points.concern.tolist()).values_list(
            "concern_id", "young_person_id"
        )
    )
    if not rows:
        return []
    position = {int(c): i for i, c in enumerate(points.concern.tolist())}
    at = np.array([position[c] for c, _ in rows], dtype=np.int64)
    if by == "cell":
        cells = bin_points(points.lat[at], points.lon[at], filters.resolution).tolist()
        names = sorted(set(cells))
        code = {c: i for i, c in enumerate(names)}
        location = np.array([code[c] for c in cells], dtype=np.int64)
    else:
        location = points.place[at]
    today = timezone.localdate()
    links = (
        Association.objects.in_effect()
        .filter(association_shared_q(), other_young_person__isnull=False, review_by__gte=today)
        .values_list("young_person_id", "other_young_person_id")
    )
    found = shared_contexts(
        location=location,
        day=points.day[at].astype(np.int64),
        young_person=np.array([p for _, p in rows], dtype=np.int64),
        concern=np.array([c for c, _ in rows], dtype=np.int64),
        associations=list(links),
        min_young_people=min_young_people,
    )
    if by == "cell":
        # Location codes become indexes into the sorted cell names; keep the mapping with them.
        return [SharedCellContext.of(c, names[c.location]) for c in found]
    return found


@dataclass(frozen=True)
class SharedCellContext(SharedContext):
    cell: str = ""

    @classmethod
    def of(cls, context: SharedContext, cell: str) -> "SharedCellContext":
        return cls(
            location=context.location,
            unconnected=context.unconnected,
            young_people=context.young_people,
            concerns=context.concerns,
            first_day=context.first_day,
            last_day=context.last_day,
            cell=cell,
        )


def shared_context_list(
    *, filters: AnalysisFilters, min_young_people: int = 3, by: str = "place"
) -> list[SharedContext]:
    """Places (or cells) where unconnected children have concerns, ranked; ids, not names.

    Callers show the young people and concerns through the need-to-know selectors.
    """
    if by not in ("place", "cell"):
        raise ValueError("by must be place or cell")
    return analysis_cached(
        "shared",
        filters,
        lambda: _shared(filters, min_young_people, by),
        extra=f"{min_young_people}:{by}",
    )


def day_from_number(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day))
