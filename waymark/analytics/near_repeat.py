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

With two threads or more, the pairs of each half of the map are found at once, and then the
pairs across the line between the halves.

The runs then share the work eight at a time. Each event's days in eight runs (16-bit day
numbers; four runs of 32-bit ones if the events span over 89 years) sit side by side in one
16-byte item, so one look-up per pair fetches a pair's days in
all eight runs, and the day gaps and band counts of the eight are taken with whole-array
arithmetic (see `_gaps_within`). The observed table rides in the first batch as if it were a run.
Each run's shuffle still comes from its own seed, so the result does not depend on the batching
or the number of threads.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from waymark.analytics.defaults import DEFAULT_RUNS

EARTH_RADIUS_M = 6_371_008.8
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


_ITEM = np.dtype("V16")  # one event's days in several runs, fetched by one look-up


@dataclass(frozen=True)
class _Lanes:
    """How several runs' days share one 16-byte item per event: `count` lanes of `dtype`."""

    count: int
    dtype: type[np.signedinteger]


def _lanes(span: int) -> _Lanes:
    if span <= np.iinfo(np.int16).max:
        return _Lanes(count=8, dtype=np.int16)
    if span <= np.iinfo(np.int32).max:
        return _Lanes(count=4, dtype=np.int32)
    raise NearRepeatError("the events span too many days")


_GROUP = 255  # words of flags summed at once: no byte of the sum can pass 255
_CHUNK = 128 * _GROUP  # pairs per pass: a pass's arrays stay in a core's cache


def _gaps_within(
    days: npt.NDArray[np.void],
    first: npt.NDArray[np.intp],
    second: npt.NDArray[np.intp],
    edges: npt.NDArray[np.signedinteger],
    lanes: _Lanes,
) -> IntArray:
    """Pairs whose day gap is at most each edge, for each lane's run: (edges, lanes).

    `days` holds each event's day in every lane, so one look-up per pair fetches the days of
    all the lanes' runs; the gaps are then taken lane by lane. Per edge, the comparison leaves
    one 0/1 byte per pair and lane. Read as 64-bit words and summed 255 words at a time, those
    bytes count every lane at once, each byte in its own column and none carrying into the
    next; a last sum, once all the pairs are done, folds the bytes into lanes.
    """
    n_edges = len(edges)
    size = min(_CHUNK, len(first))
    here = np.empty(size, dtype=_ITEM)
    there = np.empty(size, dtype=_ITEM)
    flag = np.zeros(size * lanes.count + 8, dtype=bool)
    words_per_chunk = size * lanes.count // 8
    chunks = -(-len(first) // _CHUNK)
    grouped = np.zeros((n_edges, chunks * (words_per_chunk // _GROUP + 1)), dtype=np.uint64)
    filled = 0
    for lo in range(0, len(first), _CHUNK):
        m = min(_CHUNK, len(first) - lo)
        a = np.take(days, first[lo : lo + m], out=here[:m], mode="clip")
        b = np.take(days, second[lo : lo + m], out=there[:m], mode="clip")
        gap = a.view(lanes.dtype)
        np.subtract(gap, b.view(lanes.dtype), out=gap)
        np.abs(gap, out=gap)
        used = m * lanes.count
        words = -(-used // 8)
        flag[used : words * 8] = False  # the last word's unused bytes count nothing
        whole, rest = divmod(words, _GROUP)
        for k, edge in enumerate(edges):
            np.less_equal(gap, edge, out=flag[:used])
            packed = flag[: words * 8].view(np.uint64)
            np.add.reduce(
                packed[: whole * _GROUP].reshape(whole, _GROUP),
                axis=1,
                out=grouped[k, filled : filled + whole],
            )
            if rest:
                grouped[k, filled + whole] = np.add.reduce(packed[whole * _GROUP :])
        filled += whole + (1 if rest else 0)
    by_byte = grouped[:, :filled].view(np.uint8).reshape(n_edges, filled, 8)
    per_byte = by_byte.sum(axis=1, dtype=np.int64)  # byte b of a word is lane b % count
    return per_byte.reshape(n_edges, 8 // lanes.count, lanes.count).sum(axis=1)


PairArrays = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]  # first and second events
_SPLIT_FROM = 10_000  # events; below this, finding the pairs on one thread is as quick


def _close_pairs_by_row(
    points: FloatArray, dist_edges: FloatArray, workers: int
) -> list[PairArrays]:
    """The pairs of events within the last distance edge, per distance row (same location,
    then each band): two arrays of event numbers per row.

    With more than one worker the events are split in two at the median of their wider axis;
    each half's pairs are found on its own thread (scipy's k-d tree releases the GIL), and the
    pairs across the split with a dual-tree search between the halves.
    """
    # A hair beyond the last edge, then measured here: a pair exactly on an edge is in that
    # band, whatever rounding the tree's own test does.
    reach = float(dist_edges[-1]) * (1 + 1e-9)
    if workers < 2 or len(points) < _SPLIT_FROM:
        pairs = cKDTree(points).query_pairs(r=reach, output_type="ndarray")
        first, second = np.ascontiguousarray(pairs.T)
        return _rows(points, first, second, dist_edges)
    axis = int(np.argmax(np.ptp(points, axis=0)))
    left = points[:, axis] < np.median(points[:, axis])
    halves = [np.flatnonzero(left), np.flatnonzero(~left)]

    def within(half: npt.NDArray[np.intp], tree: cKDTree) -> list[PairArrays]:
        pairs = tree.query_pairs(r=reach, output_type="ndarray")
        first, second = np.ascontiguousarray(pairs.T)
        return _rows(points, half[first], half[second], dist_edges)

    with ThreadPoolExecutor(max_workers=2) as pool:
        trees = list(pool.map(lambda half: cKDTree(points[half]), halves))
        parts = list(pool.map(within, halves, trees))
    pairs = trees[0].sparse_distance_matrix(trees[1], reach, output_type="ndarray")
    parts.append(_rows(points, halves[0][pairs["i"]], halves[1][pairs["j"]], dist_edges))
    return [
        (np.concatenate([f for f, _ in row]), np.concatenate([s for _, s in row]))
        for row in zip(*parts, strict=True)
    ]


def _rows(
    points: FloatArray,
    first: npt.NDArray[np.intp],
    second: npt.NDArray[np.intp],
    dist_edges: FloatArray,
) -> list[PairArrays]:
    """Pairs sorted into distance rows: (first, second) of row 0, of row 1, and so on.
    Distances are compared squared (d <= e as d^2 <= e^2), saving a square root per pair, and
    pairs beyond the last edge are dropped."""
    x, y = points[:, 0], points[:, 1]
    squared = np.take(x, first, mode="clip")
    squared -= np.take(x, second, mode="clip")
    squared *= squared
    dy = np.take(y, first, mode="clip")
    dy -= np.take(y, second, mode="clip")
    dy *= dy
    squared += dy
    del dy  # dense data can have tens of millions of close pairs
    limits = dist_edges**2
    keep = squared <= limits[-1]
    if not keep.all():
        squared, first, second = squared[keep], first[keep], second[keep]
    # Row 0 is the same location; then one row further for each edge the pair is beyond.
    rows = len(dist_edges) + 1
    row = np.zeros(len(squared), dtype=np.min_scalar_type(rows))
    row += squared > 0
    for limit in limits[:-1]:
        row += squared > limit
    out = []
    for r in range(rows):
        pick = np.flatnonzero(row == r)
        out.append((np.take(first, pick, mode="clip"), np.take(second, pick, mode="clip")))
    return out


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
    the days, seeded with ``seed``; ``workers`` threads for the pair search and the runs
    (default: one per CPU), which do not change the result.
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

    n = xs.size
    # Day numbers from the first day: a gap fits a 16-bit lane unless the events span 89 years.
    day_rel = day - (day.min() if n else 0)
    lanes = _lanes(int(day_rel.max()) if n else 0)
    day_small = day_rel.astype(lanes.dtype)
    edges = np.minimum(day_edges, np.iinfo(lanes.dtype).max).astype(lanes.dtype)

    workers = max(1, workers or (os.cpu_count() or 1))
    # Close pairs, found once: their distance row never changes between permutations. Events
    # are renumbered in a k-d tree's order, so that close events have close numbers: looking
    # up their days (and their coordinates) then stays in nearby memory.
    points = np.column_stack([xs, ys])
    tree_order = np.asarray(cKDTree(points).indices, dtype=np.intp)
    segments = _close_pairs_by_row(points[tree_order], dist_edges, workers)
    sizes = np.array([len(a) for a, _ in segments], dtype=np.int64)
    day_totals = _pairs_per_day_band(day, day_edges)

    def tables(batch: list[np.random.SeedSequence | None]) -> list[IntArray]:
        """The table of each arrangement of the days in `batch`, one per lane: the observed
        days (None) or a run's shuffle of them (the run's seed)."""
        columns = [day_small[tree_order if child is None else shuffled(child)] for child in batch]
        packed = np.empty((n, lanes.count), dtype=lanes.dtype)
        for lane in range(lanes.count):
            packed[:, lane] = columns[min(lane, len(columns) - 1)]  # spare lanes repeat one
        items = packed.view(_ITEM).reshape(n)
        within = np.stack(
            [_gaps_within(items, a, b, edges, lanes) for a, b in segments]
        )  # (rows, edges, lanes)
        out = []
        for lane in range(len(columns)):
            cumulative = np.column_stack([within[:, :, lane], sizes])
            close = np.diff(cumulative, axis=1, prepend=0)
            out.append(np.vstack([close, day_totals - close.sum(axis=0)]))
        return out

    def shuffled(child: np.random.SeedSequence) -> npt.NDArray[np.intp]:
        """A run's shuffle: event i takes the day of event permutation[i] (in tree order)."""
        return np.random.default_rng(child).permutation(n)[tree_order]

    # One seed per run, spawned from `seed`: the result does not depend on how runs are
    # scheduled over threads. NumPy releases the GIL in these loops, so threads use every core.
    # The observed days ride in the first lane of the first batch.
    arrangements: list[np.random.SeedSequence | None] = [
        None,
        *np.random.SeedSequence(seed).spawn(runs),
    ]
    batches = [arrangements[i : i + lanes.count] for i in range(0, len(arrangements), lanes.count)]
    with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
        found = [table for done in pool.map(tables, batches) for table in done]
    observed, simulated = found[0], np.stack(found[1:])
    sum_sim = simulated.sum(axis=0).astype(np.float64)
    at_least = (simulated >= observed).sum(axis=0)
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
