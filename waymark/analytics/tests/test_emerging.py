import csv

import h3
import numpy as np
import pytest

from waymark.analytics.emerging import (
    classify_series,
    emerging_hotspots,
    mann_kendall,
    slice_index,
)
from waymark.analytics.tests.test_hotspots import points_csv
from waymark.cli import main


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
        ("CCCCCCCCCCC", FALLING, "intensifying cold spot"),
        ("CCCCCCCCCCC", RISING, "diminishing cold spot"),
        ("CCC.H.....C", FLAT, "oscillating cold spot"),
        ("CCCCCCCCCC.", FLAT, "historical cold spot"),
    ],
)
def test_each_category_from_a_constructed_series(pattern, trend, expected):
    hot, cold = series(pattern)
    assert classify_series(hot, cold, *trend) == expected


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


# --- the `waymark emerging-hotspots` command ------------------------------------------------


def test_emerging_hotspots_writes_csv(tmp_path, capsys):
    out = tmp_path / "trend.csv"
    path = points_csv(tmp_path, with_time=True)
    code = main(
        ["emerging-hotspots", "--input", str(path), "--interval", "month", "--output", str(out)]
    )
    assert code == 0, capsys.readouterr().err
    rows = list(csv.DictReader(out.open()))
    assert rows[0]["category"]
    assert "trend_z" in rows[0]


def test_emerging_needs_occurred_at(tmp_path, capsys):
    out = tmp_path / "out.csv"
    args = ["emerging-hotspots", "--input", str(points_csv(tmp_path)), "--output", str(out)]
    assert main(args) == 2
    assert "column 'occurred_at'" in capsys.readouterr().err
    assert not out.exists()
