import numpy as np
import pytest

from waymark.analytics.points import PointsError, read_points


def write(tmp_path, text):
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_lat_lon_time_and_category(tmp_path):
    path = write(
        tmp_path,
        "lat,lon,occurred_at,category\n"
        "52.2,0.12,2026-03-01T10:00:00,cse\n"
        "\n"
        "52.3,0.13,2026-03-02T11:00:00+01:00,cce\n",
    )
    points = read_points(path)
    assert points.lat.tolist() == [52.2, 52.3]
    assert points.lon.tolist() == [0.12, 0.13]
    assert points.occurred_at is not None
    assert points.occurred_at.dtype == np.dtype("datetime64[s]")
    assert points.occurred_at[1] == np.datetime64("2026-03-02T10:00:00")
    assert points.category == ["cse", "cce"]


def test_optional_columns_absent(tmp_path):
    points = read_points(write(tmp_path, "lon,lat\n0.1,52\n"))
    assert points.lat.tolist() == [52.0]
    assert points.occurred_at is None
    assert points.category is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lat,long\n52,0.1\n", "line 1, column 'lon': missing"),
        ("lat,lon\n52,0.1\n52,east\n", "line 3, column 'lon': 'east' is not a number"),
        ("lat,lon\n91,0.1\n", "line 2, column 'lat': 91 is out of range"),
        ("lat,lon\n52,-181\n", "line 2, column 'lon': -181 is out of range"),
        ("lat,lon\n52,nan\n", "line 2, column 'lon'"),
        ("lat,lon\n52\n", "line 2, column 'lon': no value"),
        ("lat,lon,occurred_at\n52,0.1,yesterday\n", "line 2, column 'occurred_at'"),
        ("", "line 1"),
    ],
)
def test_bad_input_names_line_and_column(tmp_path, text, message):
    with pytest.raises(PointsError, match=message):
        read_points(write(tmp_path, text))
