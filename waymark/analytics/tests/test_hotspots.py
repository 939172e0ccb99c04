import warnings

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats

from waymark.analytics.hotspots import (
    Grid,
    StudyArea,
    area_grid,
    bin_points,
    cell_ids,
    cells_to_int,
    cells_to_str,
    classify,
    clear_area_grids,
    counts_on_grid,
    fdr_bh,
    gi_star,
    grid_build,
    hotspots,
    hotspots_on_grid,
    normal_p,
    permutation_p,
)

CENTRE = (52.2053, 0.1218)  # Cambridge


def scatter(rng: np.random.Generator, n: int, spread: float = 0.02):
    return CENTRE[0] + rng.uniform(-spread, spread, n), CENTRE[1] + rng.uniform(-spread, spread, n)


def test_z_equals_esda_binary_gi_star():
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(7)
    lat, lon = scatter(rng, 800)
    lat = np.concatenate([lat, CENTRE[0] + rng.normal(0, 0.001, 200)])
    lon = np.concatenate([lon, CENTRE[1] + rng.normal(0, 0.001, 200)])
    cells = bin_points(lat, lon, 9)
    grid = grid_build(np.unique(cells), k=1)
    result = hotspots(lat, lon, resolution=9, k=1)
    w = grid.weights
    y = result.count.astype(float)
    # Neighbour lists without the cell itself: esda's star=True puts 1 on the diagonal when the
    # transform is binary, which is our self-weight.
    neighbours = {
        i: [int(j) for j in w.indices[w.indptr[i] : w.indptr[i + 1]] if j != i]
        for i in range(w.shape[0])
    }
    weights = libpysal.weights.W(neighbours, silence_warnings=True)
    reference = esda.G_Local(y, weights, transform="B", star=True, permutations=0)
    assert np.max(np.abs(reference.Zs - result.z)) < 1e-6
    # The same with the self-weight already in the lists.
    with_self = {i: [*js, i] for i, js in neighbours.items()}
    weights = libpysal.weights.W(with_self, silence_warnings=True)
    reference = esda.G_Local(y, weights, transform="B", star=True, permutations=0)
    assert np.max(np.abs(reference.Zs - result.z)) < 1e-6


def test_study_area_is_k_rings_of_occupied_cells():
    cell = h3.latlng_to_cell(*CENTRE, 9)
    grid = grid_build([cell], k=2)
    assert set(grid.cells.tolist()) == set(h3.grid_disk(cell, 2))
    # Gi* weights include the cell itself.
    i = grid.index[cell]
    assert grid.weights[i, i] == 1
    assert grid.weights[[i], :].sum() == 19  # its whole 2-ring, itself included
    # A cell on the edge of the study area has only the neighbours inside it.
    edge = grid.index[sorted(h3.grid_ring(cell, 2))[0]]
    assert grid.weights[[edge], :].sum() < 19


def test_planted_cluster_is_found_hot():
    rng = np.random.default_rng(1)
    lat, lon = scatter(rng, 2000)
    planted = (CENTRE[0] + 0.005, CENTRE[1] - 0.005)
    lat = np.concatenate([lat, planted[0] + rng.normal(0, 0.0004, 150)])
    lon = np.concatenate([lon, planted[1] + rng.normal(0, 0.0004, 150)])
    result = hotspots(lat, lon, resolution=9, k=1)
    cell = h3.latlng_to_cell(*planted, 9)
    i = int(np.flatnonzero(result.cells == cell)[0])
    assert result.cls[i] == 3
    hot_cells = set(result.cells[result.cls > 0].tolist())
    assert hot_cells <= set(h3.grid_disk(cell, 2))


def test_uniform_null_gives_few_hot_cells_after_fdr():
    rng = np.random.default_rng(2)
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 8)], k=0)
    big = grid_build(h3.cell_to_children(grid.cells[0], 10), k=1)
    count = rng.poisson(3.0, len(big.cells)).astype(np.int64)
    result = hotspots_on_grid(big, count, fdr=0.05)
    assert (result.p < 0.05).sum() > 0  # raw p finds some by chance
    assert (result.cls != 0).mean() < 0.01


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 20), min_size=19, max_size=19),
    shift=st.integers(1, 50),
    scale=st.integers(1, 9),
)
def test_z_is_invariant_to_shifting_and_scaling_counts(counts, shift, scale):
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 9)], k=2)
    x = np.asarray(counts, dtype=float)
    z = gi_star(x, grid.weights)
    assert np.allclose(gi_star(x + shift, grid.weights), z, atol=1e-9)
    assert np.allclose(gi_star(x * scale, grid.weights), z, atol=1e-9)


def test_constant_counts_give_zero_z():
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 9)], k=1)
    assert np.all(gi_star(np.full(7, 4.0), grid.weights) == 0)


def test_classify_respects_fdr_ceiling():
    z = np.array([3.0, -3.0, 2.0, 1.7, 0.1])
    p_fdr = np.array([0.001, 0.004, 0.03, 0.08, 0.9])
    assert classify(z, p_fdr, fdr=0.10).tolist() == [3, -3, 2, 1, 0]
    assert classify(z, p_fdr, fdr=0.05).tolist() == [3, -3, 2, 0, 0]


def test_permutations_are_seeded_and_find_the_cluster():
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 9)], k=3)
    rng = np.random.default_rng(3)
    count = rng.poisson(1.0, len(grid.cells)).astype(float)
    centre = grid.index[h3.latlng_to_cell(*CENTRE, 9)]
    ring = grid.weights.indices[grid.weights.indptr[centre] : grid.weights.indptr[centre + 1]]
    count[ring] += 12
    first = permutation_p(count, grid.weights, 199, seed=5)
    again = permutation_p(count, grid.weights, 199, seed=5)
    assert np.array_equal(first, again)
    assert first[centre] == pytest.approx(1 / 200)
    assert np.all((first > 0) & (first <= 0.5 + 1e-9))


# --- cells, grids and speed-ups, each against its plain definition --------------------------


def test_cells_convert_both_ways_as_h3_does():
    rng = np.random.default_rng(11)
    lat, lon = rng.uniform(-89, 89, 500), rng.uniform(-180, 180, 500)
    cells = [
        h3.latlng_to_cell(a, b, res)
        for a, b, res in zip(lat, lon, rng.integers(0, 16, 500), strict=True)
    ]
    cells += h3.get_pentagons(7)
    ids = cells_to_int(cells)
    assert ids.dtype == np.uint64
    assert ids.tolist() == [h3.str_to_int(c) for c in cells]
    assert cells_to_str(ids).tolist() == cells
    assert cells_to_int([c.upper() for c in cells]).tolist() == ids.tolist()
    assert cells_to_int(ids).tolist() == ids.tolist()
    assert cells_to_int([]).size == 0 and cells_to_str([]).size == 0


@pytest.mark.parametrize("bad", ["89195da49b3fff", "89195da49b3fffg", "not a cell", "0" * 15])
def test_invalid_cell_strings_are_refused(bad):
    good = h3.latlng_to_cell(*CENTRE, 9)
    with pytest.raises(ValueError, match="is not an H3 cell"):
        cells_to_int([good, bad])
    with pytest.raises(ValueError, match="is not an H3 cell"):
        grid_build([good, bad])


@pytest.mark.parametrize("resolution", [0, 5, 9, 15])
def test_binning_matches_h3_everywhere(resolution):
    rng = np.random.default_rng(resolution)
    # The whole globe, the poles, and points close to an icosahedron-face pentagon.
    pentagon = h3.cell_to_latlng(h3.get_pentagons(resolution)[3])
    lat = np.concatenate(
        [rng.uniform(-90, 90, 3000), [90.0, -90.0], pentagon[0] + rng.normal(0, 0.01, 500)]
    )
    lon = np.concatenate(
        [rng.uniform(-180, 180, 3000), [0.0, 0.0], pentagon[1] + rng.normal(0, 0.01, 500)]
    )
    expected = [h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat, lon, strict=True)]
    assert bin_points(lat, lon, resolution).tolist() == expected


def test_binning_a_large_input_in_parallel_keeps_point_order():
    rng = np.random.default_rng(12)
    lat, lon = scatter(rng, 450_000, spread=0.5)
    ids = cell_ids(lat, lon, 9)
    sample = rng.choice(len(lat), 3000, replace=False)
    expected = [h3.str_to_int(h3.latlng_to_cell(lat[i], lon[i], 9)) for i in sample]
    assert ids[sample].tolist() == expected
    with pytest.raises(ValueError):
        cell_ids([np.nan], [0.0])
    with pytest.raises(ValueError, match="resolution"):
        cell_ids([52.0], [0.0], 16)


def naive_grid(occupied, k):
    """The study area and weights built cell by cell with h3-py, as their definition reads."""
    area = sorted({c for cell in occupied for c in h3.grid_disk(cell, k)})
    index = {cell: i for i, cell in enumerate(area)}
    rows, cols = [], []
    for i, cell in enumerate(area):
        for neighbour in h3.grid_disk(cell, k):
            if neighbour in index:
                rows.append(i)
                cols.append(index[neighbour])
    n = len(area)
    return area, sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


@pytest.mark.parametrize("k", [0, 1, 2])
def test_grid_matches_its_definition_next_to_a_pentagon(k):
    pentagon = h3.get_pentagons(6)[5]
    occupied = [*h3.grid_ring(pentagon, 3)[:4], pentagon, *h3.cell_to_children(pentagon, 7)[:1]]
    occupied = [h3.cell_to_parent(c, 6) for c in occupied]
    area, weights = naive_grid(occupied, k)
    grid = grid_build(occupied, k)
    assert grid.cells.tolist() == area
    assert grid.ids.tolist() == [h3.str_to_int(c) for c in area]
    assert (grid.weights != weights).nnz == 0
    assert grid.weights.has_sorted_indices
    assert np.array_equal(grid.row_sum, weights.sum(axis=1))
    # The pentagon has five neighbours, not six.
    i = grid.index[pentagon]
    assert grid.weights[[i], :].sum() == len(h3.grid_disk(pentagon, k))


def test_grid_positions_and_index():
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 9)], k=1)
    cells = grid.cells[::-1]
    assert grid.positions(cells).tolist() == list(range(len(grid.cells)))[::-1]
    assert grid.positions(cells_to_int(cells)).tolist() == grid.positions(cells).tolist()
    assert [grid.index[c] for c in cells.tolist()] == grid.positions(cells).tolist()
    assert len(grid.index) == 7 and list(grid.index) == grid.cells.tolist()
    far = h3.latlng_to_cell(CENTRE[0] + 1, CENTRE[1], 9)
    assert far not in grid.index and grid.index.get(far) is None
    with pytest.raises(KeyError, match="outside the study area"):
        grid.positions([far])
    assert grid.positions([far, cells[0]], missing=-1).tolist() == [-1, 6]
    with pytest.raises(KeyError):
        counts_on_grid(grid, np.array([far]))


def test_study_area_from_a_polygon_is_cached_and_drops_points_outside():
    area = StudyArea.box(52.19, 0.10, 52.22, 0.15)
    grid = area_grid(area, 9, 1)
    assert area_grid(StudyArea.box(52.19, 0.10, 52.22, 0.15)) is grid
    assert area_grid(area, resolution=9, k=1) is grid
    assert area_grid(area, 8, 1) is not grid
    clear_area_grids()
    assert area_grid(area, 9, 1) is not grid
    polygon = h3.LatLngPoly(list(area.outer))
    assert set(grid.cells.tolist()) == set(h3.polygon_to_cells(polygon, 9))
    # The study area is the polygon's cells, whatever the data: empty cells are zeros, and a
    # cell on the boundary has only the neighbours inside it.
    rng = np.random.default_rng(13)
    lat, lon = rng.uniform(52.17, 52.24, 3000), rng.uniform(0.08, 0.17, 3000)
    result = hotspots(lat, lon, area=area)
    grid = area_grid(area)
    inside = np.isin(bin_points(lat, lon, 9), grid.cells)
    assert result.outside == int((~inside).sum()) > 0
    assert result.count.sum() == inside.sum()
    expected = hotspots_on_grid(grid, counts_on_grid(grid, bin_points(lat, lon)[inside]))
    assert np.array_equal(result.z, expected.z) and np.array_equal(result.cls, expected.cls)
    with pytest.raises(ValueError):
        StudyArea.box(52.3, 0.1, 52.2, 0.2)


def test_default_study_area_counts_every_point():
    rng = np.random.default_rng(14)
    lat, lon = scatter(rng, 5000)
    result = hotspots(lat, lon)
    assert result.outside == 0 and result.count.sum() == 5000
    cells = bin_points(lat, lon, 9)
    area, _ = naive_grid(set(cells.tolist()), 1)
    assert result.cells.tolist() == area
    expected = {c: n for c, n in zip(*np.unique(cells, return_counts=True), strict=True)}
    assert result.count.tolist() == [expected.get(c, 0) for c in area]


def test_no_points_give_an_empty_table_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = hotspots(np.array([]), np.array([]))
    assert result.cells.size == result.z.size == result.p_fdr.size == 0


def test_gi_star_with_grid_or_weights_and_in_batches():
    grid = grid_build([h3.latlng_to_cell(*CENTRE, 9)], k=2)
    x = np.random.default_rng(15).poisson(2.0, (4, len(grid.cells))).astype(float)
    one = gi_star(x[0], grid.weights)
    assert np.array_equal(gi_star(x[0], grid), one)
    batch = gi_star(x, grid)
    assert batch.shape == x.shape
    assert np.allclose(batch, np.vstack([gi_star(row, grid.weights) for row in x]), atol=1e-12)
    # Weights other than 1: the row sums of squares are not the row sums.
    w = grid.weights.copy()
    w.data = np.random.default_rng(16).uniform(0.5, 2.0, w.nnz)
    n = len(x[0])
    lag, wi, s2 = w @ x[0], w.sum(axis=1), (w.multiply(w)).sum(axis=1)
    s = x[0].std()
    z = (lag - x[0].mean() * wi) / (s * np.sqrt((n * s2 - wi**2) / (n - 1)))
    assert np.allclose(gi_star(x[0], w), z, atol=1e-12)


def test_fdr_matches_scipy_including_ties_and_axes():
    rng = np.random.default_rng(17)
    p = normal_p(np.round(rng.normal(0, 2, 20_000), 1))  # many equal p-values
    assert np.allclose(fdr_bh(p), stats.false_discovery_control(p), rtol=1e-12, atol=0)
    table = rng.uniform(0, 1, (5, 300)) ** 3
    for axis in (0, 1):
        expected = stats.false_discovery_control(table, axis=axis)
        assert np.allclose(fdr_bh(table, axis=axis), expected, rtol=1e-12, atol=0)
    with pytest.raises(ValueError):
        fdr_bh([0.1, np.nan])
    z = rng.normal(0, 3, 1000)
    assert np.array_equal(normal_p(z), 2.0 * stats.norm.sf(np.abs(z)))
    assert normal_p([0.0])[0] == 1.0 and normal_p([1.959963984540054])[0] == pytest.approx(0.05)


def test_fdr_shortcut_for_repeated_p_values_gives_the_same_values():
    rng = np.random.default_rng(19)
    p = normal_p(rng.integers(-40, 40, 50_000) / 10)  # 80 distinct values
    by_distinct = fdr_bh(p)
    by_argsort = fdr_bh(p[None, :], axis=1)[0]  # the general path
    assert np.array_equal(by_distinct, by_argsort)
    assert np.allclose(by_distinct, stats.false_discovery_control(p), rtol=1e-12, atol=0)


@pytest.mark.parametrize("shape", ["counts", "one hot cell", "weighted"])
def test_hotspot_p_values_computed_per_neighbourhood_equal_per_cell(shape):
    # Study-area edges give neighbourhoods of several sizes; Poisson counts give many ties.
    grid = grid_build(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 8), 6), k=1)
    rng = np.random.default_rng(20)
    count = rng.poisson(0.8, len(grid.cells)).astype(np.int64)
    if shape == "one hot cell":
        count[5] = 10_000_000  # a neighbourhood count too large for the lookup table
    if shape == "weighted":
        weights = grid.weights.copy()
        weights.data[::3] = 2.0
        grid = Grid(ids=grid.ids, weights=weights)
    result = hotspots_on_grid(grid, count)
    assert np.array_equal(result.z, gi_star(count, grid.weights))
    assert np.array_equal(result.p, normal_p(result.z))
    assert np.array_equal(result.p_fdr, fdr_bh(normal_p(result.z)))
    expected = stats.false_discovery_control(2 * stats.norm.sf(np.abs(result.z)))
    assert np.allclose(result.p_fdr, expected, rtol=1e-12, atol=0)


def explicit_permutation_p(x, weights, permutations, seed):
    """The conditional permutation written out cell by cell: the same draws, no shortcuts."""
    rng = np.random.default_rng(seed)
    n = len(x)
    card = np.diff(weights.indptr) - 1
    take = min(int(card.max()), n - 1)
    observed = weights @ x
    larger = np.zeros(n, dtype=int)
    for _ in range(permutations):
        draw = rng.choice(n - 1, size=take, replace=False)
        for i in range(n):
            neighbours = [d + (d >= i) for d in draw[: card[i]]]
            larger[i] += x[i] + x[neighbours].sum() >= observed[i] - 1e-12
    larger = np.minimum(larger, permutations - larger)
    return (larger + 1) / (permutations + 1)


@pytest.mark.parametrize(("k", "counts"), [(1, "poisson"), (2, "poisson"), (1, "uniform")])
def test_permutations_equal_the_explicit_cell_by_cell_draws(k, counts):
    grid = grid_build(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 9), 3), k=k)
    rng = np.random.default_rng(18)
    n = len(grid.cells)
    x = rng.poisson(1.5, n).astype(float) if counts == "poisson" else rng.uniform(0, 5, n)
    x[grid.index[h3.latlng_to_cell(*CENTRE, 9)]] += 8
    assert np.array_equal(
        permutation_p(x, grid.weights, 49, seed=4), explicit_permutation_p(x, grid.weights, 49, 4)
    )
