"""Mann-Kendall and ArcGIS's categories, one series at a time and every cell at once."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from waymark.analytics.emerging_trends import (
    CATEGORIES,
    NO_PATTERN,
    PATTERNS,
    classify_cells,
    classify_series,
    mann_kendall,
)


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
        # Never hot before but once cold: oscillating (ArcGIS's oscillating and new both
        # describe it; oscillating says more, and sfdep decides the same).
        ("....C.....H", FLAT, "oscillating hot spot"),
        ("...C....HHH", RISING, "oscillating hot spot"),
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
        ("....H.....C", FLAT, "oscillating cold spot"),
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


def test_mann_kendall_agrees_with_pymannkendall():
    pymannkendall = pytest.importorskip("pymannkendall")
    rng = np.random.default_rng(11)
    cases = [
        np.arange(12.0),
        np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0, 5.0]),  # ties
        np.array([2.0, 2.0, 2.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0]),  # many ties
        rng.integers(0, 4, 52).astype(float),  # 52 weeks of few levels
        rng.normal(size=52) + np.linspace(0, 1.5, 52),
        np.linspace(2.0, -1.0, 20),
    ]
    for x in cases:
        expected = pymannkendall.original_test(x)
        z, p = mann_kendall(x)
        assert z[0] == pytest.approx(expected.z, rel=1e-12, abs=1e-12)
        assert p[0] == pytest.approx(expected.p, rel=1e-9, abs=1e-15)
    # Every column at once gives the same as one at a time.
    block = np.column_stack([rng.integers(0, 5, 30).astype(float) for _ in range(7)])
    z, _ = mann_kendall(block)
    for i in range(block.shape[1]):
        assert z[i] == pytest.approx(pymannkendall.original_test(block[:, i]).z, abs=1e-12)


def test_mann_kendall_by_hand_with_ties():
    # x = [2, 1, 2, 3, 3]: of the 10 pairs, 7 rise, 1 falls (2 -> 1) and 2 are ties (2, 2 and
    # 3, 3), so S = 6. Two groups of 2 ties: Var(S) = (5*4*15 - 2 * 2*1*9) / 18 = 264 / 18.
    z, p = mann_kendall(np.array([2.0, 1.0, 2.0, 3.0, 3.0]))
    assert z[0] == pytest.approx(5 / np.sqrt(264 / 18))
    assert p[0] == pytest.approx(2 * stats.norm.sf(5 / np.sqrt(264 / 18)))
