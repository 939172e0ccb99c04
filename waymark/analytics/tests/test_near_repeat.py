import itertools

import numpy as np
import pytest
from scipy.spatial import cKDTree

from waymark.analytics import near_repeat
from waymark.analytics.near_repeat import (
    NearRepeatError,
    knox_test,
    knox_test_latlon,
    project_to_metres,
)

DISTANCE_BANDS = (100, 200, 300)
DAY_BANDS = (7, 14, 21)


def brute_force(x, y, days, distance_bands, day_bands):
    """Every pair, one by one, into its Near Repeat Calculator cell."""
    table = np.zeros((len(distance_bands) + 2, len(day_bands) + 1), dtype=np.int64)
    for i, j in itertools.combinations(range(len(x)), 2):
        d = float(np.hypot(x[i] - x[j], y[i] - y[j]))
        row = (
            0
            if d == 0
            else 1 + next((k for k, e in enumerate(distance_bands) if d <= e), len(distance_bands))
        )
        gap = abs(int(days[i]) - int(days[j]))
        col = next((k for k, e in enumerate(day_bands) if gap <= e), len(day_bands))
        table[row, col] += 1
    return table


def test_counts_equal_a_double_loop_on_a_small_example():
    # Same place, band edges exactly (100 m, 7 days), just past them, and far apart.
    x = np.array([0.0, 0.0, 100.0, 100.5, 250.0, 300.0, 5000.0, 0.0, 60.0])
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 80.0, 80.0])
    days = np.array([0, 7, 8, 14, 15, 30, 2, 21, 22])

    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=19, seed=3
    )

    np.testing.assert_array_equal(
        result.observed, brute_force(x, y, days, DISTANCE_BANDS, DAY_BANDS)
    )
    assert result.observed.sum() == len(x) * (len(x) - 1) // 2
    assert result.distance_labels == (
        "same location",
        "1 to 100 m",
        "101 to 200 m",
        "201 to 300 m",
        "more than 300 m",
    )
    assert result.day_labels == (
        "0 to 7 days",
        "8 to 14 days",
        "15 to 21 days",
        "more than 21 days",
    )


def test_counts_equal_a_double_loop_on_random_data():
    rng = np.random.default_rng(11)
    x = np.round(rng.uniform(0, 600, 150))
    y = np.round(rng.uniform(0, 600, 150))
    x[:10] = x[10:20]  # some repeats at the same location
    y[:10] = y[10:20]
    days = rng.integers(0, 60, 150)

    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=5, seed=1
    )

    np.testing.assert_array_equal(
        result.observed, brute_force(x, y, days, DISTANCE_BANDS, DAY_BANDS)
    )
    # Every permutation keeps the number of pairs, so the expected counts add up to it too.
    assert result.expected.sum() == pytest.approx(150 * 149 / 2)


def table_by_all_pairs(x, y, days, distance_bands, day_bands):
    """Every pair at once with numpy: the same table as brute_force, for larger data."""
    first, second = np.triu_indices(len(x), 1)
    distance = np.hypot(x[first] - x[second], y[first] - y[second])
    gap = np.abs(days[first] - days[second])
    row = np.where(distance == 0, 0, 1 + np.searchsorted(distance_bands, distance, side="left"))
    col = np.searchsorted(day_bands, gap, side="left")
    shape = (len(distance_bands) + 2, len(day_bands) + 1)
    return np.bincount(row * shape[1] + col, minlength=shape[0] * shape[1]).reshape(shape)


@pytest.mark.parametrize(("span", "runs"), [(400, 11), (50_000, 6)])
def test_every_run_counts_its_own_shuffle_of_the_days(span, runs):
    # Dense enough that a distance band holds more pairs than one pass takes; 50,000 days
    # need 32-bit lanes. Each run's shuffle is rebuilt here from its seed and counted directly.
    rng = np.random.default_rng(span)
    n = 2500
    x = np.round(rng.uniform(0, 800, n))
    y = np.round(rng.uniform(0, 800, n))
    days = rng.integers(0, span, n)

    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=runs, seed=5
    )

    observed = table_by_all_pairs(x, y, days, DISTANCE_BANDS, DAY_BANDS)
    np.testing.assert_array_equal(result.observed, observed)
    assert result.observed[1:4].sum(axis=1).max() > near_repeat._CHUNK
    shuffles = [
        table_by_all_pairs(
            x, y, days[np.random.default_rng(child).permutation(n)], DISTANCE_BANDS, DAY_BANDS
        )
        for child in np.random.SeedSequence(5).spawn(runs)
    ]
    np.testing.assert_array_equal(result.expected, np.sum(shuffles, axis=0) / runs)
    at_least = np.sum([table >= observed for table in shuffles], axis=0)
    np.testing.assert_array_equal(result.p_value, (1 + at_least) / (runs + 1))


def table_by_tree(x, y, days, distance_bands, day_bands):
    """The close pairs from one k-d tree query over every event; the far row from all pairs."""
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(distance_bands[-1], output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    distance = np.hypot(x[first] - x[second], y[first] - y[second])
    row = np.where(distance == 0, 0, 1 + np.searchsorted(distance_bands, distance, side="left"))
    col = np.searchsorted(day_bands, np.abs(days[first] - days[second]), side="left")
    cols = len(day_bands) + 1
    close = np.bincount(row * cols + col, minlength=(len(distance_bands) + 1) * cols)
    close = close.reshape(-1, cols)
    # All pairs by their gap in days, from how many events fall on each day.
    per_day = np.bincount(days - days.min())
    by_gap = [int((per_day * (per_day - 1)).sum()) // 2] + [
        int((per_day[:-gap] * per_day[gap:]).sum()) for gap in range(1, len(per_day))
    ]
    band = np.searchsorted(day_bands, np.arange(len(by_gap)), side="left")
    everything = np.bincount(band, weights=by_gap, minlength=cols).astype(np.int64)
    return np.vstack([close, everything - close.sum(axis=0)])


def test_many_events_split_across_threads_give_the_same_table():
    # Enough events for the pairs to be found in two halves and across the split; whole metres,
    # shared addresses and events on the dividing line test the edges.
    rng = np.random.default_rng(12)
    n = near_repeat._SPLIT_FROM + 2000
    x = np.round(rng.uniform(0, 6000, n))
    y = np.round(rng.uniform(0, 3000, n))
    x[:400] = x[400:800]
    y[:400] = y[400:800]
    x[800:900] = np.median(x)
    days = rng.integers(0, 200, n)
    kwargs = dict(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=9, seed=2
    )

    one, two = knox_test(**kwargs, workers=1), knox_test(**kwargs, workers=2)

    expected = table_by_tree(x, y, days, DISTANCE_BANDS, DAY_BANDS)
    np.testing.assert_array_equal(one.observed, expected)
    np.testing.assert_array_equal(two.observed, expected)
    np.testing.assert_array_equal(one.expected, two.expected)
    np.testing.assert_array_equal(one.p_value, two.p_value)


@pytest.mark.parametrize("pairs", [0, 1, 7, 254 * 8 + 3, 3 * near_repeat._CHUNK + 5])
@pytest.mark.parametrize("span", [700, 40_000])
def test_gap_counts_in_every_lane(pairs, span):
    rng = np.random.default_rng(pairs)
    lanes = near_repeat._lanes(span)
    events = 300
    days = rng.integers(0, span + 1, (events, lanes.count)).astype(lanes.dtype)
    first = rng.integers(0, events, pairs)
    second = rng.integers(0, events, pairs)
    edges = np.array([0, 3, 30, 365, span], dtype=lanes.dtype)  # the last takes every pair

    within = near_repeat._gaps_within(
        days.view(near_repeat._ITEM).reshape(events), first, second, edges, lanes
    )

    gaps = np.abs(days[first].astype(np.int64) - days[second])  # (pairs, lanes)
    expected = np.array([(gaps <= e).sum(axis=0) for e in edges.tolist()])
    np.testing.assert_array_equal(within, expected)


def planted(seed):
    """Uniform background, plus chains of near repeats: each cluster close in space and time."""
    rng = np.random.default_rng(seed)
    n_background, n_clusters, per_cluster = 1500, 60, 5
    x = list(rng.uniform(0, 5000, n_background))
    y = list(rng.uniform(0, 5000, n_background))
    days = list(rng.integers(0, 365, n_background))
    for _ in range(n_clusters):
        cx, cy, cd = rng.uniform(0, 5000), rng.uniform(0, 5000), rng.integers(0, 358)
        x += list(cx + rng.uniform(-40, 40, per_cluster))
        y += list(cy + rng.uniform(-40, 40, per_cluster))
        days += list(cd + rng.integers(0, 7, per_cluster))
    return np.array(x), np.array(y), np.array(days)


def test_a_planted_near_repeat_pattern_is_detected():
    x, y, days = planted(seed=5)

    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=99, seed=1
    )

    assert result.p_value[1, 0] <= 0.05
    assert result.ratio[1, 0] > 1.5
    assert result.near_repeat


def test_a_null_pattern_is_not_detected():
    rng = np.random.default_rng(2024)
    n = 1800
    x, y = rng.uniform(0, 5000, n), rng.uniform(0, 5000, n)
    days = rng.integers(0, 365, n)

    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=99, seed=1
    )

    assert result.p_value[1, 0] > 0.05
    assert not result.near_repeat
    assert 0.5 < result.ratio[1, 0] < 1.5


def city_year(seed, *, chains):
    """A year of concerns over a city about 10 km across (latitude, longitude, timestamps),
    with `chains` of near repeats: a few concerns within about 50 m and a week of each other."""
    rng = np.random.default_rng(seed)
    n = 12_000
    lat = 52.45 + rng.uniform(0, 0.09, n)  # about 10 km north to south
    lon = -1.95 + rng.uniform(0, 0.15, n)  # about 10 km east to west
    day = rng.integers(0, 365, n)
    for _ in range(chains):
        k = int(rng.integers(3, 7))
        lat = np.append(lat, lat[-1] + rng.uniform(-0.0004, 0.0004, k))
        lon = np.append(lon, lon[-1] + rng.uniform(-0.0006, 0.0006, k))
        day = np.append(day, day[-1] % 358 + rng.integers(0, 7, k))
        lat[-1], lon[-1] = rng.uniform(52.45, 52.54), rng.uniform(-1.95, -1.80)  # next chain
    stamps = np.datetime64("2026-01-01", "D") + day.astype("timedelta64[D]")
    return lat, lon, stamps


@pytest.mark.parametrize(("chains", "found"), [(400, True), (0, False)])
def test_near_repeats_over_a_city_year(chains, found):
    lat, lon, stamps = city_year(3, chains=chains)

    result = knox_test_latlon(
        lat=lat,
        lon=lon,
        occurred_at=stamps,
        distance_bands=DISTANCE_BANDS,
        day_bands=DAY_BANDS,
        runs=99,
        seed=1,
    )

    assert result.near_repeat is found
    assert bool(result.p_value[1, 0] <= 0.05) is found
    if found:
        assert result.ratio[1, 0] > 1.2
    else:
        assert 0.8 < result.ratio[1, 0] < 1.2


def test_the_same_seed_gives_the_same_result_with_any_number_of_threads():
    x, y, days = planted(seed=8)
    kwargs = dict(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=20, seed=42
    )

    one = knox_test(**kwargs, workers=1)
    two = knox_test(**kwargs, workers=2)

    np.testing.assert_array_equal(one.expected, two.expected)
    np.testing.assert_array_equal(one.p_value, two.p_value)


def test_p_values_are_monte_carlo_pseudo_p_values():
    x, y, days = planted(seed=9)
    result = knox_test(
        x=x, y=y, days=days, distance_bands=DISTANCE_BANDS, day_bands=DAY_BANDS, runs=49, seed=4
    )
    assert np.all(result.p_value >= 1 / 50)
    assert np.all(result.p_value <= 1)
    np.testing.assert_allclose(result.p_value * 50, np.round(result.p_value * 50))


def test_projection_gives_metres():
    # 0.001 degrees of latitude is about 111 m anywhere; of longitude, 111 m x cos(latitude).
    x, y = project_to_metres([52.0, 52.001, 52.0], [-1.0, -1.0, -0.999])
    assert y[1] - y[0] == pytest.approx(111.2, abs=0.1)
    assert x[2] - x[0] == pytest.approx(111.2 * np.cos(np.radians(52.0)), rel=1e-4)


def test_latlon_entry_uses_calendar_days():
    lat = np.array([52.0, 52.0001, 52.5])
    lon = np.array([-1.0, -1.0, -1.0])
    stamps = np.array(
        ["2026-01-01T23:59", "2026-01-09T00:01", "2026-01-01T12:00"], dtype="datetime64[s]"
    )
    result = knox_test_latlon(
        lat=lat, lon=lon, occurred_at=stamps, distance_bands=[100], day_bands=[7, 8], runs=3, seed=0
    )
    # The first two are 11 m apart and 8 calendar days apart (though under 7 days 1 minute).
    assert result.observed[1].tolist() == [0, 1, 0]


@pytest.mark.parametrize(
    ("bands", "day_bands"),
    [((), (7,)), ((100, 50), (7,)), ((100,), (0, 7)), ((100,), (7.5,)), ((-1,), (7,))],
)
def test_bad_bands_are_refused(bands, day_bands):
    with pytest.raises(NearRepeatError):
        knox_test(
            x=[0.0, 1.0],
            y=[0.0, 1.0],
            days=[0, 1],
            distance_bands=bands,
            day_bands=day_bands,
            runs=1,
        )
