import datetime

import pytest

from waymark.cli.errors import CommandFailed
from waymark.cli.io import InputError, read_edges, read_points, write_text_atomically


def write(tmp_path, text, name="points.csv"):
    path = tmp_path / name
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
    assert points.lat == [52.2, 52.3]
    assert points.lon == [0.12, 0.13]
    # Without an offset a time is taken as UTC; with one it is converted to UTC.
    assert points.occurred_at == [
        datetime.datetime(2026, 3, 1, 10),  # noqa: DTZ001 (naive UTC, as the reader returns)
        datetime.datetime(2026, 3, 2, 10),  # noqa: DTZ001
    ]
    assert points.category == ["cse", "cce"]
    assert len(points) == 2


def test_optional_columns_absent(tmp_path):
    points = read_points(write(tmp_path, "lon,lat\n0.1,52\n"))
    assert points.lat == [52.0]
    assert points.occurred_at is None
    assert points.category is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("lat,long\n52,0.1\n", "line 1, column 'lon': missing from the header (expected lat,lon;"),
        ("lat,lon\n52,0.1\n52,east\n", "line 3, column 'lon': 'east' is not a number"),
        ("lat,lon\n91,0.1\n", "line 2, column 'lat': 91 is out of range (-90 to 90)"),
        ("lat,lon\n52,-181\n", "line 2, column 'lon': -181 is out of range"),
        ("lat,lon\n52,nan\n", "line 2, column 'lon': 'nan' is not a finite number"),
        ("lat,lon\n52\n", "line 2, column 'lon': no value"),
        ("lat,lon,occurred_at\n52,0.1,yesterday\n", "line 2, column 'occurred_at'"),
        ("", "line 1: the file is empty; expected a header with lat,lon"),
    ],
)
def test_bad_points_name_line_and_column(tmp_path, text, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_points(write(tmp_path, text))


def test_reads_links_with_and_without_weights(tmp_path):
    path = write(tmp_path, " Target , SOURCE ,weight\nb,a,0.5\n\nc,b,0\n", "edges.csv")
    assert read_edges(path) == (["a", "b"], ["b", "c"], [0.5, 0.0])
    path = write(tmp_path, "source,target\na,b\n", "edges.csv")
    assert read_edges(path) == (["a"], ["b"], None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source,to\na,b\n", "line 1, column 'target': missing from the header"),
        ("source,target,weight\na,b,1\nb,c,heavy\n", "line 3, column 'weight': 'heavy' is not a"),
        ("source,target,weight\na,b,-2\n", "line 2, column 'weight': -2 is negative"),
        ("source,target\na,\n", "line 2, column 'target': no value"),
        ("source,target\na,b\nc,c\n", "line 3, columns 'source' and 'target': 'c' is linked"),
    ],
)
def test_bad_links_name_line_and_column(tmp_path, text, message):
    with pytest.raises(InputError, match=message):
        read_edges(write(tmp_path, text, "edges.csv"))


def test_an_unreadable_file_is_named(tmp_path):
    with pytest.raises(InputError, match="cannot read .*missing.csv"):
        read_points(tmp_path / "missing.csv")
    not_utf8 = tmp_path / "latin1.csv"
    not_utf8.write_bytes("lat,lon,category\n52,0.1,caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="line 1: 'utf-8' codec can't decode"):
        read_points(not_utf8)
    huge = "x" * 200_000
    with pytest.raises(InputError, match="line 3: field larger than field limit"):
        read_edges(write(tmp_path, f"source,target\na,b\nc,{huge}\n", "edges.csv"))


def test_writing_into_a_missing_folder_fails_and_leaves_nothing(tmp_path):
    with pytest.raises(CommandFailed, match="the folder .*nowhere does not exist"):
        write_text_atomically(tmp_path / "nowhere" / "out.csv", "x\n")
    write_text_atomically(tmp_path / "out.csv", "x\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
