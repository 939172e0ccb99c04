"""`waymark peer-groups`."""

import csv

import numpy as np
import pytest

from waymark.analytics.tests.test_peer_groups import planted, ring_of_cliques
from waymark.cli import main

# --- the `waymark peer-groups` command -----------------------------------------------------------


def write_edges(path, rows, header=("source", "target", "weight")):
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_peer_groups_command_writes_every_person_and_a_summary(tmp_path, capsys):
    src, dst, labels = planted([6, 9, 12, 4, 15], links_out=0.3, seed=8)
    rows = [(f"yp{a}", f"yp{b}", "1") for a, b in zip(src, dst, strict=True)] + [("x", "y", "2")]
    edges = write_edges(tmp_path / "edges.csv", rows)
    out = tmp_path / "groups.csv"
    assert main(["peer-groups", "--edges", str(edges), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "5 groups of 3 or more, 2 people ungrouped" in printed
    assert "Modularity 0." in printed and "CPM" in printed
    found = list(csv.DictReader(out.open()))
    assert list(found[0]) == ["node", "group"]
    assert len(found) == labels.size + 2
    assert {r["node"]: r["group"] for r in found}["x"] == ""
    by_group = {}
    for r in found:
        if r["group"]:
            by_group.setdefault(r["group"], set()).add(int(r["node"][2:]))
    planted_sets = {frozenset(np.flatnonzero(labels == g).tolist()) for g in range(5)}
    assert set(map(frozenset, by_group.values())) == planted_sets
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_peer_groups_command_options(tmp_path, capsys):
    src, dst = ring_of_cliques(40, 4)
    edges = write_edges(tmp_path / "e.csv", zip(src, dst, strict=True), header=("target", "source"))
    out = tmp_path / "g.csv"
    args = ["peer-groups", "--edges", str(edges), "--output", str(out), "--seed", "3"]
    assert main([*args, "--objective", "modularity", "--resolution", "30", "--min-size", "4"]) == 0
    assert "modularity, resolution 30, seed 3" in capsys.readouterr().out
    assert main([*args, "--iterations", "-1"]) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("source,to\na,b\n", "line 1, column 'target': missing from the header"),
        ("source,target,weight\na,b,1\nb,c,heavy\n", "line 3, column 'weight': 'heavy' is not a"),
        ("source,target,weight\na,b,-2\n", "line 2, column 'weight': -2 is negative"),
        ("source,target,weight\na,b,inf\n", "line 2, column 'weight': 'inf' is not a finite"),
        ("source,target\na,b\n\nc,c\n", "line 4, columns 'source' and 'target': 'c' is linked"),
        ("source,target\na,\n", "line 2, column 'target': no value"),
        ("", "line 1: the file is empty"),
        ("source,target\n", "no links after the header"),
    ],
)
def test_bad_input_exits_2_names_the_line_and_writes_nothing(tmp_path, capsys, text, message):
    edges = tmp_path / "bad.csv"
    edges.write_text(text)
    out = tmp_path / "groups.csv"
    assert main(["peer-groups", "--edges", str(edges), "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert err.startswith("waymark peer-groups: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_a_failed_run_leaves_an_earlier_output_untouched(tmp_path, capsys):
    out = tmp_path / "groups.csv"
    out.write_text("node,group\nold,1\n")
    edges = write_edges(tmp_path / "bad.csv", [("a", "b", "1"), ("b", "b", "1")])
    assert main(["peer-groups", "--edges", str(edges), "--output", str(out)]) == 2
    assert out.read_text() == "node,group\nold,1\n"
    missing = tmp_path / "nowhere" / "groups.csv"
    edges = write_edges(tmp_path / "good.csv", [("a", "b", "1"), ("b", "c", "1")])
    assert main(["peer-groups", "--edges", str(edges), "--output", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert (
        main(["peer-groups", "--edges", str(edges), "--output", str(out), "--min-size", "0"]) == 2
    )
