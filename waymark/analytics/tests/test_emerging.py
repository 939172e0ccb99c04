import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from waymark.analytics import emerging
from waymark.analytics.emerging import (
    classify_series,
    emerging_hotspots,
    emerging_on_grid,
    slice_index,
    space_time_gi_star,
)
from waymark.analytics.hotspots import bin_points, fdr_bh, grid_build, grid_from_cells
from waymark.analytics.tests.test_emerging_trends import mann_kendall_by_pairs

CENTRE = (52.2053, 0.1218)  # Cambridge


# --- the space-time statistic ---------------------------------------------------------------


def space_time_neighbours(grid, slices, time_steps):
    """The cube as a graph, bin (cell i, slice s) numbered s * cells + i: its neighbours are the
    cells of i's k-ring (i included) in slices s - time_steps .. s that exist, less itself
    (esda's star adds it back)."""
    w, n = grid.weights, len(grid)
    ring = [w.indices[w.indptr[i] : w.indptr[i + 1]] for i in range(n)]
    return {
        s * n + i: [
            int(u * n + j)
            for u in range(max(0, s - time_steps), s + 1)
            for j in ring[i]
            if (u, j) != (s, i)
        ]
        for s in range(slices)
        for i in range(n)
    }


@pytest.mark.parametrize(("time_steps", "crowded"), [(0, False), (1, False), (2, False), (1, True)])
def test_z_equals_esda_on_the_space_time_graph(time_steps, crowded):
    esda = pytest.importorskip("esda")
    libpysal = pytest.importorskip("libpysal")
    rng = np.random.default_rng(time_steps + 3)
    lat = np.concatenate([CENTRE[0] + rng.uniform(-0.012, 0.012, 700), np.full(60, CENTRE[0])])
    lon = np.concatenate([CENTRE[1] + rng.uniform(-0.018, 0.018, 700), np.full(60, CENTRE[1])])
    grid = grid_build(np.unique(bin_points(lat, lon, 9)), 1)
    slices = 7
    counts = rng.poisson(1.2, (slices, len(grid)))
    counts[3:, grid.positions([h3.latlng_to_cell(*CENTRE, 9)])] += 9  # a place that heats up
    if crowded:  # sums too large for the table of (sum, size) keys: z-scores sorted instead
        counts[2, 0] += 3_000_000
    graph = libpysal.weights.W(
        space_time_neighbours(grid, slices, time_steps), silence_warnings=True
    )
    reference = esda.G_Local(
        counts.ravel().astype(float), graph, transform="B", star=True, permutations=0
    )
    z = space_time_gi_star(counts, grid, time_steps)
    assert np.max(np.abs(z.ravel() - reference.Zs)) < 1e-6
    # The whole analysis uses the same z-scores.
    result = emerging_on_grid(grid, counts, _weeks(slices), time_steps=time_steps)
    np.testing.assert_array_equal(result.z, z)


def _weeks(slices):
    return np.datetime64("2026-01-05") + 7 * np.arange(slices).astype("timedelta64[D]")


def test_time_steps_must_be_a_whole_number_of_0_or_more():
    grid = grid_from_cells(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 9), 2), 1)
    counts = np.ones((3, len(grid)), dtype=np.int64)
    for bad in (-1, 1.5):
        with pytest.raises(ValueError, match="time_steps"):
            emerging_on_grid(grid, counts, _weeks(3), time_steps=bad)
    with pytest.raises(ValueError, match="time_steps"):
        emerging_hotspots([52.2], [0.12], np.array(["2026-01-05"], "datetime64[s]"), time_steps=-1)


def test_every_bin_is_classed_at_90_95_and_99_percent():
    rng = np.random.default_rng(5)
    grid = grid_from_cells(h3.grid_disk(h3.latlng_to_cell(*CENTRE, 9), 8), 1)
    counts = rng.poisson(3, (10, len(grid)))
    counts[:, :20] += rng.integers(0, 6, (10, 20))
    for fdr in (True, False):
        result = emerging_on_grid(grid, counts, _weeks(10), fdr=fdr)
        p = 2 * stats.norm.sf(np.abs(result.z))
        adjusted = fdr_bh(p.ravel()).reshape(p.shape) if fdr else p
        np.testing.assert_allclose(result.p_fdr, adjusted, rtol=1e-12, atol=1e-15)
        magnitude = (adjusted < 0.10).astype(int) + (adjusted < 0.05) + (adjusted < 0.01)
        np.testing.assert_array_equal(result.cls, magnitude * np.sign(result.z))
        np.testing.assert_array_equal(result.hot, (result.cls > 0))  # alpha 0.10: 90%
        np.testing.assert_array_equal(result.cold, (result.cls < 0))
        assert result.fdr is fdr and result.time_steps == 1
    # Without the correction more bins are significant, never fewer.
    with_fdr = emerging_on_grid(grid, counts, _weeks(10))
    without = emerging_on_grid(grid, counts, _weeks(10), fdr=False)
    assert (without.cls != 0).sum() > (with_fdr.cls != 0).sum()
    assert np.all(np.abs(without.cls) >= np.abs(with_fdr.cls))
    at_95 = emerging_on_grid(grid, counts, _weeks(10), alpha=0.05)
    np.testing.assert_array_equal(at_95.hot, with_fdr.cls >= 2)


# --- one constructed case per category, in one cube -----------------------------------------

SLICES = 20
BACKGROUND = 10  # concerns per cell and slice, Poisson
_RAMP = np.linspace(0, 1, SLICES)
_STEP = np.arange(SLICES)
# Hot cases: concerns added to each cell of the place's disk (the cell and its ring), per slice.
HOT_CASES = {
    "new hot spot": np.where(_STEP == SLICES - 1, 12, 0),
    "consecutive hot spot": np.where(_STEP >= SLICES - 3, 12, 0),
    "intensifying hot spot": 4 + 12 * _RAMP,
    "persistent hot spot": np.full(SLICES, 5),
    "diminishing hot spot": 16 - 12 * _RAMP,
    "sporadic hot spot": np.isin(_STEP, [3, 8, 13, SLICES - 1]) * 12,
    # Hot to the second last slice: with one time step the last slice still sees it.
    "historical hot spot": np.where(_STEP < SLICES - 2, 8, 0),
}
# Cold cases: the share of the background kept on the place's disk, per slice.
COLD_CASES = {
    "new cold spot": np.where(_STEP == SLICES - 1, 0.0, 1.0),
    "consecutive cold spot": np.where(_STEP >= SLICES - 3, 0.0, 1.0),
    "intensifying cold spot": 0.35 * (1 - _RAMP),
    "persistent cold spot": np.zeros(SLICES),
    "diminishing cold spot": 0.35 * _RAMP,
    "sporadic cold spot": np.where(np.isin(_STEP, [3, 8, 13, SLICES - 1]), 0.0, 1.0),
    "historical cold spot": np.where(_STEP < SLICES - 2, 0.0, 1.0),
}
OTHER_CASES = ("oscillating hot spot", "oscillating cold spot", "no pattern")


def category_cube(seed):
    """A cube of 2,791 cells over 20 slices with one place planted per category, far apart."""
    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(*CENTRE, 9)
    origin = h3.cell_to_local_ij(centre, centre)
    places = [
        h3.local_ij_to_cell(centre, origin[0] + 7 * a, origin[1] + 7 * b)
        for a in range(-2, 3)
        for b in range(-2, 3)
    ]
    places = [c for c in places if h3.grid_distance(centre, c) <= 24]
    grid = grid_from_cells(h3.grid_disk(centre, 30), 1)
    counts = rng.poisson(BACKGROUND, (SLICES, len(grid))).astype(float)
    planted = {}
    names = [*HOT_CASES, *COLD_CASES, *OTHER_CASES]
    assert len(places) >= len(names)
    for name, place in zip(names, places, strict=False):
        disk = grid.positions(h3.grid_disk(place, 1))
        if name in HOT_CASES:
            counts[:, disk] += HOT_CASES[name][:, None]
        elif name in COLD_CASES:
            counts[:, disk] *= COLD_CASES[name][:, None]
        elif name == "oscillating hot spot":  # cold for a while, hot in the final slice
            counts[3:6, disk] = 0
            counts[-1, disk] += 12
        elif name == "oscillating cold spot":
            counts[3, disk] += 12
            counts[-1, disk] = 0
        planted[place] = name
    return grid, np.round(counts).astype(np.int64), planted


def test_each_category_from_a_constructed_cube():
    grid, counts, planted = category_cube(seed=6)
    result = emerging_on_grid(grid, counts, _weeks(SLICES))
    found = {}
    for place, name in planted.items():
        i = int(grid.positions([place])[0])
        flags = "".join(
            "H" if h else "C" if c else "."
            for h, c in zip(result.hot[:, i], result.cold[:, i], strict=True)
        )
        found[name] = (result.category[i], flags)
    assert {name: got for name, (got, _) in found.items()} == {n: n for n in planted.values()}, (
        found
    )
    # Every one of the 17 outcomes is exercised.
    assert len(set(planted.values())) == 2 * len(emerging.PATTERNS) + 1


def test_a_steady_place_stays_persistent_while_another_intensifies():
    """The issue's held-out scenario: 52 weeks of background over a city, a steady excess of
    about 12 concerns a week, an excess that grows through the year, and a final-week burst."""
    rng = np.random.default_rng(10)
    start = np.datetime64("2026-01-05T12:00", "s")
    places = {
        "steady": (CENTRE[0] + 0.015, CENTRE[1] - 0.02),
        "growing": (CENTRE[0] - 0.015, CENTRE[1] + 0.02),
        "burst": (CENTRE[0] + 0.015, CENTRE[1] + 0.02),
    }
    lats, lons, whens = [], [], []
    for week in range(52):
        excess = {
            "steady": rng.poisson(12),
            "growing": rng.poisson(8 + 0.5 * week),
            "burst": 25 if week == 51 else 0,
        }
        lats.append(CENTRE[0] + rng.uniform(-0.04, 0.04, 600))
        lons.append(CENTRE[1] + rng.uniform(-0.06, 0.06, 600))
        for name, (lat, lon) in places.items():
            lats.append(np.full(excess[name], lat))
            lons.append(np.full(excess[name], lon))
        whens.append(np.full(600 + sum(excess.values()), start + np.timedelta64(7 * week, "D")))
    lat, lon, when = (np.concatenate(a) for a in (lats, lons, whens))

    result = emerging_hotspots(lat, lon, when, interval="week")

    def category(name):
        i = int(np.flatnonzero(result.cells == h3.latlng_to_cell(*places[name], 9))[0])
        return result.category[i]

    assert category("steady") == "persistent hot spot"
    assert category("growing") == "intensifying hot spot"
    assert category("burst") == "new hot spot"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=12),
    st.lists(st.integers(0, 6), min_size=12, max_size=12),
)
def test_grouped_benjamini_hochberg_equals_it_over_every_test(values, repeats):
    p = np.array(values)
    count = np.array(repeats[: len(p)])
    if count.sum() == 0:
        count[0] = 1
    adjusted = emerging._fdr_bh_grouped(p, count)
    each = fdr_bh(np.repeat(p, count))
    np.testing.assert_allclose(np.repeat(adjusted, count), each, rtol=1e-12, atol=0)


@pytest.mark.parametrize("distinct", [3, 40, 300, 5000])
def test_index_of_finds_each_value(distinct):
    rng = np.random.default_rng(distinct)
    values = np.unique(rng.normal(size=distinct))
    x = rng.choice(values, 10_000)
    present = np.unique(x)
    everything = np.unique(np.concatenate([values, rng.normal(size=50)]))
    index = emerging._index_of(x, present, everything)
    np.testing.assert_array_equal(everything[index], x)


def test_index_of_treats_both_zeros_as_zero():
    everything = np.array([-1.0, 0.0, 2.0])
    x = np.array([-0.0, 2.0, 0.0, -1.0])
    index = emerging._index_of(x, np.unique(x), everything)
    assert index.tolist() == [1, 2, 1, 0]


def emerging_by_bin(lat, lon, when, *, interval, end=None, time_steps=1, alpha=0.10, fdr=True):
    """The straightforward way, bin by bin and cell by cell, to check the fast one."""
    point_cells = bin_points(lat, lon, 9).tolist()
    grid = grid_build(np.unique(point_cells), 1)
    position = {cell: i for i, cell in enumerate(grid.cells.tolist())}
    slot, starts = slice_index(when, interval, end)
    counts = np.zeros((len(starts), len(grid.cells)), dtype=np.int64)
    for t, cell in zip(slot.tolist(), point_cells, strict=True):
        counts[t, position[cell]] += 1
    dense = grid.weights.toarray()
    x = counts.astype(np.float64)
    bins = x.size
    z = np.empty(x.shape)
    for s in range(len(starts)):
        lags = range(max(0, s - time_steps), s + 1)
        total = sum(dense @ x[u] for u in lags)
        weight = dense.sum(axis=1) * len(lags)
        spread = np.sqrt((bins * weight - weight**2) / (bins - 1))
        z[s] = (total - x.mean() * weight) / (x.std() * spread)
    p = 2 * stats.norm.sf(np.abs(z))
    p_fdr = fdr_bh(p.ravel()).reshape(p.shape) if fdr else p
    hot = (p_fdr < alpha) & (z > 0)
    cold = (p_fdr < alpha) & (z < 0)
    trend = [mann_kendall_by_pairs(z[:, i]) for i in range(len(grid.cells))]
    category = [classify_series(hot[:, i], cold[:, i], tz, tp) for i, (tz, tp) in enumerate(trend)]
    return grid.cells, counts, z, p_fdr, hot, cold, np.array(trend), category


@pytest.mark.parametrize(
    ("interval", "end", "time_steps", "fdr", "kinds"),
    [
        ("week", None, 1, True, 4),
        ("week", None, 0, True, 4),
        ("week", None, 3, False, 3),
        ("month", "2026-06-30", 1, True, 3),
    ],
)
def test_the_cube_agrees_with_a_bin_by_bin_reference(interval, end, time_steps, fdr, kinds):
    rng = np.random.default_rng(7)
    start = np.datetime64("2026-01-05T00:00", "s")
    n = 8000
    lat = 52.2 + rng.uniform(-0.03, 0.03, n)
    lon = 0.12 + rng.uniform(-0.045, 0.045, n)
    when = start + rng.integers(0, 170 * 86400, n).astype("timedelta64[s]")
    # Places that warm up, cool down and flicker, so that several categories occur.
    for k, weeks in enumerate([range(21, 25), range(0, 24), range(0, 25, 3), range(25)]):
        m = 30 * len(weeks)
        lat = np.append(lat, np.full(m, 52.2 + 0.012 * (k - 1.5)))
        lon = np.append(lon, np.full(m, 0.12 + 0.018 * (k - 1.5)))
        week = np.repeat(np.array(weeks), 30)
        when = np.append(when, start + (week * 7 * 86400 + 3600).astype("timedelta64[s]"))
    end_day = None if end is None else np.datetime64(end)

    fast = emerging_hotspots(
        lat, lon, when, interval=interval, end=end_day, time_steps=time_steps, fdr=fdr
    )
    cells, counts, z, p_fdr, hot, cold, trend, category = emerging_by_bin(
        lat, lon, when, interval=interval, end=end_day, time_steps=time_steps, fdr=fdr
    )

    np.testing.assert_array_equal(fast.cells, cells)
    np.testing.assert_array_equal(fast.counts, counts)
    np.testing.assert_allclose(fast.z, z, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(fast.p_fdr, p_fdr, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(fast.hot, hot)
    np.testing.assert_array_equal(fast.cold, cold)
    np.testing.assert_allclose(fast.trend_z, trend[:, 0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fast.trend_p, trend[:, 1], rtol=1e-9, atol=1e-15)
    assert fast.category == category
    assert len(set(category)) >= kinds, set(category)  # several categories are exercised


def test_weeks_start_on_monday_and_empty_weeks_count():
    when = np.array(["2026-03-02T00:00", "2026-03-08T23:59", "2026-03-23T12:00"], "datetime64[s]")
    index, starts = slice_index(when, "week")
    assert index.tolist() == [0, 0, 3]
    assert starts[0] == np.datetime64("2026-03-02")  # a Monday
    assert len(starts) == 4
    index, starts = slice_index(when, "month")
    assert index.tolist() == [0, 0, 0] and starts[0] == np.datetime64("2026-03-01")


def test_a_place_that_heats_up_is_found():
    rng = np.random.default_rng(4)
    centre = (52.2053, 0.1218)
    weeks = 20
    lats, lons, whens = [], [], []
    start = np.datetime64("2026-01-05T12:00", "s")  # a Monday
    for week in range(weeks):
        n = 150
        lats.append(centre[0] + rng.uniform(-0.02, 0.02, n))
        lons.append(centre[1] + rng.uniform(-0.02, 0.02, n))
        whens.append(np.full(n, start + np.timedelta64(7 * week, "D")))
        if week >= weeks - 3:  # a new place in the last three weeks
            lats.append(np.full(25, centre[0] + 0.01))
            lons.append(np.full(25, centre[1] + 0.01))
            whens.append(np.full(25, start + np.timedelta64(7 * week, "D")))
    result = emerging_hotspots(
        np.concatenate(lats), np.concatenate(lons), np.concatenate(whens), interval="week"
    )
    assert len(result.slices) == weeks
    cell = h3.latlng_to_cell(centre[0] + 0.01, centre[1] + 0.01, 9)
    i = int(np.flatnonzero(result.cells == cell)[0])
    assert result.category[i] == "consecutive hot spot"
    assert result.hot[-3:, i].all()
    found = sum(c != "no pattern" for c in result.category)
    assert found < 0.05 * len(result.cells) + 10


@pytest.mark.parametrize("unit", ["D", "h", "m", "s", "ms", "us", "ns", "2h"])
def test_timestamps_in_any_unit_fall_in_the_same_slices(unit):
    # Before and after 1970, and either side of midnight.
    rng = np.random.default_rng(3)
    minutes = rng.integers(-2_000_000, 2_000_000, 500).astype("timedelta64[m]")
    when = (np.datetime64("1970-01-01T00:00") + minutes).astype(f"datetime64[{unit}]")
    days = when.astype("datetime64[D]")
    for interval in ("week", "month"):
        index, starts = slice_index(when, interval)
        same_index, same_starts = slice_index(days, interval)
        np.testing.assert_array_equal(index, same_index)
        np.testing.assert_array_equal(starts, same_starts)


def test_slices_aligned_to_the_end_of_the_period():
    when = np.array(["2026-10-28", "2026-11-20", "2026-11-27", "2026-09-27"], "datetime64[D]")
    index, starts = slice_index(when, "month", end=np.datetime64("2026-11-27"))
    # Months ending on 27 November: (27 Sep, 27 Oct], (27 Oct, 27 Nov] ... as [28th, 27th].
    assert starts.tolist()[-1] == np.datetime64("2026-10-28").item()
    assert index.tolist() == [2, 2, 2, 0]
    assert starts[0] == np.datetime64("2026-08-28")
    index, starts = slice_index(when, "week", end=np.datetime64("2026-11-27"))
    assert starts[-1] == np.datetime64("2026-11-21")
    assert index[2] == len(starts) - 1 and index[1] == len(starts) - 2
    with pytest.raises(ValueError, match="after the end"):
        slice_index(when, "week", end=np.datetime64("2026-11-26"))


def test_month_ends_clamp_to_shorter_months():
    when = np.array(["2026-02-28", "2026-03-01", "2026-03-30"], "datetime64[D]")
    index, starts = slice_index(when, "month", end=np.datetime64("2026-03-30"))
    # The month up to 30 March starts a month before 31 March, clamped to 28 February.
    assert starts.tolist() == [np.datetime64("2026-02-28").item()]
    assert index.tolist() == [0, 0, 0]
    # A period ending on a month's last day has calendar months for slices.
    _, starts = slice_index(when[:1], "month", end=np.datetime64("2026-03-31"))
    assert starts.tolist() == [np.datetime64(d).item() for d in ("2026-02-01", "2026-03-01")]
