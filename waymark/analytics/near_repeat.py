"""Near-repeat analysis: the Knox test, as the Near Repeat Calculator (Ratcliffe, 2009) does it.

Every pair of events is placed in one space-time cell: a distance band (rows) by a day band
(columns). The observed count of pairs in each cell is compared with the counts when the events'
dates are shuffled among their locations (a Monte Carlo permutation), which keeps where things
happen and when they happen but breaks any link between the two.

Bands follow the Calculator. With distance bands ``(100, 200)`` the rows are "same location"
(0 m), "1 to 100 m" (0 < d <= 100), "101 to 200 m" (100 < d <= 200) and "more than 200 m".
With day bands ``(7, 14)`` the columns are "0 to 7 days" (|dt| <= 7), "8 to 14 days" and "more
than 14 days". Days are calendar days (the date part of each timestamp), as in the Calculator.

Locations are projected from latitude and longitude to metres on a local equirectangular plane
centred on the mean latitude of the events: ``x = R * cos(lat0) * dlon``, ``y = R * dlat``. Over
the few hundred metres that near-repeat bands span, and over a town or city, this is accurate to
well under 1%, which is finer than the geocoding of a concern.

Speed. Only pairs within the largest distance band need their cell worked out one by one: they
are found once with a k-d tree. A permutation moves dates between locations but never moves the
locations, so the set of close pairs is the same in every run; only their date differences change,
and those are recomputed from the permuted dates of the same pairs. That is exact, not an
approximation. Nor does a permutation change the multiset of dates, so the number of pairs in each
day band over all pairs (close or not) is fixed; the "more than" distance row is that total minus
the close rows, in every run.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
DEFAULT_RUNS = 99
SIGNIFICANCE = 0.05

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class NearRepeatError(ValueError):
    """The events or the bands cannot be analysed."""


@dataclass(frozen=True)
class KnoxResult:
    """Knox test results. Arrays are (distance bands + 2) x (day bands + 1), rows then columns.

    Row 0 is the same location; the last row and the last column are "more than" the last band.
    ``ratio`` is observed / expected (NaN where nothing was expected); ``p_value`` is the Monte
    Carlo pseudo p-value (1 + runs with at least the observed count) / (runs + 1).
    """

    distance_labels: tuple[str, ...]
    day_labels: tuple[str, ...]
    observed: IntArray
    expected: FloatArray
    ratio: FloatArray
    p_value: FloatArray
    runs: int
    seed: int | None
    events: int

    @property
    def repeat(self) -> bool:
        """Same location, first day band: more than chance at 95%."""
        return self._significant(0, 0)

    @property
    def near_repeat(self) -> bool:
        """Nearest distance band beyond the same location, first day band: more than chance
        at 95%."""
        return self._significant(1, 0)

    def _significant(self, row: int, col: int) -> bool:
        ratio = self.ratio[row, col]
        return bool(self.p_value[row, col] <= SIGNIFICANCE and np.isfinite(ratio) and ratio > 1)


def _check_bands(bands: Any, name: str) -> npt.NDArray[Any]:
    edges = np.asarray(bands)
    if edges.ndim != 1 or edges.size == 0:
        raise NearRepeatError(f"{name} must be one or more numbers")
    if not np.all(np.isfinite(edges)) or np.any(edges <= 0) or np.any(np.diff(edges) <= 0):
        raise NearRepeatError(f"{name} must be positive and increasing, e.g. 100,200,300")
    return edges


def _fmt(value: float) -> str:
    return f"{value:g}"


def distance_band_labels(distance_bands: Any) -> tuple[str, ...]:
    edges = [float(e) for e in distance_bands]
    labels = ["same location"]
    lower = 0.0
    for upper in edges:
        first = 1.0 if lower == 0 else lower + 1
        labels.append(f"{_fmt(first)} to {_fmt(upper)} m")
        lower = upper
    labels.append(f"more than {_fmt(edges[-1])} m")
    return tuple(labels)


def day_band_labels(day_bands: Any) -> tuple[str, ...]:
    edges = [int(e) for e in day_bands]
    labels = []
    lower = -1
    for upper in edges:
        labels.append(f"{lower + 1} to {upper} days")
        lower = upper
    labels.append(f"more than {edges[-1]} days")
    return tuple(labels)


def project_to_metres(lat: Any, lon: Any) -> tuple[FloatArray, FloatArray]:
    """Equirectangular projection around the mean latitude (see the module docstring)."""
    lat_r = np.radians(np.asarray(lat, dtype=np.float64))
    lon_r = np.radians(np.asarray(lon, dtype=np.float64))
    if lat_r.size == 0:
        return lat_r.copy(), lon_r.copy()
    lat0 = float(lat_r.mean())
    # Longitudes are taken relative to the first event so a city on the antimeridian works.
    dlon = (lon_r - lon_r[0] + np.pi) % (2 * np.pi) - np.pi
    x = EARTH_RADIUS_M * np.cos(lat0) * dlon
    y = EARTH_RADIUS_M * (lat_r - lat0)
    return x, y


def day_numbers(occurred_at: Any) -> IntArray:
    """Calendar day numbers (days since 1970-01-01) of datetime64 timestamps."""
    stamps = np.asarray(occurred_at)
    if not np.issubdtype(stamps.dtype, np.datetime64):
        raise NearRepeatError("occurred_at must be datetime64 timestamps")
    if np.any(np.isnat(stamps)):
        raise NearRepeatError("every event needs a date: some occurred_at values are missing")
    return stamps.astype("datetime64[D]").astype(np.int64)


def _pairs_per_day_band(days: IntArray, day_edges: IntArray) -> IntArray:
    """Pairs of events in each day band, over all pairs, from the sorted day numbers."""
    ordered = np.sort(days)
    n = ordered.size
    index = np.arange(n)
    within = np.empty(day_edges.size, dtype=np.int64)
    for k, edge in enumerate(day_edges):
        # For each event, the later events no more than `edge` days after it.
        upto = np.searchsorted(ordered, ordered + edge, side="right")
        within[k] = int((upto - index - 1).sum())
    total = n * (n - 1) // 2
    cumulative = np.append(within, total)
    return np.diff(cumulative, prepend=0)


def knox_test(
    *,
    x: Any,
    y: Any,
    days: Any,
    distance_bands: Any,
    day_bands: Any,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    workers: int | None = None,
) -> KnoxResult:
    """Knox test on events at ``x``, ``y`` (metres) on day numbers ``days`` (integers).

    ``distance_bands`` are the upper limits of the distance bands in metres, ``day_bands`` those
    of the day bands in days; both positive and increasing. ``runs`` Monte Carlo permutations of
    the days, seeded with ``seed``; ``workers`` threads (default: one per CPU).
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    day = np.asarray(days)
    if not (xs.shape == ys.shape == day.shape) or xs.ndim != 1:
        raise NearRepeatError("x, y and days must be one-dimensional and the same length")
    if not np.issubdtype(day.dtype, np.integer):
        raise NearRepeatError("days must be whole day numbers")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise NearRepeatError("every event needs a finite location")
    if runs < 1:
        raise NearRepeatError("runs must be 1 or more")
    dist_edges = _check_bands(distance_bands, "distance bands").astype(np.float64)
    day_edges = _check_bands(day_bands, "day bands")
    if not np.all(day_edges == np.round(day_edges)):
        raise NearRepeatError("day bands must be whole numbers of days")
    day_edges = day_edges.astype(np.int64)
    day = day.astype(np.int64)

    n_rows = dist_edges.size + 2
    n_cols = day_edges.size + 1
    n_close_rows = n_rows - 1

    # Close pairs, found once: their distance row never changes between permutations.
    tree = cKDTree(np.column_stack([xs, ys]))
    pairs = tree.query_pairs(r=float(dist_edges[-1]), output_type="ndarray")
    first = pairs[:, 0].astype(np.intp)
    second = pairs[:, 1].astype(np.intp)
    distance = np.hypot(xs[first] - xs[second], ys[first] - ys[second])
    row = np.where(distance == 0, 0, 1 + np.searchsorted(dist_edges, distance, side="left"))
    # query_pairs uses <= r; floating error could put a pair a hair past the last edge.
    row = np.minimum(row, n_close_rows - 1)
    # Per row, the pairs ordered by their first event, so that the first event's day can be
    # laid out with np.repeat (a sequential copy) rather than gathered pair by pair.
    order = np.lexsort((second, first, row))
    row, first, second = row[order], first[order], second[order]
    bounds = np.searchsorted(row, np.arange(n_close_rows + 1))
    segments = [
        (
            np.bincount(first[lo:hi], minlength=xs.size),
            np.ascontiguousarray(second[lo:hi]),
        )
        for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
    ]

    # Day numbers relative to the first day, in 16 bits where they fit: less memory traffic.
    day_rel = day - (day.min() if day.size else 0)
    span = int(day_rel.max()) if day_rel.size else 0
    small = np.int16 if span <= np.iinfo(np.int16).max else np.int32
    if span > np.iinfo(np.int32).max:
        raise NearRepeatError("the events span too many days")
    day_small = day_rel.astype(small)
    edges_small = day_edges.clip(max=np.iinfo(small).max).astype(small)

    day_totals = _pairs_per_day_band(day, day_edges)

    def table(d: npt.NDArray[Any]) -> IntArray:
        close = np.empty((n_close_rows, n_cols), dtype=np.int64)
        for r, (repeats, seconds) in enumerate(segments):
            gap = np.repeat(d, repeats)
            gap -= d[seconds]
            np.abs(gap, out=gap)
            within: list[int] = [int(np.count_nonzero(gap <= e)) for e in edges_small]
            within.append(gap.size)
            close[r] = np.diff(within, prepend=0)
        beyond = day_totals - close.sum(axis=0)
        return np.vstack([close, beyond])

    def simulate(child: np.random.SeedSequence) -> IntArray:
        rng = np.random.default_rng(child)
        return table(day_small[rng.permutation(day_small.size)])

    observed = table(day_small)
    # One seed per run, spawned from `seed`: the result does not depend on how runs are
    # scheduled over threads. NumPy releases the GIL in these loops, so threads use every core.
    children = np.random.SeedSequence(seed).spawn(runs)
    sum_sim = np.zeros((n_rows, n_cols), dtype=np.float64)
    at_least = np.zeros((n_rows, n_cols), dtype=np.int64)
    workers = max(1, min(workers or (os.cpu_count() or 1), runs))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for simulated in pool.map(simulate, children):
            sum_sim += simulated
            at_least += simulated >= observed
    expected = sum_sim / runs
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(expected > 0, observed / expected, np.nan)
    p_value = (1 + at_least) / (runs + 1)

    return KnoxResult(
        distance_labels=distance_band_labels(dist_edges),
        day_labels=day_band_labels(day_edges),
        observed=observed,
        expected=expected,
        ratio=ratio,
        p_value=p_value,
        runs=runs,
        seed=seed,
        events=int(xs.size),
    )


def knox_test_latlon(
    *,
    lat: Any,
    lon: Any,
    occurred_at: Any,
    distance_bands: Any,
    day_bands: Any,
    runs: int = DEFAULT_RUNS,
    seed: int | None = None,
    workers: int | None = None,
) -> KnoxResult:
    """Knox test on events given by latitude, longitude (degrees) and datetime64 timestamps."""
    x, y = project_to_metres(lat, lon)
    return knox_test(
        x=x,
        y=y,
        days=day_numbers(occurred_at),
        distance_bands=distance_bands,
        day_bands=day_bands,
        runs=runs,
        seed=seed,
        workers=workers,
    )
