"""Emerging hot spots on a space-time cube: Gi* over space-time neighbourhoods, standardised
over the whole cube; Benjamini-Hochberg over the whole cube; a Mann-Kendall trend per cell; and
ArcGIS Pro's categories.

The cube. One slice per week (weeks start on Monday, UTC) or calendar month, from the first
point's slice to the last one's, empty slices included; or, given `end`, slices that end on that
day (see `slice_index`). Its cells are the study area of `hotspots` (the k-rings of the cells
occupied in any slice); a bin is one cell in one slice, and every bin is counted, empty or not.

The statistic, as ArcGIS's Emerging Hot Spot Analysis and R's sfdep compute it. Bin (i, s)'s
neighbourhood is every bin (j, u) with j in the k-ring of i (i included) and u in the slices
s - time_steps, ..., s: its own slice and the `time_steps` before it. The first `time_steps`
slices have fewer slices behind them, so their neighbourhoods are smaller (nothing is padded).
Weights are binary and Gi* is the star form, with the mean and standard deviation taken over
all N bins of the cube:

    z = (S - xbar W) / (sd sqrt((N W - W^2) / (N - 1)))

where S is the neighbourhood's count and W the number of bins in it. That is
esda.G_Local(transform="B", star=True) on the space-time graph (see the tests).

Significance. Each bin's two-sided normal p is adjusted by Benjamini-Hochberg over all N bins
(on by default; `fdr=False` leaves p unadjusted), and each bin is classed at 99, 95 and 90%
confidence (+3..+1 hot, -1..-3 cold). A bin is hot (cold) for the categories where z > 0 (< 0)
and its p is below `alpha` (0.10: 90%, as ArcGIS).

Speed and memory. A national cube is 52 slices of over a million cells, so the work goes slice
by slice or block of cells by block, with no dense (slices x cells) float temporaries beyond
the results themselves:

- The space-time sums are one sparse product with the spatial weights per slice, written into
  the z array itself, then a running sum over `time_steps + 1` slices (a cumulative sum less the
  one `time_steps + 1` slices back). No neighbour lists of the cube are built.
- With binary weights a bin's z depends only on its neighbourhood's count and size, two whole
  numbers, so a table over those pairs gives every bin its z and its rank among the cube's
  distinct z-scores without sorting any bin's (sorting each slice is the fallback where the
  counts are too large for a table).
- Counts are small whole numbers, so the cube's z-scores take few distinct values. The p-value
  and its Benjamini-Hochberg adjustment are worked out once per distinct z-score, with its
  multiplicity over the cube. Equal p-values always share one adjusted value, so this is the
  adjustment of every bin, not an approximation.
- Mann-Kendall and the categories work on each z-score's rank among the cube's distinct
  z-scores (see `emerging_trends`).

Pure numpy / scipy / h3: no Django (house style 7).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from waymark.analytics.emerging_trends import (
    _BLOCK_CELLS,
    CATEGORIES,
    NO_PATTERN,
    PATTERNS,
    _in_threads,
    _mann_kendall_z,
    _rank_dtype,
    _sign_sums,
    classify_cells,
    classify_series,
    mann_kendall,
)
from waymark.analytics.hotspots import Grid, cell_ids, grid_build

__all__ = [
    "CATEGORIES",
    "CONFIDENCE_LEVELS",
    "DEFAULT_TIME_STEPS",
    "NO_PATTERN",
    "PATTERNS",
    "EmergingResult",
    "classify_cells",
    "classify_series",
    "emerging_hotspots",
    "emerging_on_grid",
    "mann_kendall",
    "months_back",
    "slice_index",
    "space_time_gi_star",
]

Interval = Literal["week", "month"]

DEFAULT_TIME_STEPS = 1  # ArcGIS's "Neighborhood Time Step" default
CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # class magnitude, p below this

_EPOCH_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday

# Odd 64-bit multipliers for `_index_of`'s hash (Fibonacci hashing and SplitMix64's constants).
_HASH_MULTIPLIERS = tuple(
    np.uint64(m)
    for m in (
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x2545F4914F6CDD1D,
        0x9FB21C651E98DF25,
    )
)


@dataclass(frozen=True)
class EmergingResult:
    cells: npt.NDArray[np.str_]
    slices: npt.NDArray[np.datetime64]  # start of each slice
    counts: npt.NDArray[np.int64]  # (slices, cells)
    z: npt.NDArray[np.float64]  # (slices, cells): space-time Gi*, standardised over the cube
    p_fdr: npt.NDArray[np.float64]  # (slices, cells): BH over the cube; plain p if not `fdr`
    cls: npt.NDArray[np.int8]  # (slices, cells): +3/+2/+1 hot at 99/95/90%, -1..-3 cold, 0
    hot: npt.NDArray[np.bool_]  # (slices, cells): z > 0 and p_fdr < alpha
    cold: npt.NDArray[np.bool_]
    trend_z: npt.NDArray[np.float64]
    trend_p: npt.NDArray[np.float64]
    category: list[str]  # e.g. "new hot spot", "persistent cold spot", "no pattern"
    time_steps: int = DEFAULT_TIME_STEPS
    fdr: bool = True


def slice_index(
    occurred_at: npt.NDArray[np.datetime64],
    interval: Interval,
    end: np.datetime64 | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.datetime64]]:
    """Each point's slice number from 0, and the first day of each slice.

    Without `end`, slices are calendar weeks (from Monday) or calendar months, from the first
    point's slice to the last one's. With `end` (a day), slices are aligned to end on it, as
    ArcGIS's space-time cube aligns to its end time by default: the final slice is the 7 days
    or the month up to and including `end`, so the latest slice is always a whole one.
    """
    days = _day_numbers(occurred_at)
    if interval not in ("week", "month"):
        raise ValueError(f"unknown interval {interval!r}: use week or month")
    if end is not None:
        return _slice_index_to_end(days, interval, np.datetime64(end).astype("datetime64[D]"))
    if interval == "week":
        key = (days + _EPOCH_MONDAY_OFFSET) // 7
        first, last = int(key.min()), int(key.max())
        starts = (np.arange(first, last + 1) * 7 - _EPOCH_MONDAY_OFFSET).astype("datetime64[D]")
    else:
        key = occurred_at.astype("datetime64[M]").astype(np.int64)
        first, last = int(key.min()), int(key.max())
        starts = np.arange(first, last + 1).astype("datetime64[M]").astype("datetime64[D]")
    return (key - first).astype(np.int64), starts


_UNITS_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000}


def _day_numbers(stamps: npt.NDArray[np.datetime64]) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 (floored, as a cast to datetime64[D] floors), by integer division
    where the unit allows: ten times quicker than the cast for a million timestamps."""
    unit, count = np.datetime_data(stamps.dtype)
    per_day = _UNITS_PER_DAY.get(unit)
    if per_day is None or per_day % count:
        return stamps.astype("datetime64[D]").astype(np.int64)
    return stamps.view(np.int64) // (per_day // count)


def months_back(day: np.datetime64, months: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    """`day` moved back by each number of months, the day of month clamped to the month's end."""
    month = day.astype("datetime64[M]")
    day_of_month = int((day - month.astype("datetime64[D]")).astype(np.int64))
    target = month - months.astype("timedelta64[M]")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(
        np.int64
    )
    return target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)


def _slice_index_to_end(
    days: npt.NDArray[np.int64], interval: Interval, end: np.datetime64
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.datetime64]]:
    after = end + np.timedelta64(1, "D")  # slices are [start, next start), the last up to `end`
    if len(days) and int(days.max()) >= int(after.astype(np.int64)):
        raise ValueError(f"a point falls after the end of the period ({end})")
    first = int(days.min()) if len(days) else int(end.astype(np.int64))
    if interval == "week":
        back = (int(after.astype(np.int64)) - first + 6) // 7  # slices needed to reach `first`
        starts = after - (np.arange(back, 0, -1) * 7).astype("timedelta64[D]")
    else:
        back = 1
        while months_back(after, np.array([back]))[0].astype(np.int64) > first:
            back += 1
        starts = months_back(after, np.arange(back, 0, -1, dtype=np.int64))
    index = np.searchsorted(starts.astype(np.int64), days, side="right") - 1
    return index.astype(np.int64), starts.astype("datetime64[D]")


def _fdr_bh_grouped(
    p: npt.NDArray[np.float64], count: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values when `count[i]` tests share p-value `p[i]`.

    Tests with equal p-values share one adjusted value, min over j >= k of p_(j) m / j taken
    at the last rank of their group, so each group needs one term: the same adjustment, in
    the same arithmetic, as `fdr_bh` over every test. Groups with no tests get 1.
    """
    present = np.flatnonzero(count)
    order = present[np.argsort(p[present], kind="stable")]
    m = int(count.sum())
    last_rank = np.cumsum(count[order])
    scaled = p[order] * (m / last_rank)
    adjusted = np.ones(len(p))
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


def _index_of(
    x: npt.NDArray[np.float64],
    present: npt.NDArray[np.float64],
    distinct: npt.NDArray[np.float64],
) -> npt.NDArray[np.intp]:
    """The position in `distinct` (sorted, unique) of each value of `x`, whose distinct values
    are `present`.

    A slice has few distinct z-scores, so a multiplicative hash of their bit patterns with no
    collisions is quickly found, and a table look-up replaces a binary search per cell (several
    times quicker where the z-scores vary). The result is checked; np.searchsorted is the
    fallback when no such hash is found or the check fails.
    """
    keys = present.view(np.uint64)
    bits = min(16, max(4, 2 * len(present).bit_length()))
    shift = np.uint64(64 - bits)
    for multiplier in _HASH_MULTIPLIERS:
        slots = (keys * multiplier) >> shift
        if len(np.unique(slots)) < len(slots):
            continue
        table = np.zeros(1 << bits, dtype=np.intp)
        table[slots.astype(np.intp)] = np.searchsorted(distinct, present)
        hashed = x.view(np.uint64) * multiplier
        hashed >>= shift
        index = np.take(table, hashed.view(np.intp))
        if np.array_equal(distinct[index], x):
            return index
        break
    return np.searchsorted(distinct, x)


def _neighbourhood_slices(slices: int, time_steps: int) -> npt.NDArray[np.float64]:
    """How many slices each slice's neighbourhood spans: its own and up to `time_steps` before
    it (fewer for the first slices, which have fewer before them)."""
    return (np.minimum(np.arange(slices), time_steps) + 1).astype(np.float64)


_KEY_TABLE_LIMIT = 1 << 24  # (sum, size) pairs a look-up table may hold: 80 MB of tables


def _space_time_z(
    counts: npt.NDArray[np.int64], grid: Grid, time_steps: int, z: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.signedinteger], npt.NDArray[np.int64]]:
    """Fill `z` (slices, cells) with each bin's space-time Gi*. Returns the cube's distinct
    z-scores (sorted), each bin's rank among them, and how many bins hold each.

    First the spatial sum of every slice, W @ counts[s], one sparse product each, written into
    `z`; then, in place, the sum over the slice and the `time_steps` before it (a running sum:
    the cumulative sum less the one `time_steps + 1` slices back, descending so that what is
    subtracted is still cumulative). The values are whole numbers in floats, so this is exact.
    Last, every bin is standardised with the mean and variance of the whole cube.
    """
    slices, n = counts.shape

    def spatial_sum(s: int) -> tuple[int, int]:
        row = counts[s]
        z[s] = grid.weights @ row.astype(np.float64)
        return int(row.sum()), int(np.dot(row, row))

    moments = _in_threads(spatial_sum, range(slices))
    if time_steps > 0:
        for s in range(1, slices):
            z[s] += z[s - 1]
        for s in range(slices - 1, time_steps, -1):
            z[s] -= z[s - time_steps - 1]
    bins = slices * n
    total = sum(m[0] for m in moments)
    squares = sum(m[1] for m in moments)
    mean = total / bins
    sd = float(np.sqrt(max(bins * squares - total * total, 0) / bins**2))  # exact in integers
    spans = _neighbourhood_slices(slices, time_steps)

    def score(
        sums: npt.NDArray[np.float64],
        weight: npt.NDArray[np.float64],
        squared: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.float64]:
        denom = sd * np.sqrt(np.maximum(bins * squared - weight**2, 0.0) / max(bins - 1, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            standard = (sums - mean * weight) / denom
        return np.asarray(np.where(denom > 1e-12 * max(abs(mean), 1.0), standard, 0.0))

    # With binary weights a bin's z depends only on its neighbourhood's sum S and size W, two
    # whole numbers: key = S (W_max + 1) + W. A table over the keys in use gives each bin its
    # rank at once, and z is worked out once per key; no bin's z is sorted.
    size = grid.row_sum.astype(np.int64)
    base = int(size.max(initial=0)) * (time_steps + 1) + 1
    largest = (int(z.max(initial=0.0)) + 1) * base
    if grid.binary and largest <= _KEY_TABLE_LIMIT:
        return _rank_by_key(z, size, spans.astype(np.int64), base, largest, score)

    # Otherwise each slice's distinct z-scores, sorted, and a look-up among them.
    def standardise(s: int) -> npt.NDArray[np.float64]:
        z[s] = score(z[s], grid.row_sum * spans[s], grid.row_sq * spans[s])
        return np.unique(z[s])

    present = _in_threads(standardise, range(slices))
    distinct = np.unique(np.concatenate(present))
    ranks = np.empty((slices, n), dtype=_rank_dtype(len(distinct)))

    def rank(s: int) -> npt.NDArray[np.int64]:
        index = _index_of(z[s], present[s], distinct)
        ranks[s] = index
        return np.bincount(index, minlength=len(distinct))

    return distinct, ranks, np.sum(_in_threads(rank, range(slices)), axis=0)


def _rank_by_key(
    z: npt.NDArray[np.float64],
    size: npt.NDArray[np.int64],
    spans: npt.NDArray[np.int64],
    base: int,
    largest: int,
    score: Callable[..., npt.NDArray[np.float64]],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.signedinteger], npt.NDArray[np.int64]]:
    """`_space_time_z`'s ranks through a table of (sum, size) keys below `largest`; `z` holds
    the sums, and is given the z-scores."""
    slices, n = z.shape
    used = np.zeros(largest, dtype=bool)

    def keys(s: int) -> npt.NDArray[np.int64]:
        key = z[s].astype(np.int64)
        key *= base
        key += size * spans[s]
        return key

    def mark(s: int) -> None:
        used[keys(s)] = True

    _in_threads(mark, range(slices))
    present = np.flatnonzero(used)
    sums, weight = np.divmod(present, base)
    weight_f = weight.astype(np.float64)
    distinct, key_rank = np.unique(
        score(sums.astype(np.float64), weight_f, weight_f), return_inverse=True
    )
    position = np.zeros(largest, dtype=np.int32)
    position[present] = key_rank
    ranks = np.empty((slices, n), dtype=_rank_dtype(len(distinct)))

    def rank(s: int) -> npt.NDArray[np.int64]:
        index = position[keys(s)]
        ranks[s] = index
        np.take(distinct, index, out=z[s])
        return np.bincount(index, minlength=len(distinct))

    return distinct, ranks, np.sum(_in_threads(rank, range(slices)), axis=0)


def space_time_gi_star(
    counts: npt.ArrayLike, grid: Grid, time_steps: int = DEFAULT_TIME_STEPS
) -> npt.NDArray[np.float64]:
    """Space-time Gi* z-scores of a (slices, cells) cube of counts on `grid`'s cells (see the
    module's docstring for the neighbourhood and the standardisation)."""
    if int(time_steps) != time_steps or time_steps < 0:
        raise ValueError("time_steps must be a whole number of 0 or more")
    cube = np.ascontiguousarray(counts, dtype=np.int64)
    z = np.empty(cube.shape)
    _space_time_z(cube, grid, int(time_steps), z)
    return z


def _classes(distinct: npt.NDArray[np.float64], p: npt.NDArray[np.float64]) -> npt.NDArray[np.int8]:
    """+3/+2/+1 where z > 0 and p is below 0.01/0.05/0.10; negative for z < 0; else 0."""
    magnitude = np.zeros(len(p), dtype=np.int8)
    for level, largest in CONFIDENCE_LEVELS:
        magnitude[(p < largest) & (magnitude == 0)] = level
    return np.asarray(magnitude * np.sign(distinct).astype(np.int8), dtype=np.int8)


def emerging_hotspots(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    occurred_at: npt.NDArray[np.datetime64],
    *,
    interval: Interval = "week",
    resolution: int = 9,
    k: int = 1,
    time_steps: int = DEFAULT_TIME_STEPS,
    alpha: float = 0.10,
    fdr: bool = True,
    trend_alpha: float = 0.05,
    end: np.datetime64 | None = None,
) -> EmergingResult:
    """Space-time Gi* over the cube; a bin is hot (cold) where z > 0 (< 0) and its p, adjusted
    by Benjamini-Hochberg over the whole cube unless `fdr` is False, is below `alpha`.

    `time_steps` is how many earlier slices each bin's neighbourhood reaches back (ArcGIS's
    Neighborhood Time Step; 0 is Gi* within each slice, standardised over the cube). `end`
    aligns the slices to end on that day (see `slice_index`); points after it are an error.
    """
    if int(time_steps) != time_steps or time_steps < 0:
        raise ValueError("time_steps must be a whole number of 0 or more")
    time_steps = int(time_steps)
    ids = cell_ids(lat, lon, resolution)
    if len(ids) == 0:
        grid = grid_build(ids, k)
        empty = np.zeros((0, 0))
        return EmergingResult(
            grid.cells, np.array([], "datetime64[D]"), empty.astype(np.int64), empty, empty,
            empty.astype(np.int8), empty.astype(bool), empty.astype(bool), np.zeros(0),
            np.zeros(0), [], time_steps, fdr,
        )  # fmt: skip
    when, starts = slice_index(np.asarray(occurred_at, dtype="datetime64[s]"), interval, end)
    if len(when) != len(ids):
        raise ValueError("lat, lon and occurred_at differ in length")
    # The points in cell order: the distinct cells fall out, and the cells' grid positions are
    # found with ordered look-ups, which stay in cache on a national grid.
    order = np.argsort(ids)
    ordered = ids[order]
    first = np.ones(len(ordered), dtype=bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    occupied = ordered[first]
    grid = grid_build(occupied, k)
    n, slices = len(grid.cells), len(starts)
    position = np.searchsorted(grid.ids, occupied)[np.cumsum(first) - 1]
    counts = np.bincount(when[order] * n + position, minlength=slices * n).reshape(slices, n)

    return emerging_on_grid(
        grid,
        counts,
        starts,
        time_steps=time_steps,
        alpha=alpha,
        fdr=fdr,
        trend_alpha=trend_alpha,
    )


def emerging_on_grid(
    grid: Grid,
    counts: npt.NDArray[np.int64],
    starts: npt.NDArray[np.datetime64],
    *,
    time_steps: int = DEFAULT_TIME_STEPS,
    alpha: float = 0.10,
    fdr: bool = True,
    trend_alpha: float = 0.05,
) -> EmergingResult:
    """Emerging hot spots of a cube of counts: (slices, cells) on `grid`'s cells, the slices
    starting on `starts`."""
    if int(time_steps) != time_steps or time_steps < 0:
        raise ValueError("time_steps must be a whole number of 0 or more")
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    slices, n = counts.shape
    if (n, slices) != (len(grid), len(starts)):
        raise ValueError("the cube's shape is not (slices, cells of the grid)")
    z = np.empty((slices, n))
    distinct, ranks, multiplicity = _space_time_z(counts, grid, int(time_steps), z)
    p_distinct = 2.0 * stats.norm.sf(np.abs(distinct))
    q = _fdr_bh_grouped(p_distinct, multiplicity) if fdr else p_distinct
    cls_distinct = _classes(distinct, q)
    hot_distinct = (q < alpha) & (distinct > 0)
    cold_distinct = (q < alpha) & (distinct < 0)
    p_fdr = np.empty((slices, n))
    cls = np.empty((slices, n), dtype=np.int8)
    hot = np.empty((slices, n), dtype=bool)
    cold = np.empty((slices, n), dtype=bool)

    def adjust(s: int) -> None:
        np.take(q, ranks[s], out=p_fdr[s])
        np.take(cls_distinct, ranks[s], out=cls[s])
        np.take(hot_distinct, ranks[s], out=hot[s])
        np.take(cold_distinct, ranks[s], out=cold[s])

    _in_threads(adjust, range(slices))
    trend_z = np.empty(n)
    trend_p = np.empty(n)
    category = np.empty(n, dtype=np.int8)

    def trend_and_category(lo: int) -> None:
        cells = slice(lo, min(lo + _BLOCK_CELLS, n))
        s, ties = _sign_sums(np.ascontiguousarray(ranks[:, cells]))
        trend_z[cells], trend_p[cells] = _mann_kendall_z(slices, s, ties)
        category[cells] = classify_cells(
            hot[:, cells], cold[:, cells], trend_z[cells], trend_p[cells], trend_alpha
        )

    _in_threads(trend_and_category, range(0, n, _BLOCK_CELLS))
    return EmergingResult(
        cells=grid.cells,
        slices=starts,
        counts=counts,
        z=z,
        p_fdr=p_fdr,
        cls=cls,
        hot=hot,
        cold=cold,
        trend_z=trend_z,
        trend_p=trend_p,
        category=np.array(CATEGORIES, dtype=object)[category].tolist(),
        time_steps=int(time_steps),
        fdr=fdr,
    )
