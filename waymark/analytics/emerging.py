"""Emerging hot spots: Gi* per time slice, a Mann-Kendall trend per cell, ArcGIS categories.

The space-time cube has one slice per week (weeks start on Monday, UTC) or calendar month, from
the first point's slice to the last one's, empty slices included. Every slice uses the same study
area and weights as `hotspots` (the k-rings of cells occupied in any slice). The categories follow
ArcGIS Pro's Emerging Hot Spot Analysis; their definitions are in docs/how-to/hotspots.md.

Pure numpy / scipy / h3: no Django (house style 7).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from waymark.analytics.hotspots import bin_points, fdr_bh, gi_star, grid_build

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
_EPOCH_MONDAY_OFFSET = 3  # 1970-01-01 was a Thursday


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
    occurred_at: npt.NDArray[np.datetime64], interval: Interval
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.datetime64]]:
    """Each point's slice number from 0, and the start of each slice."""
    days = occurred_at.astype("datetime64[D]").astype(np.int64)
    if interval == "week":
        key = (days + _EPOCH_MONDAY_OFFSET) // 7
        first, last = int(key.min()), int(key.max())
        starts = (np.arange(first, last + 1) * 7 - _EPOCH_MONDAY_OFFSET).astype("datetime64[D]")
    elif interval == "month":
        key = occurred_at.astype("datetime64[M]").astype(np.int64)
        first, last = int(key.min()), int(key.max())
        starts = np.arange(first, last + 1).astype("datetime64[M]").astype("datetime64[D]")
    else:
        raise ValueError(f"unknown interval {interval!r}: use week or month")
    return (key - first).astype(np.int64), starts


def mann_kendall(series: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Mann-Kendall trend test down axis 0 of a (time, cells) array: z and two-sided p.

    S = sum over i<j of sign(x_j - x_i); Var(S) = (n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18 over
    groups of t tied values; z uses the continuity correction (S - sign(S)) / sqrt(Var(S)).
    """
    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    t, m = x.shape
    s = np.zeros(m)
    for i in range(t - 1):
        s += np.sign(x[i + 1 :] - x[i]).sum(axis=0)
    ordered = np.sort(x, axis=0)
    starts = np.ones_like(ordered, dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    run = np.cumsum(starts, axis=0) - 1  # run number within each column
    flat = (np.arange(m)[None, :] * t + run).ravel()
    sizes = np.bincount(flat, minlength=m * t).reshape(m, t).astype(np.float64)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var = (t * (t - 1) * (2 * t + 5) - ties) / 18.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
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
) -> EmergingResult:
    """Gi* per slice; a slice is hot (cold) where z > 0 (< 0) and its BH-adjusted p < alpha."""
    point_cells = bin_points(lat, lon, resolution)
    grid = grid_build(np.unique(point_cells), k)
    n = len(grid.cells)
    if len(point_cells) == 0:
        empty = np.zeros((0, 0))
        return EmergingResult(
            grid.cells, np.array([], "datetime64[D]"), empty.astype(np.int64), empty, empty,
            empty.astype(bool), empty.astype(bool), np.zeros(0), np.zeros(0), [],
        )  # fmt: skip
    when, starts = slice_index(np.asarray(occurred_at, dtype="datetime64[s]"), interval)
    counts = np.zeros((len(starts), n), dtype=np.int64)
    idx = np.fromiter((grid.index[c] for c in point_cells.tolist()), np.int64, len(point_cells))
    np.add.at(counts, (when, idx), 1)
    z = gi_star(counts.astype(np.float64), grid.weights)
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_fdr = np.vstack([fdr_bh(row) for row in p]) if len(p) else p
    hot = (p_fdr < alpha) & (z > 0)
    cold = (p_fdr < alpha) & (z < 0)
    trend_z, trend_p = mann_kendall(z)
    category = [
        classify_series(hot[:, i], cold[:, i], float(trend_z[i]), float(trend_p[i]), trend_alpha)
        for i in range(n)
    ]
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
        category=category,
    )
