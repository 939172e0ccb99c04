import csv
import json

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.analytics.hotspots import (
    bin_points,
    classify,
    gi_star,
    grid_build,
    hotspots,
    hotspots_on_grid,
    permutation_p,
)
from waymark.cli import main

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


# --- the `waymark hotspots` command ---------------------------------------------------------


def points_csv(tmp_path, with_time=False):
    rng = np.random.default_rng(9)
    lat = np.concatenate([CENTRE[0] + rng.uniform(-0.02, 0.02, 600), np.full(80, CENTRE[0])])
    lon = np.concatenate([CENTRE[1] + rng.uniform(-0.02, 0.02, 600), np.full(80, CENTRE[1])])
    path = tmp_path / "points.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["lat", "lon", "occurred_at"] if with_time else ["lat", "lon"])
        for i, (a, b) in enumerate(zip(lat, lon, strict=True)):
            day = f"2026-{1 + i % 6:02d}-{1 + i % 27:02d}"
            writer.writerow(
                [f"{a:.6f}", f"{b:.6f}", day] if with_time else [f"{a:.6f}", f"{b:.6f}"]
            )
    return path


def test_hotspots_writes_csv(tmp_path, capsys):
    out = tmp_path / "out.csv"
    code = main(["hotspots", "--input", str(points_csv(tmp_path)), "--output", str(out)])
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["h3", "count", "z", "p", "p_fdr", "class"]
    assert sum(int(r["count"]) for r in rows) == 680
    centre = h3.latlng_to_cell(*CENTRE, 9)
    assert next(r for r in rows if r["h3"] == centre)["class"] == "hot 99%"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_hotspots_writes_geojson_with_permutations(tmp_path, capsys):
    out = tmp_path / "out.geojson"
    args = ["hotspots", "--input", str(points_csv(tmp_path)), "--output", str(out)]
    assert main([*args, "--permutations", "99", "--seed", "3", "--resolution", "8"]) == 0
    data = json.loads(out.read_text())
    feature = data["features"][0]
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    lon, lat = ring[0]
    assert abs(lat - CENTRE[0]) < 0.1 and abs(lon - CENTRE[1]) < 0.1  # lon/lat order
    assert {"h3", "count", "z", "p", "p_fdr", "class", "p_sim"} <= set(feature["properties"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lat,lng\n52,0.1\n", "line 1, column 'lon'"),
        ("lat,lon\n52.2,0.1\n52.2,x\n", "line 3, column 'lon'"),
        ("lat,lon\n95,0.1\n", "line 2, column 'lat'"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out = tmp_path / "out.csv"
    assert main(["hotspots", "--input", str(path), "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]
