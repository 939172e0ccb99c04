"""Hot spots: Getis-Ord Gi* over H3 cells, with Benjamini-Hochberg FDR.

Study area, by default: every cell within `k` steps of a cell holding at least one point (the
union of the occupied cells' k-rings). It may instead be given explicitly as a `StudyArea` (a
polygon, e.g. a local authority's boundary): then it is the cells whose centres fall inside the
polygon, whatever the data, and points outside it are left out and counted. Empty cells inside the
study area count as zeros; cells outside it do not exist for the statistic. Weights are binary over
the k-ring including the cell itself (Gi*), so a cell's neighbours are the study-area cells of its
k-ring.

Cells are 64-bit H3 integers inside (sorting, searching and counting them is array work); the
public results also carry them as H3 strings. Binning a million points and building a national
grid are done by h3ronpy's vectorised H3 (ADR 0007); a grid for an explicit study area takes
seconds to build, so it is cached per study area, resolution and k.

Pure numpy / scipy / H3 (h3-py and h3ronpy): no Django (house style 7).
"""

import dataclasses
import functools
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import h3
import h3ronpy
import numpy as np
import numpy.typing as npt
from arro3.core import list_flatten, list_offsets
from h3.api import basic_int as h3_int
from h3ronpy import vector as h3vector
from scipy import sparse, special

CONFIDENCE_LEVELS = ((3, 0.01), (2, 0.05), (1, 0.10))  # class magnitude, largest p_fdr

CellsLike = Sequence[str] | npt.NDArray[np.str_] | npt.NDArray[np.uint64]

_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_HEX_VALUES = np.full(256, 255, dtype=np.uint64)  # character code to hex value, 255 if not hex
_HEX_VALUES[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = np.arange(16)
_HEX_VALUES[np.frombuffer(b"ABCDEF", dtype=np.uint8)] = np.arange(10, 16)
_CELL_CHARS = 15  # every valid H3 cell index is 15 hex digits (its mode bits put it in 2^59..2^60)
_PARALLEL_BINNING_FROM = 200_000  # points; below this one thread is quicker than two


class CellIndex(Mapping[str, int]):
    """Position of each study-area cell, by H3 string. The dict is built on first lookup only:
    the vectorised `Grid.positions` is the fast path, and a national grid rarely needs this."""

    def __init__(self, cells: npt.NDArray[np.str_]) -> None:
        self._cells = cells
        self._lookup: dict[str, int] | None = None

    def _dict(self) -> dict[str, int]:
        if self._lookup is None:
            self._lookup = {cell: i for i, cell in enumerate(self._cells.tolist())}
        return self._lookup

    def __getitem__(self, cell: str) -> int:
        return self._dict()[cell]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells.tolist())

    def __len__(self) -> int:
        return len(self._cells)


@dataclass(frozen=True, eq=False)
class Grid:
    """A study area: its cells (sorted) and the binary Gi* neighbour matrix.

    `ids` are the cells as H3 integers and `cells` the same cells as H3 strings, in the same
    order (for H3 indices, sorting the strings and sorting the integers agree). `row_sum` and
    `row_sq` are each row's sum of weights and of squared weights, kept for Gi*; `binary` says
    every weight is 1, as the grid builders make them.
    """

    ids: npt.NDArray[np.uint64]
    weights: sparse.csr_array
    cells: npt.NDArray[np.str_] = field(init=False)
    index: CellIndex = field(init=False)
    row_sum: npt.NDArray[np.float64] = field(init=False)
    row_sq: npt.NDArray[np.float64] = field(init=False)
    binary: bool = field(init=False)  # every weight is 1

    def __post_init__(self) -> None:
        cells = cells_to_str(self.ids)
        object.__setattr__(self, "cells", cells)
        object.__setattr__(self, "index", CellIndex(cells))
        row_sum, row_sq = _row_sums(self.weights)
        object.__setattr__(self, "row_sum", row_sum)
        object.__setattr__(self, "row_sq", row_sq)
        object.__setattr__(self, "binary", bool(np.all(self.weights.data == 1.0)))

    def __len__(self) -> int:
        return len(self.ids)

    def positions(self, cells: CellsLike, *, missing: int | None = None) -> npt.NDArray[np.int64]:
        """Each cell's position in the grid. A cell outside the study area raises KeyError,
        unless `missing` is given, which is then its position instead."""
        return self._locate(cells_to_int(cells), missing)

    def _locate(self, wanted: npt.NDArray[np.uint64], missing: int | None) -> npt.NDArray[np.int64]:
        pos = np.searchsorted(self.ids, wanted)
        found = pos < len(self.ids)
        found[found] = self.ids[pos[found]] == wanted[found]
        if not found.all():
            if missing is None:
                outside = cells_to_str(wanted[~found][:1])[0]
                raise KeyError(f"cell {outside} is outside the study area")
            pos[~found] = missing
        return pos.astype(np.int64)


@dataclass(frozen=True)
class HotspotResult:
    cells: npt.NDArray[np.str_]
    count: npt.NDArray[np.int64]
    z: npt.NDArray[np.float64]
    p: npt.NDArray[np.float64]
    p_fdr: npt.NDArray[np.float64]
    cls: npt.NDArray[np.int8]  # +3/+2/+1 hot at 99/95/90%, -1/-2/-3 cold, 0 not significant
    p_sim: npt.NDArray[np.float64] | None = None
    outside: int = 0  # points left out because they fall outside an explicit study area


@dataclass(frozen=True)
class StudyArea:
    """An explicit study area: the H3 cells whose centres fall inside a polygon.

    `outer` is the boundary as (lat, lon) pairs; `holes` are areas cut out of it, in the same
    form. It is hashable, so the grid built for it is cached (`area_grid`).
    """

    outer: tuple[tuple[float, float], ...]
    holes: tuple[tuple[tuple[float, float], ...], ...] = ()

    @classmethod
    def box(cls, south: float, west: float, north: float, east: float) -> "StudyArea":
        if not (south < north and west < east):
            raise ValueError("a box needs south < north and west < east")
        return cls(((south, west), (south, east), (north, east), (north, west)))


def class_label(cls: int) -> str:
    if cls == 0:
        return "not significant"
    confidence = {1: 90, 2: 95, 3: 99}[abs(cls)]
    return f"{'hot' if cls > 0 else 'cold'} {confidence}%"


# --- cells ---------------------------------------------------------------------------------


def cells_to_str(ids: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """H3 integers to H3 strings, vectorised (h3.int_to_str costs about a second a million)."""
    values = np.asarray(ids, dtype=np.uint64).ravel()
    if len(values) == 0:
        return np.array([], dtype=f"<U{_CELL_CHARS}")
    if np.any(values >> np.uint64(4 * _CELL_CHARS)):
        return np.array([h3.int_to_str(int(v)) for v in values.tolist()])  # not cell indices
    digits = np.empty((len(values), _CELL_CHARS), dtype=np.uint8)
    for j in range(_CELL_CHARS):
        shift = np.uint64(4 * (_CELL_CHARS - 1 - j))
        digits[:, j] = _HEX_DIGITS[(values >> shift) & np.uint64(0xF)]
    return digits.view(f"S{_CELL_CHARS}").ravel().astype(f"<U{_CELL_CHARS}")


def cells_to_int(cells: CellsLike) -> npt.NDArray[np.uint64]:
    """H3 strings (or integers) to validated H3 integers; ValueError names an invalid cell."""
    array = np.asarray(cells)
    if array.dtype.kind in "iu":
        ids = array.astype(np.uint64).ravel()
    elif array.size == 0:
        return np.array([], dtype=np.uint64)
    else:
        text = np.asarray(array, dtype=str).ravel()
        if text.dtype.itemsize != 4 * _CELL_CHARS or np.any(np.char.str_len(text) != _CELL_CHARS):
            lengths = np.char.str_len(text)
            raise ValueError(
                f"'{text[np.flatnonzero(lengths != _CELL_CHARS)[0]]}' is not an H3 cell"
            )
        codes = text.view(np.uint32).reshape(-1, _CELL_CHARS)
        nibbles = _HEX_VALUES[np.minimum(codes, 255)]
        invalid = (nibbles == 255).any(axis=1)
        if invalid.any():
            raise ValueError(f"'{text[np.flatnonzero(invalid)[0]]}' is not an H3 cell")
        ids = np.zeros(len(text), dtype=np.uint64)
        for j in range(_CELL_CHARS):
            ids = (ids << np.uint64(4)) | nibbles[:, j]
    if len(ids):
        valid = np.asarray(h3ronpy.cells_valid(ids, booleanarray=True).to_numpy(), dtype=bool)
        if not valid.all():
            raise ValueError(f"'{format(int(ids[~valid][0]), 'x')}' is not an H3 cell")
    return ids


def cell_ids(lat: npt.ArrayLike, lon: npt.ArrayLike, resolution: int = 9) -> npt.NDArray[np.uint64]:
    """The H3 cell of each point, as 64-bit integers.

    Vectorised, and split across the machine's cores for large inputs (the binning releases the
    GIL): binning is most of the end-to-end time of a hot-spot analysis.
    """
    lats = np.ascontiguousarray(lat, dtype=np.float64).ravel()
    lons = np.ascontiguousarray(lon, dtype=np.float64).ravel()
    if lats.shape != lons.shape:
        raise ValueError("lat and lon differ in length")
    if not 0 <= int(resolution) <= 15:
        raise ValueError(f"{resolution} is not an H3 resolution from 0 to 15")
    if len(lats) == 0:
        return np.array([], dtype=np.uint64)

    def one(part: slice) -> npt.NDArray[np.uint64]:
        cells = h3vector.coordinates_to_cells(lats[part], lons[part], int(resolution))
        return np.asarray(cells.to_numpy(), dtype=np.uint64)

    workers = min(_cores(), max(1, len(lats) // _PARALLEL_BINNING_FROM))
    if workers == 1:
        return one(slice(None))
    # A few chunks per thread, so that a thread slowed by other work on the machine holds up
    # less of the whole.
    bounds = np.linspace(0, len(lats), 4 * workers + 1).astype(int)
    parts = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    with ThreadPoolExecutor(workers) as pool:
        return np.concatenate(list(pool.map(one, parts)))


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def bin_points(lat: npt.ArrayLike, lon: npt.ArrayLike, resolution: int = 9) -> npt.NDArray[np.str_]:
    """The H3 cell of each point, as H3 strings."""
    return cells_to_str(cell_ids(lat, lon, resolution))


def _sorted_unique(
    ids: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Distinct values and how often each occurs. Sorting and diffing beats np.unique severalfold
    here, whose hash-based path is slow for a million 64-bit integers."""
    ordered = np.sort(ids)
    if len(ordered) == 0:
        return ordered, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(ordered))).astype(np.int64)
    return ordered[starts], counts


# --- grids ---------------------------------------------------------------------------------


def _disks(
    ids: npt.NDArray[np.uint64], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint64]]:
    """Each cell's k-ring (itself included) as CSR-style offsets and flat cell values."""
    disks = h3ronpy.grid_disk(ids, k)
    offsets = np.asarray(list_offsets(disks).to_numpy(), dtype=np.int64)
    values = np.asarray(list_flatten(disks).to_numpy(), dtype=np.uint64)
    return offsets, values


def grid_from_cells(area: CellsLike, k: int = 1) -> Grid:
    """The grid of exactly these study-area cells, with binary k-ring weights (self included)."""
    if k < 0:
        raise ValueError("k must be 0 or more")
    ids, _ = _sorted_unique(cells_to_int(area))
    n = len(ids)
    if n == 0:
        return Grid(ids=ids, weights=sparse.csr_array((0, 0), dtype=np.float64))
    offsets, neighbours = _disks(ids, k)
    pos = np.minimum(np.searchsorted(ids, neighbours), n - 1)
    inside = ids[pos] == neighbours
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))[inside]
    cols = pos[inside]
    # Sorted column indices within each row, the canonical CSR form. The rows already come in
    # order, so sorting row * n + column sorts only within them.
    key = rows * n + cols
    key.sort()
    cols = (key - rows * n).astype(np.int32 if n < 2**31 else np.int64)
    indptr = np.zeros(n + 1, dtype=cols.dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    weights = sparse.csr_array((np.ones(len(cols)), cols, indptr), shape=(n, n))
    weights.has_sorted_indices = True
    return Grid(ids=ids, weights=weights)


def grid_build(occupied: CellsLike, k: int = 1) -> Grid:
    """The study area around the occupied cells and its binary k-ring weights (self included)."""
    if k < 0:
        raise ValueError("k must be 0 or more")
    occupied_ids, _ = _sorted_unique(cells_to_int(occupied))
    if len(occupied_ids) == 0:
        return grid_from_cells(occupied_ids, k)
    _, area = _disks(occupied_ids, k)
    return grid_from_cells(area, k)


def area_grid(area: StudyArea, resolution: int = 9, k: int = 1) -> Grid:
    """The grid of an explicit study area, cached: a national grid takes seconds to build.

    Its cells are those whose centres fall inside the polygon (H3's polygon fill); their
    neighbours outside the polygon are not part of the study area. The last four grids built
    stay in memory (about 250 MB each at national extent); `clear_area_grids` drops them.
    """
    return _area_grid(area, int(resolution), int(k))


@functools.lru_cache(maxsize=4)
def _area_grid(area: StudyArea, resolution: int, k: int) -> Grid:
    polygon = h3.LatLngPoly(list(area.outer), *[list(hole) for hole in area.holes])
    ids = np.array(h3_int.polygon_to_cells(polygon, resolution), dtype=np.uint64)
    return grid_from_cells(ids, k)


def clear_area_grids() -> None:
    """Forget the cached grids of explicit study areas."""
    _area_grid.cache_clear()


def counts_on_grid(grid: Grid, point_cells: CellsLike) -> npt.NDArray[np.int64]:
    """Count points per study-area cell (points outside the study area are an error)."""
    count, outside = _count(grid, cells_to_int(point_cells))
    if outside:
        raise KeyError(f"{outside} points fall outside the study area")
    return count


def _count(grid: Grid, point_ids: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.int64], int]:
    """Points per grid cell, and how many points fall outside the grid."""
    distinct, per_cell = _sorted_unique(point_ids)
    pos = grid._locate(distinct, missing=-1)
    inside = pos >= 0
    count = np.zeros(len(grid), dtype=np.int64)
    count[pos[inside]] = per_cell[inside]
    return count, int(per_cell[~inside].sum())


# --- statistics ----------------------------------------------------------------------------


def _row_sums(
    weights: sparse.csr_array,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    data = np.asarray(weights.data, dtype=np.float64)
    if np.all(data == 1.0):  # binary weights: each row's sum of squares is its sum
        row_sum = np.diff(weights.indptr).astype(np.float64)
        return row_sum, row_sum
    row_sum = np.add.reduceat(data, weights.indptr[:-1]) if len(data) else np.zeros(0)
    row_sq = np.add.reduceat(data * data, weights.indptr[:-1]) if len(data) else np.zeros(0)
    empty = np.diff(weights.indptr) == 0  # reduceat repeats a value for an empty row
    row_sum = np.where(empty, 0.0, row_sum)[: weights.shape[0]]
    row_sq = np.where(empty, 0.0, row_sq)[: weights.shape[0]]
    return row_sum, row_sq


def gi_star(x: npt.ArrayLike, weights: sparse.csr_array | Grid) -> npt.NDArray[np.float64]:
    """Analytical Getis-Ord Gi* z-scores (Getis & Ord 1995; the ArcGIS / esda `star` form).

    z_i = (sum_j w_ij x_j - xbar W_i) / (S sqrt((n sum_j w_ij^2 - W_i^2) / (n - 1)))
    with xbar and S (population standard deviation) over all n cells. When every cell has the
    same value there is no clustering to find: z is 0. `x` may be one series of cells or a
    (series, cells) array. Passing the Grid rather than its weights reuses its row sums.
    """
    if isinstance(weights, Grid):
        matrix, row_sum, row_sq = weights.weights, weights.row_sum, weights.row_sq
    else:
        matrix = sparse.csr_array(weights)
        row_sum, row_sq = _row_sums(matrix)
    values = np.asarray(x, dtype=np.float64)
    if values.ndim == 1:
        lag = matrix @ values
    else:
        lag = (matrix @ np.ascontiguousarray(values.T)).T
    return _z_from_lag(values, lag, row_sum, row_sq)


def _z_from_lag(
    values: npt.NDArray[np.float64],
    lag: npt.NDArray[np.float64],
    row_sum: npt.NDArray[np.float64],
    row_sq: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    n = values.shape[-1]
    if n == 0:
        return np.zeros(lag.shape)
    mean = values.mean(axis=-1, keepdims=True)
    s = np.sqrt(np.maximum((values**2).mean(axis=-1, keepdims=True) - mean**2, 0.0))
    denom = s * np.sqrt(np.maximum(n * row_sq - row_sum**2, 0.0) / max(n - 1, 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lag - mean * row_sum) / denom
    z = np.where(denom > 1e-12 * np.maximum(np.abs(mean), 1.0), z, 0.0)
    return np.asarray(z, dtype=np.float64)


def normal_p(z: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Two-sided p-values of z-scores under the standard normal (stats.norm.sf, without its
    argument checks)."""
    return np.asarray(2.0 * special.ndtr(-np.abs(np.asarray(z, dtype=np.float64))))


def fdr_bh(p: npt.ArrayLike, axis: int = 0) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values along `axis` (as scipy's false_discovery_control):
    p_(i) m / i, made monotone from the largest down, at most 1.

    Equal p-values get the same adjusted value whatever order they sort in (the one at the last
    rank they share), so the sort needs no stability. Counts give few distinct p-values: then
    sorting the values alone and looking each up among the distinct ones beats sorting indices,
    which numpy does slowly when values repeat. Otherwise the float bits are sorted as integers,
    which orders non-negative floats the same way, in about half the time.
    """
    values = np.asarray(p, dtype=np.float64)
    if values.size == 0:
        return values.copy()
    if np.any(~((values >= 0.0) & (values <= 1.0))):
        raise ValueError("p-values must lie between 0 and 1")
    if values.ndim == 1:
        ordered = np.sort(values)
        last = np.flatnonzero(ordered[1:] != ordered[:-1])
        if len(last) < len(values) // 16:
            last = np.append(last, len(values) - 1)
            distinct = ordered[last]
            adjusted_distinct = _bh_step_up(distinct, last + 1, len(values))
            return adjusted_distinct[np.searchsorted(distinct, values)]
    rows = np.moveaxis(values, axis, -1)
    m = rows.shape[-1]
    order = np.argsort(np.ascontiguousarray(rows).view(np.uint64), axis=-1)
    ranks = np.arange(1, m + 1)
    adjusted_sorted = _bh_step_up(np.take_along_axis(rows, order, axis=-1), ranks, m)
    adjusted = np.empty_like(adjusted_sorted)
    np.put_along_axis(adjusted, order, adjusted_sorted, axis=-1)
    return np.moveaxis(adjusted, -1, axis)


def _bh_step_up(
    ordered: npt.NDArray[np.float64], ranks: npt.NDArray[np.int64], m: int
) -> npt.NDArray[np.float64]:
    """BH over p-values sorted along the last axis, each with the last rank its value holds."""
    scaled = ordered * (m / ranks)
    return np.minimum(np.minimum.accumulate(scaled[..., ::-1], axis=-1)[..., ::-1], 1.0)


def _tests_by_neighbourhood(
    z: npt.NDArray[np.float64], lag: npt.NDArray[np.float64], grid: Grid
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """p and BH-adjusted p, computed once per distinct (neighbourhood count, neighbourhood size).

    With counts and binary weights a cell's z depends only on those two integers, so a national
    grid's 1.4M cells share a few hundred z-scores. The results are those of `normal_p` and
    `fdr_bh` on every cell, value for value, without sorting 1.4M p-values. None when the grid
    or the counts do not allow it (weights other than 1, or neighbourhood counts too large for a
    lookup table).
    """
    n = len(z)
    if not grid.binary or n == 0 or lag.min() < 0:
        return None
    size = grid.row_sum.astype(np.int64)
    key = lag.astype(np.int64) * (int(size.max()) + 1) + size
    if int(key.max()) > 8 * n + 1024:
        return None
    present = np.zeros(int(key.max()) + 1, dtype=np.int64)
    present[key] = 1
    group = (np.cumsum(present) - 1)[key]
    groups = int(group.max()) + 1
    z_group = np.empty(groups)
    z_group[group] = z  # every cell of a group has the same z
    p_group = normal_p(z_group)
    order = np.argsort(p_group)
    last_rank = np.cumsum(np.bincount(group, minlength=groups)[order])
    adjusted = np.empty(groups)
    adjusted[order] = _bh_step_up(p_group[order], last_rank, n)
    return p_group[group], adjusted[group]


def classify(
    z: npt.NDArray[np.float64], p_fdr: npt.NDArray[np.float64], fdr: float = 0.05
) -> npt.NDArray[np.int8]:
    """+/-3, 2, 1 for hot/cold at 99, 95, 90% confidence after FDR; only levels with q <= fdr."""
    cls = np.zeros(len(z), dtype=np.int8)
    sign = np.sign(z).astype(np.int8)
    for magnitude, q in sorted(CONFIDENCE_LEVELS, key=lambda level: level[0]):
        if q > fdr + 1e-12:
            continue
        significant = p_fdr <= q
        cls[significant] = sign[significant] * magnitude
    return cls


def permutation_p(
    x: npt.NDArray[np.float64],
    weights: sparse.csr_array,
    permutations: int,
    seed: int | None = None,
) -> npt.NDArray[np.float64]:
    """Conditional-permutation pseudo p-values, folded as esda folds them: (extreme + 1)/(P + 1).

    For cell i, its own value stays and its k-ring neighbours are drawn without replacement from
    the other n - 1 cells. As in esda, one draw of K = max-neighbours positions per permutation
    serves every cell, each position d read as cell d + (d >= i) so that cell i is skipped. With
    binary weights the local sum is sufficient.

    That shared draw makes the work linear in n: the simulated sum of cell i depends only on its
    number of neighbours c_i and on how many drawn positions lie below i (r_i, 0..K), so each
    permutation has a (K + 1) x (K + 1) table of sums, T[c, r], and each cell reads one entry.
    The cells with a given r form a run between consecutive sorted draws. This gives the same
    p-values as drawing each cell's neighbours explicitly (see the tests), at a cost of a few
    passes over n per permutation rather than n times K random reads.
    """
    values = np.asarray(x, dtype=np.float64)
    matrix = sparse.csr_array(weights)
    n = len(values)
    rng = np.random.default_rng(seed)
    card = np.diff(matrix.indptr) - 1  # neighbours other than the cell itself
    kmax = int(card.max()) if n else 0
    if kmax == 0 or n < 2:
        return np.ones(n)
    observed = matrix @ values
    take = min(kmax, n - 1)
    # A permuted sum at least the observed one, as `simulated >= observed - 1e-12` with the
    # cell's own value moved across.
    threshold = observed - values - 1e-12
    card_index = card.astype(np.intp)
    below = np.arange(take + 1)[:, None]  # r, the number of drawn positions below the cell
    larger = np.zeros(n, dtype=np.int64)
    hit = np.empty(n, dtype=bool)
    for _ in range(permutations):
        draw = rng.choice(n - 1, size=take, replace=False)
        rank = np.argsort(np.argsort(draw))
        # Position m reads cell draw[m] for cells above it, draw[m] + 1 for cells at or below.
        picked = np.where(rank[None, :] < below, values[draw], values[draw + 1])
        sums = np.zeros((take + 1, take + 1))  # sums[r, c]: the first c positions, given r
        np.cumsum(picked, axis=1, out=sums[:, 1:])
        edges = np.concatenate(([0], np.sort(draw) + 1, [n]))
        for r in range(take + 1):
            lo, hi = edges[r], edges[r + 1]
            if lo == hi:
                continue
            np.greater_equal(sums[r][card_index[lo:hi]], threshold[lo:hi], out=hit[lo:hi])
        larger += hit
    larger = np.minimum(larger, permutations - larger)
    return np.asarray((larger + 1) / (permutations + 1), dtype=np.float64)


# --- the analysis --------------------------------------------------------------------------


def hotspots(
    lat: npt.ArrayLike,
    lon: npt.ArrayLike,
    *,
    resolution: int = 9,
    k: int = 1,
    fdr: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
    area: StudyArea | None = None,
) -> HotspotResult:
    """Bin points to H3, then Gi* over the study area, two-sided normal p, BH FDR, classes.

    Without `area` the study area is the k-rings of the occupied cells; with it, the area's
    cached grid, leaving out (and counting in `outside`) the points that fall beyond it.
    """
    point_ids = cell_ids(lat, lon, resolution)
    if area is None:
        distinct, _ = _sorted_unique(point_ids)
        grid = grid_build(distinct, k)
    else:
        grid = area_grid(area, resolution, k)
    count, outside = _count(grid, point_ids)
    result = hotspots_on_grid(grid, count, fdr=fdr, permutations=permutations, seed=seed)
    return dataclasses.replace(result, outside=outside) if outside else result


def hotspots_on_grid(
    grid: Grid,
    count: npt.NDArray[np.int64],
    *,
    fdr: float = 0.05,
    permutations: int = 0,
    seed: int | None = None,
) -> HotspotResult:
    values = count.astype(np.float64)
    lag = grid.weights @ values
    z = _z_from_lag(values, lag, grid.row_sum, grid.row_sq)
    shared = _tests_by_neighbourhood(z, lag, grid) if count.dtype.kind in "iu" else None
    p, p_fdr = shared if shared is not None else (normal_p(z), fdr_bh(normal_p(z)))
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
