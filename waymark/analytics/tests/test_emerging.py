import itertools

import h3
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from waymark.analytics import emerging
from waymark.analytics.emerging import (
    CATEGORIES,
    NO_PATTERN,
    PATTERNS,
    classify_cells,
    classify_series,
    emerging_hotspots,
    mann_kendall,
    slice_index,
)
from waymark.analytics.hotspots import bin_points, fdr_bh, gi_star, grid_build


def series(text: str) -> tuple[np.ndarray, np.ndarray]:
    """'H' hot, 'C' cold, '.' neither, oldest first."""
    return np.array([c == "H" for c in text]), np.array([c == "C" for c in text])


RISING, FALLING, FLAT = (3.0, 0.001), (-3.0, 0.001), (0.2, 0.8)


@pytest.mark.parametrize(
    ("pattern", "trend", "expected"),
    [
        ("..........H", FLAT, "new hot spot"),
        ("........HHH", RISING, "consecutive hot spot"),
        ("HHHHHHHHHHH", RISING, "intensifying hot spot"),
        (".HHHHHHHHHH", RISING, "intensifying hot spot"),  # 10 of 11 is over 90%
        ("HHHHHHHHHHH", FLAT, "persistent hot spot"),
        ("HHHHHHHHHHH", FALLING, "diminishing hot spot"),
        ("H..H...H..H", FLAT, "sporadic hot spot"),
        ("HHH.C.....H", FLAT, "oscillating hot spot"),
        ("HHHHHHHHHH.", FLAT, "historical hot spot"),
        ("HH.........", FLAT, "no pattern"),  # hot once, long ago: none of the patterns
        ("...........", FLAT, "no pattern"),
        ("..........C", FLAT, "new cold spot"),
        ("........CCC", FALLING, "consecutive cold spot"),
        ("CCCCCCCCCCC", FALLING, "intensifying cold spot"),
        ("CCCCCCCCCCC", FLAT, "persistent cold spot"),
        ("CCCCCCCCCCC", RISING, "diminishing cold spot"),
        ("C..C...C..C", FLAT, "sporadic cold spot"),
        ("CCC.H.....C", FLAT, "oscillating cold spot"),
        ("CCCCCCCCCC.", FLAT, "historical cold spot"),
        ("HHHHHHHHHH.", RISING, "historical hot spot"),  # the trend does not matter here
        ("H", FLAT, "persistent hot spot"),  # one slice, hot: 100% of the slices
    ],
)
def test_each_category_from_a_constructed_series(pattern, trend, expected):
    hot, cold = series(pattern)
    assert classify_series(hot, cold, *trend) == expected
    # The whole-grid classification gives the same, for the cell alone and among others.
    codes = classify_cells(hot[:, None], cold[:, None], np.array([trend[0]]), np.array([trend[1]]))
    assert CATEGORIES[codes[0]] == expected
    other_hot, other_cold = series(("HC." * len(pattern))[: len(pattern)])
    both = classify_cells(
        np.column_stack([other_hot, hot]),
        np.column_stack([other_cold, cold]),
        np.array([0.0, trend[0]]),
        np.array([1.0, trend[1]]),
    )
    assert CATEGORIES[both[1]] == expected


def test_every_category_has_a_code():
    assert len(CATEGORIES) == 2 * len(PATTERNS) + 1
    assert CATEGORIES[-1] == NO_PATTERN
    assert {c.rsplit(" ", 2)[0] for c in CATEGORIES[:-1]} == set(PATTERNS)


@st.composite
def hot_cold_series(draw):
    """A few cells' (slices, cells) hot and cold flags, never both, with trends."""
    slices = draw(st.integers(1, 24))
    cells = draw(st.integers(1, 12))
    state = draw(
        st.lists(
            st.lists(st.sampled_from("HC.."), min_size=slices, max_size=slices),
            min_size=cells,
            max_size=cells,
        )
    )
    grid = np.array(state).T  # (slices, cells)
    # Patterns that reach 90% need mostly-hot columns, which random draws rarely give.
    for column in range(0, cells, 3):
        grid[:, column] = draw(st.sampled_from("HC"))
        flips = draw(st.lists(st.integers(0, slices - 1), max_size=2))
        grid[flips, column] = "."
    trend_z = np.array(
        draw(st.lists(st.sampled_from([-3.0, -0.5, 0.0, 0.5, 3.0]), min_size=cells, max_size=cells))
    )
    trend_p = np.array(
        draw(st.lists(st.sampled_from([0.001, 0.05, 0.2, 1.0]), min_size=cells, max_size=cells))
    )
    return grid == "H", grid == "C", trend_z, trend_p


@settings(max_examples=300, deadline=None)
@given(hot_cold_series())
def test_classifying_every_cell_at_once_agrees_with_one_at_a_time(case):
    hot, cold, trend_z, trend_p = case
    codes = classify_cells(hot, cold, trend_z, trend_p, 0.05)
    for i in range(hot.shape[1]):
        one = classify_series(hot[:, i], cold[:, i], float(trend_z[i]), float(trend_p[i]), 0.05)
        assert CATEGORIES[codes[i]] == one


def mann_kendall_by_pairs(x):
    """The textbook double loop, one series at a time."""
    n = len(x)
    s = sum(np.sign(x[j] - x[i]) for i, j in itertools.combinations(range(n), 2))
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    z = (s - np.sign(s)) / np.sqrt(var) if var > 0 else 0.0
    return z, 2 * stats.norm.sf(abs(z))


@pytest.mark.parametrize(("slices", "levels"), [(2, 2), (11, 3), (52, 6), (52, 1000), (140, 4)])
def test_mann_kendall_agrees_with_the_double_loop(slices, levels):
    # Few levels give many ties; 140 slices pass the byte-sized counts.
    rng = np.random.default_rng(slices * levels)
    x = rng.integers(0, levels, (slices, 40)) * 0.25 + np.linspace(0, 1, slices)[:, None] * (
        rng.random(40) < 0.5
    )
    z, p = mann_kendall(x)
    for i in range(x.shape[1]):
        expected_z, expected_p = mann_kendall_by_pairs(x[:, i])
        assert z[i] == pytest.approx(expected_z, rel=1e-12, abs=1e-12)
        assert p[i] == pytest.approx(expected_p, rel=1e-9, abs=1e-15)


def test_mann_kendall_with_many_distinct_values():
    # More distinct values than 16-bit ranks can hold.
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 20_000))
    x[2, :5] = x[0, :5]  # and some ties
    z, _ = mann_kendall(x)
    for i in (0, 1, 2, 3, 4, 19_999):
        assert z[i] == pytest.approx(mann_kendall_by_pairs(x[:, i])[0], rel=1e-12, abs=1e-12)


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


def test_a_trend_that_is_not_significant_is_persistent():
    hot, cold = series("HHHHHHHHHH")
    assert classify_series(hot, cold, 1.5, 0.13) == "persistent hot spot"


def test_mann_kendall_matches_known_values():
    z, p = mann_kendall(np.arange(10.0))
    # S = 45, Var(S) = 10*9*25/18 = 125, z = 44/sqrt(125)
    assert z[0] == pytest.approx(44 / np.sqrt(125))
    assert p[0] < 0.001
    z, _ = mann_kendall(np.arange(10.0)[::-1])
    assert z[0] == pytest.approx(-44 / np.sqrt(125))
    # Ties: [1,1,2,3] -> S = 5, Var = (4*3*13 - 2*1*9)/18 = 7.667
    z, _ = mann_kendall(np.array([1.0, 1.0, 2.0, 3.0]))
    assert z[0] == pytest.approx(4 / np.sqrt((156 - 18) / 18))
    z, p = mann_kendall(np.full((5, 2), 3.0))
    assert z.tolist() == [0.0, 0.0] and p.tolist() == [1.0, 1.0]


def emerging_by_slice(lat, lon, when, *, interval, end=None, alpha=0.10, trend_alpha=0.05):
    """The straightforward way, slice by slice and cell by cell, to check the fast one."""
    point_cells = bin_points(lat, lon, 9).tolist()
    grid = grid_build(np.unique(point_cells), 1)
    position = {cell: i for i, cell in enumerate(grid.cells.tolist())}
    slot, starts = slice_index(when, interval, end)
    counts = np.zeros((len(starts), len(grid.cells)), dtype=np.int64)
    for t, cell in zip(slot.tolist(), point_cells, strict=True):
        counts[t, position[cell]] += 1
    z = np.array([gi_star(row.astype(np.float64), grid.weights) for row in counts])
    p_fdr = np.array([fdr_bh(2 * stats.norm.sf(np.abs(row))) for row in z])
    hot = (p_fdr < alpha) & (z > 0)
    cold = (p_fdr < alpha) & (z < 0)
    trend = [mann_kendall_by_pairs(z[:, i]) for i in range(len(grid.cells))]
    category = [
        classify_series(hot[:, i], cold[:, i], tz, tp, trend_alpha)
        for i, (tz, tp) in enumerate(trend)
    ]
    return grid.cells, counts, z, p_fdr, hot, cold, np.array(trend), category


@pytest.mark.parametrize(
    ("interval", "end", "kinds"), [("week", None, 5), ("month", "2026-06-30", 3)]
)
def test_the_cube_agrees_with_a_slice_by_slice_reference(interval, end, kinds):
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

    fast = emerging_hotspots(lat, lon, when, interval=interval, end=end_day)
    cells, counts, z, p_fdr, hot, cold, trend, category = emerging_by_slice(
        lat, lon, when, interval=interval, end=end_day
    )

    np.testing.assert_array_equal(fast.cells, cells)
    np.testing.assert_array_equal(fast.counts, counts)
    np.testing.assert_allclose(fast.z, z, rtol=1e-12, atol=1e-12)
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
