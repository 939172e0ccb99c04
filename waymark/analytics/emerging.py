"""Emerging hot spots: Gi* per time slice, a Mann-Kendall trend per cell, ArcGIS categories.

The space-time cube has one slice per week (weeks start on Monday, UTC) or calendar month, from
the first point's slice to the last one's, empty slices included; or, given `end`, slices that
end on that day (see `slice_index`). Every slice uses the same study area and weights as
`hotspots` (the k-rings of cells occupied in any slice). The categories follow ArcGIS Pro's
Emerging Hot Spot Analysis; their definitions are in docs/how-to/hotspots.md.

Speed and memory. A national cube is 52 slices of over a million cells, so the work goes slice
by slice or block of cells by block, with no dense (slices x cells) float temporaries beyond
the results themselves, and the costly steps run on distinct z-scores rather than on cells:

- Counts are small whole numbers, so within a slice Gi* takes few distinct values. The two-sided
  p-value and its Benjamini-Hochberg adjustment are worked out once per distinct z-score, with
  its multiplicity. Equal p-values always share one adjusted value, so this is the adjustment
  of every cell, not an approximation.
- Mann-Kendall needs only the order of a cell's z-scores, so each z-score is replaced by its rank
  among the distinct z-scores of the whole cube (16 bits where they fit). The O(slices^2) sign
  sums then run on small integers, a block of cells at a time, with the same result as on the
  floats.
- The categories are decided for all cells at once (`classify_cells`); `classify_series` is the
  one-cell definition that it is tested against.

Pure numpy / scipy / h3: no Django (house style 7).
"""

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

from waymark.analytics.hotspots import cell_ids, gi_star, grid_build

Interval = Literal["week", "month"]

PATTERNS = (
    "new",
    "consecutive",
    "intensifying",
    "persistent",
    "diminishing",
    "sporadic",
    "oscillating",
    "historical",
)
NO_PATTERN = "no pattern"
# Category codes: a pattern's index in PATTERNS for a hot spot, that plus len(PATTERNS) for a
# cold spot, and 2 * len(PATTERNS) for no pattern.
CATEGORIES = (
    *(f"{pattern} hot spot" for pattern in PATTERNS),
    *(f"{pattern} cold spot" for pattern in PATTERNS),
    NO_PATTERN,
)
_EPOCH_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday
_BLOCK_CELLS = 8192  # cells per Mann-Kendall block: its working set stays in a core's cache

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

_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass(frozen=True)
class EmergingResult:
    cells: npt.NDArray[np.str_]
    slices: npt.NDArray[np.datetime64]  # start of each slice
    counts: npt.NDArray[np.int64]  # (slices, cells)
    z: npt.NDArray[np.float64]  # (slices, cells)
    p_fdr: npt.NDArray[np.float64]  # (slices, cells), BH within each slice
    hot: npt.NDArray[np.bool_]  # (slices, cells): z > 0 and p_fdr < alpha
    cold: npt.NDArray[np.bool_]
    trend_z: npt.NDArray[np.float64]
    trend_p: npt.NDArray[np.float64]
    category: list[str]  # e.g. "new hot spot", "persistent cold spot", "no pattern"


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


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _in_threads(work: Callable[[_T], _R], items: Iterable[_T]) -> list[_R]:
    """`work` over `items` on one thread per core; numpy and scipy release the GIL in the
    array loops, so the cores share the work."""
    todo = list(items)
    workers = min(_cores(), len(todo))
    if workers <= 1:
        return [work(item) for item in todo]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(work, todo))


def mann_kendall(series: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mann-Kendall trend test down axis 0 of a (time, cells) array of finite values: z and
    two-sided p.

    S = sum over i<j of sign(x_j - x_i); Var(S) = (n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18 over
    groups of t tied values; z uses the continuity correction (S - sign(S)) / sqrt(Var(S)).
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    if x.size == 0:
        return _mann_kendall_ranks(np.zeros(x.shape, dtype=np.int16))
    distinct, rank = np.unique(x, return_inverse=True)
    return _mann_kendall_ranks(rank.reshape(x.shape).astype(_rank_dtype(len(distinct))))


def _rank_dtype(distinct: int) -> type[np.signedinteger]:
    return np.int16 if distinct <= np.iinfo(np.int16).max else np.int32


def _mann_kendall_ranks(
    ranks: npt.NDArray[np.signedinteger],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mann-Kendall from (time, cells) ranks: any values in the same order, ties included."""
    t, m = ranks.shape
    s = np.zeros(m, dtype=np.int64)
    ties = np.zeros(m, dtype=np.int64)

    def block(lo: int) -> None:
        hi = min(lo + _BLOCK_CELLS, m)
        s[lo:hi], ties[lo:hi] = _sign_sums(np.ascontiguousarray(ranks[:, lo:hi]))

    _in_threads(block, range(0, m, _BLOCK_CELLS))
    return _mann_kendall_z(t, s, ties)


def _sign_sums(
    ranks: npt.NDArray[np.signedinteger],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """S and the tie term sum t(t-1)(2t+5) of each column of a (time, cells) block.

    Row i is compared with the rows after it: `above` of them are greater, `below` smaller, and
    f = later - above - below equal. Over a group of t equal values, f runs t-1, ..., 1, 0, and
    6 f (f + 2) summed over them is t(t-1)(2t+5): the tie term comes from the same counts.
    """
    t, c = ranks.shape
    s = np.zeros(c, dtype=np.int64)
    ties = np.zeros(c, dtype=np.int64)
    greater = np.empty((t, c), dtype=bool)
    less = np.empty((t, c), dtype=bool)
    small = t <= np.iinfo(np.int8).max  # counts of at most t - 1 fit in a byte
    for i in range(t - 1):
        later = t - 1 - i
        np.greater(ranks[i + 1 :], ranks[i], out=greater[:later])
        np.less(ranks[i + 1 :], ranks[i], out=less[:later])
        if small:
            above = np.add.reduce(greater[:later].view(np.int8), axis=0, dtype=np.int8)
            below = np.add.reduce(less[:later].view(np.int8), axis=0, dtype=np.int8)
        else:
            above = np.add.reduce(greater[:later], axis=0, dtype=np.int32)
            below = np.add.reduce(less[:later], axis=0, dtype=np.int32)
        up = above.astype(np.int64)
        down = below.astype(np.int64)
        s += up - down
        equal = later - up - down
        ties += 6 * equal * (equal + 2)
    return s, ties


def _mann_kendall_z(
    t: int, s: npt.NDArray[np.int64], ties: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    score = s.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (score - np.sign(score)) / np.sqrt(var), 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p


def classify_series(
    hot: npt.NDArray[np.bool_],
    cold: npt.NDArray[np.bool_],
    trend_z: float,
    trend_p: float,
    trend_alpha: float = 0.05,
) -> str:
    """One cell's ArcGIS category from its per-slice significance and its Mann-Kendall trend.

    `hot` and `cold` are boolean per slice, oldest first. Hot patterns are tested first; cold
    patterns are the same tests with hot and cold swapped and the trend reversed.
    """
    pattern = _pattern(hot, cold, trend_z, trend_p, trend_alpha)
    if pattern is not None:
        return f"{pattern} hot spot"
    pattern = _pattern(cold, hot, -trend_z, trend_p, trend_alpha)
    if pattern is not None:
        return f"{pattern} cold spot"
    return NO_PATTERN


def _pattern(
    hot: npt.NDArray[np.bool_],
    cold: npt.NDArray[np.bool_],
    trend_z: float,
    trend_p: float,
    trend_alpha: float,
) -> str | None:
    slices = len(hot)
    if slices == 0 or not hot.any():
        return None
    share = hot.sum() / slices
    mostly = share >= 0.9
    final = bool(hot[-1])
    rising = trend_p < trend_alpha and trend_z > 0
    falling = trend_p < trend_alpha and trend_z < 0
    if not final:
        return "historical" if mostly else None
    if mostly:
        if rising:
            return "intensifying"
        if falling:
            return "diminishing"
        return "persistent"
    # The final run of hot slices, and what came before it.
    before = slices - 1
    while before >= 0 and hot[before]:
        before -= 1
    run = slices - 1 - before
    earlier_hot = bool(hot[: before + 1].any())
    if not earlier_hot:
        return "new" if run == 1 else "consecutive"
    if cold.any():
        return "oscillating"
    return "sporadic"


def classify_cells(
    hot: npt.NDArray[np.bool_],
    cold: npt.NDArray[np.bool_],
    trend_z: npt.NDArray[np.float64],
    trend_p: npt.NDArray[np.float64],
    trend_alpha: float = 0.05,
) -> npt.NDArray[np.int8]:
    """`classify_series` for every cell at once: `hot` and `cold` are (slices, cells), oldest
    slice first. Returns each cell's index into CATEGORIES."""
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    z = np.asarray(trend_z, dtype=np.float64)
    significant = np.asarray(trend_p, dtype=np.float64) < trend_alpha
    category = np.full(hot.shape[1], 2 * len(PATTERNS), dtype=np.int8)
    if hot.shape[0] == 0:
        return category
    cold_any = np.asarray(cold.any(axis=0))
    hot_any = np.asarray(hot.any(axis=0))
    hot_pattern = _patterns(hot, cold_any, significant & (z > 0), significant & (z < 0))
    cold_pattern = _patterns(cold, hot_any, significant & (-z > 0), significant & (-z < 0))
    is_hot = hot_pattern >= 0
    is_cold = ~is_hot & (cold_pattern >= 0)
    category[is_hot] = hot_pattern[is_hot]
    category[is_cold] = cold_pattern[is_cold] + len(PATTERNS)
    return category


def _patterns(
    hot: npt.NDArray[np.bool_],
    cold_any: npt.NDArray[np.bool_],
    rising: npt.NDArray[np.bool_],
    falling: npt.NDArray[np.bool_],
) -> npt.NDArray[np.int8]:
    """`_pattern` for every cell at once: an index into PATTERNS, or -1 for none."""
    slices = hot.shape[0]
    count = _count_true(hot)
    final = hot[-1]
    mostly = count / slices >= 0.9
    recent = final & ~mostly
    # With the final slice hot, a hot slice followed by one that is not means a hot slice
    # before the final run.
    earlier_hot = np.logical_or.reduce(np.greater(hot[:-1], hot[1:]), axis=0)
    first_run = recent & ~earlier_hot
    pattern = np.full(hot.shape[1], -1, dtype=np.int8)
    for name, where in (
        ("historical", ~final & mostly),
        ("intensifying", final & mostly & rising),
        ("diminishing", final & mostly & falling),
        ("persistent", final & mostly & ~rising & ~falling),
        ("new", first_run & (count == 1)),
        ("consecutive", first_run & (count > 1)),
        ("oscillating", recent & earlier_hot & cold_any),
        ("sporadic", recent & earlier_hot & ~cold_any),
    ):
        pattern[where] = PATTERNS.index(name)
    return pattern


def _count_true(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.signedinteger]:
    """True values down each column; in bytes when they fit, which is several times quicker."""
    if mask.shape[0] <= np.iinfo(np.int8).max:
        return np.add.reduce(mask.view(np.int8), axis=0, dtype=np.int8)
    return np.add.reduce(mask, axis=0, dtype=np.int32)


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


def emerging_hotspots(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    occurred_at: npt.NDArray[np.datetime64],
    *,
    interval: Interval = "week",
    resolution: int = 9,
    k: int = 1,
    alpha: float = 0.10,
    trend_alpha: float = 0.05,
    end: np.datetime64 | None = None,
) -> EmergingResult:
    """Gi* per slice; a slice is hot (cold) where z > 0 (< 0) and its BH-adjusted p < alpha.

    `end` aligns the slices to end on that day (see `slice_index`); points after it are an error.
    """
    ids = cell_ids(lat, lon, resolution)
    if len(ids) == 0:
        grid = grid_build(ids, k)
        empty = np.zeros((0, 0))
        return EmergingResult(
            grid.cells, np.array([], "datetime64[D]"), empty.astype(np.int64), empty, empty,
            empty.astype(bool), empty.astype(bool), np.zeros(0), np.zeros(0), [],
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

    z = np.empty((slices, n))

    def z_scores(t: int) -> npt.NDArray[np.float64]:
        z[t] = gi_star(counts[t].astype(np.float64), grid)
        return np.unique(z[t])

    present = _in_threads(z_scores, range(slices))  # each slice's distinct z-scores
    distinct = np.unique(np.concatenate(present))
    p_distinct = 2.0 * stats.norm.sf(np.abs(distinct))
    ranks = np.empty((slices, n), dtype=_rank_dtype(len(distinct)))
    p_fdr = np.empty((slices, n))
    hot = np.empty((slices, n), dtype=bool)
    cold = np.empty((slices, n), dtype=bool)

    def adjust(t: int) -> None:
        rank = _index_of(z[t], present[t], distinct)
        q = _fdr_bh_grouped(p_distinct, np.bincount(rank, minlength=len(distinct)))
        np.take(q, rank, out=p_fdr[t])
        np.take((q < alpha) & (distinct > 0), rank, out=hot[t])
        np.take((q < alpha) & (distinct < 0), rank, out=cold[t])
        ranks[t] = rank

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
        hot=hot,
        cold=cold,
        trend_z=trend_z,
        trend_p=trend_p,
        category=np.array(CATEGORIES, dtype=object)[category].tolist(),
    )
