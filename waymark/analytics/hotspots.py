"""Hot spots: Getis-Ord Gi* over H3 cells, with Benjamini-Hochberg FDR.

Study area: every cell within `k` steps of a cell holding at least one point (the union of the
occupied cells' k-rings). Empty cells inside it count as zeros; cells outside it do not exist for
the statistic. Weights are binary over the k-ring including the cell itself (Gi*), so a cell's
neighbours are the study-area cells of its k-ring.

Pure numpy / scipy / h3: no Django (house style 7).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import h3
import numpy as np
import numpy.typing as npt
from scipy import sparse, stats

CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # class magnitude, largest p_fdr


@dataclass(frozen=True)
class Grid:
    """A study area: its cells (sorted H3 strings) and the binary Gi* neighbour matrix."""

    cells: npt.NDArray[np.str_]
    weights: sparse.csr_array
    index: dict[str, int]


@dataclass(frozen=True)
class HotspotResult:
    cells: npt.NDArray[np.str_]
    count: npt.NDArray[np.int64]
    z: npt.NDArray[np.float64]
    p: npt.NDArray[np.float64]
    p_fdr: npt.NDArray[np.float64]
    cls: npt.NDArray[np.int8]  # +3/+2/+1 hot at 99/95/90%, -1/-2/-3 cold, 0 not significant
    p_sim: npt.NDArray[np.float64] | None = None


def class_label(cls: int) -> str:
    if cls == 0:
        return "not significant"
    confidence = {1: 90, 2: 95, 3: 99}[abs(cls)]
    return f"{'hot' if cls > 0 else 'cold'} {confidence}%"


def bin_points(lat: npt.ArrayLike, lon: npt.ArrayLike, resolution: int = 9) -> npt.NDArray[np.str_]:
    """The H3 cell of each point. h3-py is scalar, so bin each distinct coordinate pair once."""
    coords = np.column_stack([np.asarray(lat, np.float64), np.asarray(lon, np.float64)])
    if len(coords) == 0:
        return np.array([], dtype=str)
    unique, inverse = np.unique(coords, axis=0, return_inverse=True)
    cells = np.array([h3.latlng_to_cell(a, b, resolution) for a, b in unique])
    return cells[inverse.reshape(-1)]


def grid_build(occupied: Sequence[str] | npt.NDArray[np.str_], k: int = 1) -> Grid:
    """The study area around the occupied cells and its binary k-ring weights (self included)."""
    if k < 0:
        raise ValueError("k must be 0 or more")
    occupied_set = set(np.asarray(occupied).tolist())
    area: set[str] = set()
    for cell in occupied_set:
        area.update(h3.grid_disk(cell, k))
    cells = np.array(sorted(area), dtype=str)
    index = {cell: i for i, cell in enumerate(cells.tolist())}
    rows: list[int] = []
    cols: list[int] = []
    for i, cell in enumerate(cells.tolist()):
        for neighbour in h3.grid_disk(cell, k):
            j = index.get(neighbour)
            if j is not None:
                rows.append(i)
                cols.append(j)
    n = len(cells)
    weights = sparse.csr_array(
        (np.ones(len(rows), dtype=np.float64), (np.array(rows), np.array(cols))), shape=(n, n)
    )
    return Grid(cells=cells, weights=weights, index=index)


def counts_on_grid(grid: Grid, point_cells: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    """Count points per study-area cell (points outside the study area are an error)."""
    idx = np.fromiter((grid.index[c] for c in point_cells.tolist()), np.int64, len(point_cells))
    return np.bincount(idx, minlength=len(grid.cells)).astype(np.int64)


def gi_star(x: npt.ArrayLike, weights: sparse.csr_array) -> npt.NDArray[np.float64]:
    """Analytical Getis-Ord Gi* z-scores (Getis & Ord 1995; the ArcGIS / esda `star` form).

    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))
    with xbar and S (population standard deviation) over all n cells. When every cell has the
    same value there is no clustering to find: z is 0.
    """
    values = np.asarray(x, dtype=np.float64)
    n = values.shape[-1]
    mean = values.mean(axis=-1, keepdims=True)
    s = np.sqrt(np.maximum((values**2).mean(axis=-1, keepdims=True) - mean**2, 0.0))
    row_sum = np.asarray(weights.sum(axis=1)).ravel()
    row_sq = np.asarray(weights.multiply(weights).sum(axis=1)).ravel()
    lag = (weights @ values.T).T
    denom_w = np.sqrt(np.maximum(n * row_sq - row_sum**2, 0.0) / max(n - 1, 1))
    denom = s * denom_w
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * row_sum) / denom
    z = np.where(denom > 1e-12 * np.maximum(np.abs(mean), 1.0), z, 0.0)
    return np.asarray(z, dtype=np.float64)


def fdr_bh(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values."""
    values = np.asarray(p, dtype=np.float64)
    if values.size == 0:
        return values.copy()
    return np.asarray(stats.false_discovery_control(values, method="bh"), dtype=np.float64)


def classify(
    z: npt.NDArray[np.float64], p_fdr: npt.NDArray[np.float64], fdr: float = 0.05
) -> npt.NDArray[np.int8]:
    """+/-3, 2, 1 for hot/cold at 99, 95, 90% confidence after FDR; only levels with q <= fdr."""
    cls = np.zeros(len(z), dtype=np.int8)
    for magnitude, q in sorted(CONFIDENCE_LEVELS, key=lambda level: level[0]):
        if q > fdr + 1e-12:
            continue
        significant = p_fdr <= q
        cls[significant] = np.sign(z[significant]).astype(np.int8) * magnitude
    return cls


def permutation_p(
    x: npt.NDArray[np.float64],
    weights: sparse.csr_array,
    permutations: int,
    seed: int | None = None,
) -> npt.NDArray[np.float64]:
    """Conditional-permutation pseudo p-values, folded as esda folds them: (extreme + 1)/(P + 1).

    For cell i, its own value stays and its k-ring neighbours are drawn without replacement from
    the other n - 1 cells. As in esda, one draw per permutation serves every cell (shifted past
    the cell itself), which keeps it vectorised. With binary weights the local sum is sufficient.
    """
    values = np.asarray(x, dtype=np.float64)
    n = len(values)
    rng = np.random.default_rng(seed)
    card = np.diff(weights.indptr) - 1  # neighbours other than the cell itself
    kmax = int(card.max()) if n else 0
    observed = weights @ values
    if kmax == 0 or n < 2:
        return np.ones(n)
    take = min(kmax, n - 1)
    mask = np.arange(take)[None, :] < card[:, None]
    own = np.arange(n)[:, None]
    larger = np.zeros(n, dtype=np.int64)
    for _ in range(permutations):
        draw = rng.choice(n - 1, size=take, replace=False)[None, :]
        idx = draw + (draw >= own)
        simulated = (values[idx] * mask).sum(axis=1) + values
        larger += simulated >= observed - 1e-12
    larger = np.minimum(larger, permutations - larger)
    return np.asarray((larger + 1) / (permutations + 1), dtype=np.float64)


def hotspots(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    resolution: int = 9,
    k: int = 1,
    fdr: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> HotspotResult:
    """Bin points to H3, then Gi* over the study area, two-sided normal p, BH FDR, classes."""
    point_cells = bin_points(lat, lon, resolution)
    grid = grid_build(np.unique(point_cells), k)
    count = counts_on_grid(grid, point_cells)
    return hotspots_on_grid(grid, count, fdr=fdr, permutations=permutations, seed=seed)


def hotspots_on_grid(
    grid: Grid,
    count: npt.NDArray[np.int64],
    *,
    fdr: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> HotspotResult:
    values = count.astype(np.float64)
    z = gi_star(values, grid.weights)
    p = 2.0 * stats.norm.sf(np.abs(z))
    p_fdr = fdr_bh(p)
    p_sim = permutation_p(values, grid.weights, permutations, seed) if permutations > 0 else None
    return HotspotResult(
        cells=grid.cells,
        count=count,
        z=z,
        p=p,
        p_fdr=p_fdr,
        cls=classify(z, p_fdr, fdr),
        p_sim=p_sim,
    )
