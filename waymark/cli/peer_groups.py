"""The `waymark peer-groups` command. It needs no database.

    waymark peer-groups --edges edges.csv [--objective cpm|modularity] [--resolution R]
                        [--seed 1] [--min-size 3] [--iterations N] --output groups.csv

It reads links from a CSV file with a header naming `source` and `target` (and optionally
`weight`), finds peer groups with Leiden, writes a `node,group` CSV and prints a summary. Bad
input ends with one line on stderr naming the line and column, exit code 2, and no output file.
See docs/how-to/peer-groups.md.
"""

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waymark.analytics.defaults import (
    CONVERGED,
    DEFAULT_DENSITY,
    DEFAULT_MODULARITY_RESOLUTION,
    MAX_ITERATIONS,
    MIN_GROUP_SIZE,
)
from waymark.cli.errors import CommandFailed
from waymark.cli.io import InputError, Subcommands, positive_int, read_edges, write_csv

if TYPE_CHECKING:
    from waymark.analytics.peer_graph import PeerGraph
    from waymark.analytics.peer_groups import PeerGroups

SIZE_BANDS = ((3, 5), (6, 10), (11, 20), (21, 40))


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


def add_commands(commands: Subcommands) -> None:
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
        help=f"cpm: the link density that makes a group (default {DEFAULT_DENSITY:g} x the median "
        f"link weight); modularity: the resolution (default {DEFAULT_MODULARITY_RESOLUTION:g}). "
        "Higher gives smaller groups",
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
        f"moving single people could improve the groups by less than {CONVERGED * 100:g}%%, at "
        f"most {MAX_ITERATIONS})",
    )
    peer.set_defaults(handler=cmd_peer_groups)


def result_rows(graph: "PeerGraph", groups: "PeerGroups") -> list[list[Any]]:
    """One row per person: groups in order (1 is the largest), then the ungrouped (no group);
    people by id within each."""
    rows: list[list[Any]] = []
    for number, members in enumerate(groups.groups, start=1):
        rows += [[node, number] for node in sorted(graph.ids[members].tolist())]
    rows += [[node, ""] for node in sorted(graph.ids[groups.ungrouped].tolist())]
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
    # The numeric stack takes seconds to load: only the commands that use it load it.
    import numpy as np

    from waymark.analytics.peer_graph import graph_from_edges
    from waymark.analytics.peer_groups import peer_groups

    try:
        sources, targets, weights = read_edges(args.edges)
    except InputError as exc:
        raise CommandFailed(f"{args.edges}: {exc}") from exc
    if not sources:
        raise CommandFailed(f"{args.edges}: no links after the header")
    graph = graph_from_edges(
        np.array(sources), np.array(targets), None if weights is None else np.array(weights)
    )
    if graph.graph.ecount() == 0:
        raise CommandFailed(f"{args.edges}: every link has weight 0; there is nothing to group")
    groups = peer_groups(
        graph,
        objective=args.objective,
        resolution=args.resolution,
        seed=args.seed,
        min_size=args.min_size,
        n_iterations=args.iterations,
    )
    write_csv(args.output, ["node", "group"], result_rows(graph, groups))
    print(summary(graph, groups, args.output))
    return 0
