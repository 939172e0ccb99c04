"""The concerns an analysis reads, as arrays, and the cache every analysis of places shares.

Results are cached by data version: a hash of cheap aggregates over the tables an analysis reads.
Any write (a new concern, an edited place, a new association, an erasure) changes the version, so
a page view never recomputes unchanged data and never serves stale results.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from waymark.analytics.hotspots import bin_points
from waymark.concerns.models import Association, Concern, ConcernRisk, ConcernYoungPerson
from waymark.concerns.selectors import concern_shared_q
from waymark.contexts.models import Place
from waymark.core.versions import Watched, data_version
from waymark.people.models import YoungPerson

from .filters import AGE_BANDS, AnalysisFilters

T = TypeVar("T")

CACHE_SECONDS = 60 * 60


def analysis_data_version() -> str:
    """A short hash that changes whenever anything an analysis of places reads changes."""
    return data_version(
        [
            Watched(Concern.objects, latest=("id", "updated_at")),
            Watched(ConcernRisk.objects, latest=("id",)),
            Watched(ConcernYoungPerson.objects, latest=("id",)),
            Watched(Place.objects, latest=("updated_at",)),
            Watched(YoungPerson.objects, latest=("updated_at",)),
            Watched(Association.objects, latest=("updated_at",)),
        ],
        also=[timezone.localdate()],  # associations lapse at their review date
        length=16,
    )


def analysis_cache_key(*parts: str) -> str:
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"waymark:places:{analysis_data_version()}:{digest}"


def analysis_cached(
    name: str, filters: AnalysisFilters, compute: Callable[[], T], extra: str = ""
) -> T:
    """The result for these filters, computed only when the data version has none yet."""
    key = analysis_cache_key(name, filters.key(), extra)
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


def _concern_query(filters: AnalysisFilters) -> QuerySet[Concern]:
    # Shared by every viewer, so only what every agency may know: handling code P.
    qs = Concern.objects.filter(
        concern_shared_q(),
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
    return analysis_cached("points", filters, lambda: _points(filters))


def _places_per_cell(resolution: int) -> dict[str, list[int]]:
    rows = list(Place.objects.values_list("id", "latitude", "longitude"))
    cells = bin_points([r[1] for r in rows], [r[2] for r in rows], resolution)
    out: dict[str, list[int]] = {}
    for (pk, _, _), cell in zip(rows, cells.tolist(), strict=True):
        out.setdefault(cell, []).append(pk)
    return out


def places_per_cell(*, resolution: int) -> dict[str, list[int]]:
    key = analysis_cache_key("cells", str(resolution))
    found = cache.get(key)
    if found is None:
        found = _places_per_cell(resolution)
        cache.set(key, found, CACHE_SECONDS)
    return found
