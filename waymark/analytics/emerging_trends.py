"""Emerging hot spots' trend and categories: Mann-Kendall per cell, and ArcGIS's patterns.

`emerging.py` builds the space-time cube and its Gi* z-scores; this module turns each cell's
series of significant slices and its z-scores into one of ArcGIS Pro's categories (definitions
in docs/how-to/hotspots.md).

- Mann-Kendall needs only the order of a cell's z-scores, so it runs on integer ranks (16 bits
  where they fit). The O(slices^2) sign sums run on small integers, a block of cells at a time,
  with the same result as on the floats.
- The categories are decided for all cells at once (`classify_cells`); `classify_series` is the
  one-cell definition that it is tested against.

Pure numpy / scipy: no Django (house style 7).
"""

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy import stats

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
_BLOCK_CELLS = 8192  # cells per Mann-Kendall block: its working set stays in a core's cache

_T = TypeVar("_T")
_R = TypeVar("_R")


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
    # A cold slice before (with the final slice hot): oscillating, whatever came between. ArcGIS
    # calls a hot spot "new" or "consecutive" when it was never hot before, and "oscillating"
    # when it was once cold; where both hold, oscillating says more (sfdep decides the same).
    if cold.any():
        return "oscillating"
    if not bool(hot[: before + 1].any()):
        return "new" if run == 1 else "consecutive"
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
    first_run = recent & ~earlier_hot & ~cold_any
    pattern = np.full(hot.shape[1], -1, dtype=np.int8)
    for name, where in (
        ("historical", ~final & mostly),
        ("intensifying", final & mostly & rising),
        ("diminishing", final & mostly & falling),
        ("persistent", final & mostly & ~rising & ~falling),
        ("new", first_run & (count == 1)),
        ("consecutive", first_run & (count > 1)),
        ("oscillating", recent & cold_any),
        ("sporadic", recent & earlier_hot & ~cold_any),
    ):
        pattern[where] = PATTERNS.index(name)
    return pattern


def _count_true(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.signedinteger]:
    """True values down each column; in bytes when they fit, which is several times quicker."""
    if mask.shape[0] <= np.iinfo(np.int8).max:
        return np.add.reduce(mask.view(np.int8), axis=0, dtype=np.int8)
    return np.add.reduce(mask, axis=0, dtype=np.int32)
