"""The `waymark peer-groups` command (registered by `waymark.cli`). It needs no database.

    waymark peer-groups --edges edges.csv [--objective cpm|modularity] [--resolution R]
                        [--seed 1] [--min-size 3] [--iterations N] --output groups.csv

It reads links from a CSV file with a header naming `source` and `target` (and optionally
`weight`), finds peer groups with Leiden, writes a `node,group` CSV and prints a summary. It
follows `waymark.cli`: bad input ends with one line on stderr naming the line and column, exit
code 2, and no output file. See docs/how-to/peer-groups.md.
"""

import argparse
import csv
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waymark.cli_support import csv_text, positive_int, write_text_atomically

if TYPE_CHECKING:
    from waymark.analytics.peer_graph import PeerGraph
    from waymark.analytics.peer_groups import PeerGroups

# The same as waymark.analytics.peer_groups.MIN_GROUP_SIZE; not imported from there so that
# building the parser for every `waymark` command does not load igraph.
MIN_GROUP_SIZE = 3
SIZE_BANDS = ((3, 5), (6, 10), (11, 20), (21, 40))


class EdgesError(ValueError):
    """A problem with the links file, in words that name the line and column to fix."""


def _failed(message: str) -> Exception:
    from waymark.cli import CommandFailed

    return CommandFailed(message)


def _resolution(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not (number > 0 and math.isfinite(number)):
        raise argparse.ArgumentTypeError(f"'{value}' is not a positive number")
    return number


def _iterations(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number == 0 or number < -1:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a number of iterations (1 or more, or -1: until stable)"
        )
    return number


def add_commands(commands: Any) -> None:
    peer = commands.add_parser(
        "peer-groups",
        help="find peer groups in a network of links between young people (no database)",
        description="Read links (source,target[,weight]) from a CSV file, find peer groups with "
        "the Leiden algorithm, and write each person's group. Groups smaller than --min-size "
        "are reported as ungrouped. See docs/how-to/peer-groups.md.",
    )
    peer.add_argument(
        "--edges", required=True, type=Path, help="CSV with source,target[,weight] columns"
    )
    peer.add_argument("--output", required=True, type=Path, help="CSV file to write (node,group)")
    peer.add_argument(
        "--objective",
        choices=("cpm", "modularity"),
        default="cpm",
        help="what Leiden optimises: cpm (the Constant Potts Model, default) or modularity",
    )
    peer.add_argument(
        "--resolution",
        type=_resolution,
        default=None,
        help="cpm: the link density that makes a group (default 0.05 x the median link weight); "
        "modularity: the resolution (default 1). Higher gives smaller groups",
    )
    peer.add_argument("--seed", type=int, default=1, help="random seed (1): same seed, same groups")
    peer.add_argument(
        "--min-size",
        type=positive_int,
        default=MIN_GROUP_SIZE,
        help=f"smallest group; people in smaller ones are ungrouped ({MIN_GROUP_SIZE})",
    )
    peer.add_argument(
        "--iterations",
        type=_iterations,
        default=None,
        help="Leiden iterations, or -1 until an iteration improves nothing (default: until "
        "moving single people could improve the groups by less than 0.1%%, at most 10)",
    )
    peer.set_defaults(handler=cmd_peer_groups)


def read_edges(path: Path) -> tuple[list[str], list[str], list[float] | None]:
    """Read and check every row; raise EdgesError at the first bad one. Lines are counted as a
    text editor counts them, the header being line 1."""
    sources: list[str] = []
    targets: list[str] = []
    weights: list[float] = []
    has_weight = False
    try:
        handle = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise EdgesError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None:
                raise EdgesError(
                    "line 1: the file is empty; expected a header with source,target[,weight]"
                )
            names = [name.strip().lower() for name in header]
            for column in ("source", "target"):
                if column not in names:
                    raise EdgesError(
                        f"line 1, column '{column}': missing from the header "
                        "(expected source,target or source,target,weight)"
                    )
            s, t = names.index("source"), names.index("target")
            has_weight = "weight" in names
            w = names.index("weight") if has_weight else -1
            for row in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                source = _cell(row, s, line, "source")
                target = _cell(row, t, line, "target")
                if source == target:
                    raise EdgesError(
                        f"line {line}, columns 'source' and 'target': '{source}' is linked to "
                        "itself (a self-loop); a link joins two different people"
                    )
                sources.append(source)
                targets.append(target)
                if has_weight:
                    weights.append(_weight(_cell(row, w, line, "weight"), line))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise EdgesError(f"line {reader.line_num}: {exc}") from None
    return sources, targets, (weights if has_weight else None)


def _cell(row: list[str], index: int, line: int, column: str) -> str:
    value = row[index].strip() if index < len(row) else ""
    if not value:
        raise EdgesError(f"line {line}, column '{column}': empty")
    return value


def _weight(text: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EdgesError(f"line {line}, column 'weight': '{text}' is not a number") from None
    if not math.isfinite(value):
        raise EdgesError(f"line {line}, column 'weight': '{text}' is not a finite number")
    if value < 0:
        raise EdgesError(f"line {line}, column 'weight': {text} is negative; use 0 or more")
    return value


def result_rows(graph: "PeerGraph", groups: "PeerGroups") -> list[list[Any]]:
    """One row per person: groups in order (1 is the largest), then the ungrouped (no group);
    people by id within each."""
    import numpy as np

    rows: list[list[Any]] = []
    for number, members in enumerate(groups.groups, start=1):
        rows += [[node, number] for node in np.sort(graph.ids[members]).tolist()]
    rows += [[node, ""] for node in np.sort(graph.ids[groups.ungrouped]).tolist()]
    return rows


def summary(graph: "PeerGraph", groups: "PeerGroups", output: Path) -> str:
    sizes = [len(members) for members in groups.groups]
    people = graph.graph.vcount()
    lines = [
        f"{people:,} people, {graph.graph.ecount():,} links: {len(sizes):,} groups of "
        f"{groups.min_size} or more, {len(groups.ungrouped):,} people ungrouped.",
    ]
    if sizes:
        bands = [f"{lo} to {hi}: {sum(lo <= s <= hi for s in sizes):,}" for lo, hi in SIZE_BANDS]
        larger = sum(s > SIZE_BANDS[-1][1] for s in sizes)
        bands.append(f"over {SIZE_BANDS[-1][1]}: {larger:,}")
        smaller = sum(s < SIZE_BANDS[0][0] for s in sizes)
        if smaller:
            bands.insert(0, f"under {SIZE_BANDS[0][0]}: {smaller:,}")
        lines.append(
            f"Group sizes {min(sizes)} to {max(sizes)}; groups by size: {'; '.join(bands)}."
        )
    objective = "CPM" if groups.objective == "cpm" else groups.objective
    lines.append(
        f"Modularity {groups.modularity:.4f} ({objective}, resolution "
        f"{groups.resolution:.6g}, seed {groups.seed}). Written to {output}."
    )
    return "\n".join(lines)


def cmd_peer_groups(args: argparse.Namespace) -> int:
    import numpy as np

    from waymark.analytics.peer_graph import graph_from_edges
    from waymark.analytics.peer_groups import peer_groups

    try:
        sources, targets, weights = read_edges(args.edges)
    except EdgesError as exc:
        raise _failed(f"{args.edges}: {exc}") from exc
    if not sources:
        raise _failed(f"{args.edges}: no links after the header")
    graph = graph_from_edges(
        np.array(sources), np.array(targets), None if weights is None else np.array(weights)
    )
    if graph.graph.ecount() == 0:
        raise _failed(f"{args.edges}: every link has weight 0; there is nothing to group")
    groups = peer_groups(
        graph,
        objective=args.objective,
        resolution=args.resolution,
        seed=args.seed,
        min_size=args.min_size,
        n_iterations=args.iterations,
    )
    try:
        write_text_atomically(args.output, csv_text(["node", "group"], result_rows(graph, groups)))
    except NotADirectoryError as exc:
        raise _failed(str(exc)) from exc
    print(summary(graph, groups, args.output))
    return 0
