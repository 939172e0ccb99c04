"""`waymark hotspots` and `waymark emerging-hotspots`."""

import csv
import json

import h3
import numpy as np
import pytest

from waymark.cli import main

CENTRE = (52.2053, 0.1218)  # Cambridge


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


def test_emerging_hotspots_options(tmp_path, capsys):
    path = points_csv(tmp_path, with_time=True)
    out = tmp_path / "trend.csv"
    base = ["emerging-hotspots", "--input", str(path), "--interval", "month", "--output", str(out)]
    assert main([*base, "--time-steps", "0", "--confidence", "99", "--no-fdr"]) == 0
    printed = capsys.readouterr().out
    assert "0 earlier time step(s)" in printed and "99% without FDR" in printed
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == [
        "h3", "count", "slices_hot", "slices_cold", "final_z", "final_class", "trend_z", "trend_p",
        "category",
    ]  # fmt: skip
    centre = next(r for r in rows if r["h3"] == h3.latlng_to_cell(*CENTRE, 9))
    assert centre["final_class"].startswith("hot")
    assert main(base) == 0
    assert "1 earlier time step(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("option", "value"), [("--time-steps", "-1"), ("--time-steps", "x"), ("--confidence", "80")]
)
def test_emerging_hotspots_bad_options_exit_2_naming_the_option(tmp_path, capsys, option, value):
    out = tmp_path / "out.csv"
    path = points_csv(tmp_path, with_time=True)
    args = ["emerging-hotspots", "--input", str(path), "--output", str(out), option, value]
    assert main(args) == 2
    assert f"argument {option}" in capsys.readouterr().err
    assert not out.exists()
