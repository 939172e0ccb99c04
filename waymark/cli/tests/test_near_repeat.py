"""`waymark near-repeat`."""

import csv

import numpy as np
import pytest

from waymark.analytics import near_repeat
from waymark.cli import build_parser, main


def test_default_runs_are_the_analysis_default(tmp_path):
    args = ["near-repeat", "--input", "p.csv", "--distance-bands", "100", "--day-bands", "7"]
    parsed = build_parser().parse_args([*args, "--output", str(tmp_path / "out.csv")])
    assert parsed.runs == near_repeat.DEFAULT_RUNS == 99


# --- the command -------------------------------------------------------------------------------


def write_points(path, rows, header="lat,lon,occurred_at,category"):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")


def test_command_writes_the_near_repeat_calculator_table(tmp_path, capsys):
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(40):
        lat, lon = 52.0 + rng.uniform(0, 0.02), -1.0 + rng.uniform(0, 0.03)
        day = int(rng.integers(1, 28))
        for k in range(3):  # a near-repeat cluster: within about 20 m and 3 days
            rows.append(f"{lat + 0.0001 * k:.6f},{lon:.6f},2026-02-{day:02d}T1{k}:00:00,cse")
    source, output = tmp_path / "points.csv", tmp_path / "out.csv"
    write_points(source, rows)

    code = main(
        [
            "near-repeat",
            "--input",
            str(source),
            "--distance-bands",
            "100,200,300",
            "--day-bands",
            "7,14,21",
            "--runs",
            "99",
            "--seed",
            "1",
            "--output",
            str(output),
        ]
    )

    assert code == 0
    assert "more near repeats than chance" in capsys.readouterr().out
    with output.open(newline="") as handle:
        table = list(csv.reader(handle))
    assert table[0][:5] == [
        "distance",
        "0 to 7 days observed",
        "0 to 7 days expected",
        "0 to 7 days ratio",
        "0 to 7 days p",
    ]
    assert len(table[0]) == 1 + 4 * 4
    assert [row[0] for row in table[1:]] == [
        "same location",
        "1 to 100 m",
        "101 to 200 m",
        "201 to 300 m",
        "more than 300 m",
    ]
    assert sum(int(row[c]) for row in table[1:] for c in range(1, 17, 4)) == 120 * 119 // 2
    assert float(table[2][4]) <= 0.05
    assert float(table[2][3]) > 1
    assert sorted(tmp_path.iterdir()) == sorted([source, output])


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("lat,lon", ["52.0,-1.0", "52.1,-1.0"], "line 1, column 'occurred_at'"),
        (
            "lat,lon,occurred_at",
            ["52.0,-1.0,2026-01-01", "52.1,-1.0,yesterday"],
            "line 3, column 'occurred_at'",
        ),
        (
            "lat,lon,occurred_at",
            ["52.0,-1.0,2026-01-01", "x,-1.0,2026-01-02"],
            "line 3, column 'lat'",
        ),
        (
            "lat,lon,occurred_at",
            ["52.0,-1.0,2026-01-01", "52.0,-190,2026-01-02"],
            "line 3, column 'lon'",
        ),
        ("lon,occurred_at", ["-1.0,2026-01-01"], "line 1, column 'lat'"),
    ],
)
def test_bad_input_names_the_line_and_column_and_writes_nothing(
    tmp_path, capsys, header, rows, message
):
    source, output = tmp_path / "points.csv", tmp_path / "out.csv"
    write_points(source, rows, header=header)

    code = main(
        [
            "near-repeat",
            "--input",
            str(source),
            "--distance-bands",
            "100",
            "--day-bands",
            "7",
            "--output",
            str(output),
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert sorted(tmp_path.iterdir()) == [source]


def test_bad_bands_are_a_usage_error(tmp_path, capsys):
    source, output = tmp_path / "points.csv", tmp_path / "out.csv"
    write_points(source, ["52.0,-1.0,2026-01-01,x"])
    code = main(
        [
            "near-repeat",
            "--input",
            str(source),
            "--distance-bands",
            "200,100",
            "--day-bands",
            "7",
            "--output",
            str(output),
        ]
    )
    assert code == 2
    assert "increasing positive" in capsys.readouterr().err
    assert not output.exists()
