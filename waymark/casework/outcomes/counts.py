"""Concerns at a context and in its surrounding area, in equal windows before and after its plan
started: the counts behind "did the context become safer?".

Exact counts, as for a place's page: they count only concerns with handling code P, which say
nothing about who, and are published only through `waymark.core.suppression` by the outcome
selectors.

- **A place.** Here: concerns at the place. The surrounding area: concerns at the other places
  whose resolution-8 H3 area (about 0.7 km²) lies within two rings of the place's own, a
  neighbourhood of about 1.5 km across.
- **A neighbourhood of H3 areas.** Here: concerns at places in its areas. Around it: places in
  the two rings of areas around them, at the same resolution.
- **A neighbourhood that is a ward.** Here: the ward. Around it: the rest of the borough.
- **A peer group.** Here: concerns about the group's members. Around it: every other concern.
- **An online space** has no place, so there are no counts: its outcome is read from the goal
  indicators.
"""

import datetime
from dataclasses import dataclass

import h3
from django.db.models import Count, Q, QuerySet

from waymark.casework.models import ContextCase, SubjectKind
from waymark.concerns.models import Concern, ConcernYoungPerson
from waymark.concerns.selectors import concern_shared_q
from waymark.contexts.models import Place
from waymark.contexts.place_analysis.points import places_per_cell

WINDOW_DAYS = 182  # about six months each side of the plan's start
MIN_WINDOW_DAYS = 28  # a shorter window says nothing: the plan has only just started
RESOLUTION = 8
RINGS = 2


@dataclass(frozen=True)
class Windows:
    """Two equal windows either side of the start: before is [start - days, start), after is
    [start, start + days)."""

    start: datetime.date
    days: int

    @property
    def before_from(self) -> datetime.date:
        return self.start - datetime.timedelta(days=self.days)

    @property
    def after_to(self) -> datetime.date:
        return self.start + datetime.timedelta(days=self.days)


def outcome_windows(
    *, started_on: datetime.date, today: datetime.date, days: int = WINDOW_DAYS
) -> Windows | None:
    """The windows for a plan that started on `started_on`: as long as `days`, or as long as the
    plan has run if that is shorter (so the after window holds no future). None before 28 days."""
    ran = (today - started_on).days
    length = min(days, ran)
    if length < MIN_WINDOW_DAYS:
        return None
    return Windows(start=started_on, days=length)


@dataclass(frozen=True)
class ContextCounts:
    here_before: int
    here_after: int
    area_before: int | None  # None where the context has no surrounding area to compare with
    area_after: int | None
    here_label: str
    area_label: str


def _place_cell(place: Place) -> str:
    return str(h3.latlng_to_cell(place.latitude, place.longitude, RESOLUTION))


def _places_in(cells: set[str], resolution: int) -> set[int]:
    per_cell = places_per_cell(resolution=resolution)
    return {pk for cell in cells for pk in per_cell.get(cell, [])}


def _rings_around(cells: set[str]) -> set[str]:
    around: set[str] = set()
    for cell in cells:
        around.update(h3.grid_disk(cell, RINGS))
    return around - cells


def _split(concerns: "QuerySet[Concern]", windows: Windows) -> tuple[int, int]:
    counts = concerns.aggregate(
        before=Count(
            "id",
            filter=Q(occurred_on__gte=windows.before_from, occurred_on__lt=windows.start),
        ),
        after=Count(
            "id", filter=Q(occurred_on__gte=windows.start, occurred_on__lt=windows.after_to)
        ),
    )
    return int(counts["before"]), int(counts["after"])


def context_counts(*, case: ContextCase, windows: Windows) -> ContextCounts | None:
    """Concerns here and around the context in the two windows; None for an online space."""
    shared = Concern.objects.filter(
        concern_shared_q(), occurred_on__gte=windows.before_from, occurred_on__lt=windows.after_to
    )
    kind = SubjectKind(case.subject_kind)
    if kind == SubjectKind.PLACE and case.place is not None:
        here = shared.filter(place=case.place)
        around = _places_in(
            _rings_around({_place_cell(case.place)}) | {_place_cell(case.place)}, RESOLUTION
        )
        around.discard(case.place.pk)
        area = shared.filter(place_id__in=sorted(around))
        labels = ("At the place", "Surrounding area (about 1.5 km across)")
    elif kind == SubjectKind.NEIGHBOURHOOD and case.neighbourhood is not None:
        neighbourhood = case.neighbourhood
        if neighbourhood.ward_id is not None:
            here = shared.filter(place__ward_id=neighbourhood.ward_id)
            area = shared.filter(place__isnull=False).exclude(place__ward_id=neighbourhood.ward_id)
            labels = ("In the ward", "Rest of the borough")
        else:
            cells = set(neighbourhood.cells)
            resolution = h3.get_resolution(next(iter(cells)))
            here = shared.filter(place_id__in=sorted(_places_in(cells, resolution)))
            area = shared.filter(place_id__in=sorted(_places_in(_rings_around(cells), resolution)))
            labels = ("In the neighbourhood", "Surrounding areas")
    elif kind == SubjectKind.PEER_GROUP and case.peer_group is not None:
        members = ConcernYoungPerson.objects.filter(
            young_person__peer_group_memberships__peer_group=case.peer_group
        ).values("concern_id")
        here = shared.filter(pk__in=members)
        area = shared.exclude(pk__in=members)
        labels = ("About the group's members", "Every other concern")
    else:
        return None
    here_before, here_after = _split(here, windows)
    area_before, area_after = _split(area, windows)
    return ContextCounts(
        here_before=here_before,
        here_after=here_after,
        area_before=area_before,
        area_after=area_after,
        here_label=labels[0],
        area_label=labels[1],
    )
