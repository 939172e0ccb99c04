"""Reads for the analysis of places: where children may be at risk, and when.

These selectors turn concerns into arrays for `waymark.analytics` and shape what comes back for
the Places pages and the API. Counts are aggregates over every concern with a place, whoever
recorded it, as `place_counts` is: they say nothing about who. Who (the children behind a shared
context, the concerns in a cell) goes through the need-to-know selectors of the people and
concerns apps, so a user sees only what they could see on the records themselves.

Results are cached by data version: a hash of cheap aggregates over the tables an analysis reads.
Any write (a new concern, an edited place, a new association, an erasure) changes the version, so
a page view never recomputes unchanged data and never serves stale results.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

import h3
import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from waymark.analytics.emerging import EmergingResult, emerging_hotspots, months_back
from waymark.analytics.hotspots import (
    HotspotResult,
    bin_points,
    class_label,
    counts_on_grid,
    grid_build,
    hotspots_on_grid,
)
from waymark.analytics.near_repeat import KnoxResult, knox_test_latlon
from waymark.analytics.shared_contexts import SharedContext, shared_contexts
from waymark.analytics.timeprofile import time_profile
from waymark.concerns.models import Association, Concern, ConcernRisk, ConcernYoungPerson
from waymark.people.models import YoungPerson

from .models import Place

T = TypeVar("T")

# Published aggregates suppress small counts (domain: "fewer than 5").
SMALL_COUNT = 5
AGE_BANDS: dict[str, tuple[str, int, int]] = {
    "under-10": ("Under 10", 0, 9),
    "10-13": ("10 to 13", 10, 13),
    "14-15": ("14 to 15", 14, 15),
    "16-17": ("16 to 17", 16, 17),
    "18-25": ("18 to 25", 18, 25),
}
CONFIDENCE_ALPHA = {90: 0.10, 95: 0.05, 99: 0.01}
RESOLUTIONS = range(6, 11)
RING_SIZES = range(1, 4)
INTERVALS = ("month", "week")
DEFAULT_MONTHS = 12
CACHE_SECONDS = 60 * 60
_CELL_INDEX = re.compile(r"[0-9a-f]{15}")


@dataclass(frozen=True)
class AnalysisFilters:
    """What to analyse. Every analysis of places takes the same filters."""

    date_from: date
    date_to: date
    categories: tuple[str, ...] = ()
    age_band: str = ""
    agency_id: int | None = None
    resolution: int = 9
    k: int = 1
    confidence: int = 95
    interval: str = "month"

    def key(self) -> str:
        return "|".join(
            str(v)
            for v in (
                self.date_from,
                self.date_to,
                ",".join(sorted(self.categories)),
                self.age_band,
                self.agency_id,
                self.resolution,
                self.k,
                self.confidence,
                self.interval,
            )
        )

    @property
    def alpha(self) -> float:
        return CONFIDENCE_ALPHA[self.confidence]


def analysis_default_period(*, today: date | None = None) -> tuple[date, date]:
    """The twelve months up to the latest concern (or today when there are none, or later ones)."""
    today = today or timezone.localdate()
    latest = Concern.objects.filter(occurred_on__lte=today).aggregate(d=Max("occurred_on"))["d"]
    end = latest or today
    start = months_back(np.datetime64(end + timedelta(days=1)), np.array([DEFAULT_MONTHS]))[0]
    return start.astype(date), end


def analysis_data_version() -> str:
    """A short hash that changes whenever anything an analysis of places reads changes."""
    parts = [
        Concern.objects.aggregate(n=Count("id"), m=Max("id"), t=Max("updated_at")),
        ConcernRisk.objects.aggregate(n=Count("id"), m=Max("id")),
        ConcernYoungPerson.objects.aggregate(n=Count("id"), m=Max("id")),
        Place.objects.aggregate(n=Count("id"), t=Max("updated_at")),
        YoungPerson.objects.aggregate(n=Count("id"), t=Max("updated_at")),
        Association.objects.aggregate(n=Count("id"), t=Max("updated_at")),
        timezone.localdate(),  # associations lapse at their review date
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def _cache_key(*parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"waymark:places:{analysis_data_version()}:{digest}"


def _cached(name: str, filters: AnalysisFilters, compute: Callable[[], T], extra: str = "") -> T:
    key = _cache_key(name, filters.key(), extra)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


@dataclass(frozen=True)
class ConcernPoints:
    """One row per concern with a place, after the filters: the arrays analytics take."""

    concern: npt.NDArray[np.int64]
    place: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    day: npt.NDArray[np.datetime64]  # datetime64[D]
    at: npt.NDArray[np.datetime64]  # datetime64[s], NaT where the time is not known

    def __len__(self) -> int:
        return len(self.concern)

    def take(self, mask: npt.NDArray[np.bool_]) -> "ConcernPoints":
        return ConcernPoints(
            self.concern[mask], self.place[mask], self.lat[mask], self.lon[mask],
            self.day[mask], self.at[mask],
        )  # fmt: skip


def _dates_of_birth() -> dict[int, date]:
    """Dates of birth are encrypted, so ages are worked out here rather than in SQL."""
    return {p.pk: p.date_of_birth for p in YoungPerson.objects.only("id", "date_of_birth")}


def _age(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def _concern_query(filters: AnalysisFilters) -> Any:
    qs = Concern.objects.filter(
        place__isnull=False,
        occurred_on__gte=filters.date_from,
        occurred_on__lte=filters.date_to,
    )
    if filters.categories:
        qs = qs.filter(
            pk__in=ConcernRisk.objects.filter(category__in=filters.categories).values("concern_id")
        )
    if filters.agency_id is not None:
        qs = qs.filter(recording_agency_id=filters.agency_id)
    return qs


def _in_age_band(concern_ids: list[int], band: str) -> set[int]:
    _, low, high = AGE_BANDS[band]
    births = _dates_of_birth()
    keep: set[int] = set()
    rows = ConcernYoungPerson.objects.filter(concern_id__in=concern_ids).values_list(
        "concern_id", "young_person_id", "concern__occurred_on"
    )
    for concern_id, person_id, day in rows:
        dob = births.get(person_id)
        if dob is not None and low <= _age(dob, day) <= high:
            keep.add(concern_id)
    return keep


def _points(filters: AnalysisFilters) -> ConcernPoints:
    rows = list(
        _concern_query(filters)
        .order_by("id")
        .values_list(
            "id", "place_id", "place__latitude", "place__longitude", "occurred_on", "occurred_time"
        )
    )
    if filters.age_band:
        keep = _in_age_band([r[0] for r in rows], filters.age_band)
        rows = [r for r in rows if r[0] in keep]
    day = np.array([r[4] for r in rows], dtype="datetime64[D]")
    seconds = np.array(
        [-1 if r[5] is None else r[5].hour * 3600 + r[5].minute * 60 for r in rows], np.int64
    )
    at = day.astype("datetime64[s]") + seconds.astype("timedelta64[s]")
    at[seconds < 0] = np.datetime64("NaT")
    return ConcernPoints(
        concern=np.array([r[0] for r in rows], dtype=np.int64),
        place=np.array([r[1] for r in rows], dtype=np.int64),
        lat=np.array([r[2] for r in rows], dtype=np.float64),
        lon=np.array([r[3] for r in rows], dtype=np.float64),
        day=day,
        at=at,
    )


def concern_points(*, filters: AnalysisFilters) -> ConcernPoints:
    return _cached("points", filters, lambda: _points(filters))


# --- hot spots and emerging hot spots ------------------------------------------------------


@dataclass(frozen=True)
class CellRow:
    """One H3 cell of the study area, as the Places page and the API show it."""

    cell: str
    count: int
    z: float
    p: float
    p_fdr: float
    cls: int
    trend: str  # emerging hot-spot category over the period
    trend_z: float
    places: int  # places in the cell

    @property
    def label(self) -> str:
        return class_label(self.cls)

    @property
    def confidence(self) -> int:
        return {0: 0, 1: 90, 2: 95, 3: 99}[abs(self.cls)]

    @property
    def count_suppressed(self) -> bool:
        return 0 < self.count < SMALL_COUNT

    @property
    def count_shown(self) -> int | None:
        return None if self.count_suppressed else self.count

    @property
    def count_text(self) -> str:
        return "fewer than 5" if self.count_suppressed else str(self.count)

    @property
    def description(self) -> str:
        if self.cls > 0:
            return f"Children may be at risk here ({self.confidence}% confidence)"
        if self.cls < 0:
            return f"Fewer concerns than expected ({self.confidence}% confidence)"
        return "No pattern beyond chance"


@dataclass(frozen=True)
class PlaceAnalysis:
    """Gi* over the whole period, and the emerging hot-spot category of each cell."""

    filters: AnalysisFilters
    points: int
    rows: list[CellRow]  # cells with concerns or a significant result, strongest first
    hot: EmergingResult | None
    slices: list[date] = field(default_factory=list)
    cells_in_study_area: int = 0

    def slice_classes(self) -> dict[str, list[int]]:
        """Per shown cell, the class in each slice: +1 hot, -1 cold, 0 neither."""
        if self.hot is None:
            return {}
        index = {c: i for i, c in enumerate(self.hot.cells.tolist())}
        out: dict[str, list[int]] = {}
        for row in self.rows:
            i = index.get(row.cell)
            if i is None:
                continue
            out[row.cell] = (
                self.hot.hot[:, i].astype(int) - self.hot.cold[:, i].astype(int)
            ).tolist()
        return out


def _places_per_cell(resolution: int) -> dict[str, list[int]]:
    rows = list(Place.objects.values_list("id", "latitude", "longitude"))
    cells = bin_points([r[1] for r in rows], [r[2] for r in rows], resolution)
    out: dict[str, list[int]] = {}
    for (pk, _, _), cell in zip(rows, cells.tolist(), strict=True):
        out.setdefault(cell, []).append(pk)
    return out


def places_per_cell(*, resolution: int) -> dict[str, list[int]]:
    key = _cache_key("cells", str(resolution))
    found = cache.get(key)
    if found is None:
        found = _places_per_cell(resolution)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _analyse(filters: AnalysisFilters) -> PlaceAnalysis:
    points = concern_points(filters=filters)
    if len(points) == 0:
        return PlaceAnalysis(filters=filters, points=0, rows=[], hot=None)
    point_cells = bin_points(points.lat, points.lon, filters.resolution)
    grid = grid_build(np.unique(point_cells), filters.k)
    result: HotspotResult = hotspots_on_grid(
        grid, counts_on_grid(grid, point_cells), fdr=filters.alpha
    )
    emerging = emerging_hotspots(
        points.lat,
        points.lon,
        points.day,
        interval=filters.interval,  # type: ignore[arg-type]
        resolution=filters.resolution,
        k=filters.k,
        alpha=filters.alpha,
        end=np.datetime64(filters.date_to, "D"),
    )
    trend = dict(zip(emerging.cells.tolist(), emerging.category, strict=True))
    trend_z = dict(zip(emerging.cells.tolist(), emerging.trend_z.tolist(), strict=True))
    per_cell = places_per_cell(resolution=filters.resolution)
    rows = [
        CellRow(
            cell=cell,
            count=int(result.count[i]),
            z=float(result.z[i]),
            p=float(result.p[i]),
            p_fdr=float(result.p_fdr[i]),
            cls=int(result.cls[i]),
            trend=trend.get(cell, "no pattern"),
            trend_z=float(trend_z.get(cell, 0.0)),
            places=len(per_cell.get(cell, ())),
        )
        for i, cell in enumerate(result.cells.tolist())
        if result.count[i] > 0
        or result.cls[i] != 0
        or trend.get(cell, "no pattern") != "no pattern"
    ]
    rows.sort(key=lambda r: (-r.cls, -r.z, r.cell))
    return PlaceAnalysis(
        filters=filters,
        points=len(points),
        rows=rows,
        hot=emerging,
        slices=[d.astype(date) for d in emerging.slices],
        cells_in_study_area=len(result.cells),
    )


def place_analysis(*, filters: AnalysisFilters) -> PlaceAnalysis:
    """Hot spots and emerging hot spots for the filters (cached by data version)."""
    return _cached("hotspots", filters, lambda: _analyse(filters))


def cell_geometry(cell: str) -> list[list[float]]:
    """The cell's boundary as a closed GeoJSON ring of [longitude, latitude]."""
    ring = [[round(lon, 6), round(lat, 6)] for lat, lon in h3.cell_to_boundary(cell)]
    return [*ring, ring[0]]


def cell_is_valid(cell: str) -> bool:
    """A cell index as Waymark writes them: 15 lower-case hex digits naming a real H3 cell.

    h3 reads its argument with int(text, 16), so it would also take " 89..", "0x89..", "89_1.."
    or upper case, none of which match the cells the analysis keys on; and it raises
    OverflowError for "-1" or for more than 16 digits.
    """
    if not isinstance(cell, str) or not _CELL_INDEX.fullmatch(cell):
        return False
    try:
        return bool(h3.is_valid_cell(cell))
    except (TypeError, ValueError, OverflowError):
        return False


# --- one cell: its places, its time profile ------------------------------------------------


@dataclass(frozen=True)
class CellDetail:
    cell: str
    resolution: int
    place_ids: list[int]
    concern_ids: list[int]  # concerns in the cell after the filters (not all visible to everyone)
    profile: npt.NDArray[np.int64]  # hour x weekday
    untimed: int  # concerns with no recorded time


def _cell_detail(filters: AnalysisFilters, cell: str) -> CellDetail:
    resolution = h3.get_resolution(cell)
    place_ids = places_per_cell(resolution=resolution).get(cell, [])
    points = concern_points(filters=filters)
    inside = np.isin(points.place, np.array(place_ids, dtype=np.int64))
    mine = points.take(inside)
    return CellDetail(
        cell=cell,
        resolution=resolution,
        place_ids=sorted(place_ids),
        concern_ids=mine.concern.tolist(),
        profile=time_profile(mine.at),
        untimed=int(np.isnat(mine.at).sum()),
    )


def cell_detail(*, filters: AnalysisFilters, cell: str) -> CellDetail:
    return _cached("cell", filters, lambda: _cell_detail(filters, cell), extra=cell)


@dataclass(frozen=True)
class TimeProfile:
    profile: npt.NDArray[np.int64]
    concerns: int
    untimed: int


def place_time_profile(*, filters: AnalysisFilters, place_id: int) -> TimeProfile:
    def compute() -> TimeProfile:
        points = concern_points(filters=filters)
        mine = points.take(points.place == place_id)
        return TimeProfile(time_profile(mine.at), len(mine), int(np.isnat(mine.at).sum()))

    return _cached("profile", filters, compute, extra=str(place_id))


def cell_time_profile(*, filters: AnalysisFilters, cell: str) -> TimeProfile:
    detail = cell_detail(filters=filters, cell=cell)
    return TimeProfile(detail.profile, len(detail.concern_ids), detail.untimed)


# --- near repeat ---------------------------------------------------------------------------


def near_repeat_analysis(
    *,
    filters: AnalysisFilters,
    distance_bands: tuple[int, ...],
    day_bands: tuple[int, ...],
    runs: int = 99,
    seed: int = 1,
) -> KnoxResult | None:
    """The Knox test over the filtered concerns; None with fewer than two concerns."""

    def compute() -> KnoxResult | None:
        points = concern_points(filters=filters)
        if len(points) < 2:
            return None
        return knox_test_latlon(
            lat=points.lat,
            lon=points.lon,
            occurred_at=points.day,
            distance_bands=distance_bands,
            day_bands=day_bands,
            runs=runs,
            seed=seed,
        )

    extra = f"{distance_bands}:{day_bands}:{runs}:{seed}"
    return _cached("knox", filters, compute, extra=extra)


# --- shared contexts -----------------------------------------------------------------------


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
    links = Association.objects.filter(
        other_young_person__isnull=False, review_by__gte=today
    ).values_list("young_person_id", "other_young_person_id")
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
    return _cached(
        "shared",
        filters,
        lambda: _shared(filters, min_young_people, by),
        extra=f"{min_young_people}:{by}",
    )


def day_from_number(day: int) -> date:
    return date(1970, 1, 1) + timedelta(days=int(day))


def place_names(ids: list[int]) -> dict[int, Place]:
    return Place.objects.select_related("ward").in_bulk(ids)


# --- what a user may see behind the aggregates ---------------------------------------------


@dataclass(frozen=True)
class SharedContextShown:
    """A shared context as one user may see it: counts for all, names only through need to know."""

    context: SharedContext
    place: Place | None
    cell: str
    young_people: list[Any]  # YoungPerson records the user may see, among the unconnected
    young_people_hidden: int
    concerns: list[Any]  # Concern records the user may see, among those naming them
    concerns_hidden: int

    @property
    def first_day(self) -> date:
        return day_from_number(self.context.first_day)

    @property
    def last_day(self) -> date:
        return day_from_number(self.context.last_day)


def shared_contexts_visible_to(
    *,
    user: Any,
    filters: AnalysisFilters,
    min_young_people: int = 3,
    by: str = "place",
    limit: int = 20,
) -> list[SharedContextShown]:
    """The ranked shared contexts, each explained with the children and concerns the user may see."""
    from waymark.concerns.selectors import concern_list_visible_to
    from waymark.people.selectors import young_person_list_visible_to

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


def cell_concerns_visible_to(*, user: Any, detail: CellDetail) -> list[Any]:
    """The cell's concerns (after the filters) that the user may see, latest first."""
    from waymark.concerns.selectors import concern_list_visible_to

    return list(
        concern_list_visible_to(user=user)
        .filter(pk__in=detail.concern_ids)
        .order_by("-occurred_on", "-id")
    )
