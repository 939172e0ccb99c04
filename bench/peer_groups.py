"""Peer groups at partnership scale: Waymark against networkx and igraph Louvain, in one run.

Targets: Waymark's peer groups on 100,000 young people and 500,000 links in under 1 s, at least
20x faster than networkx's Louvain, with an NMI against the planted groups of at least 0.95 and
no lower than the best peer's. Key connections (betweenness) at a cost that does not grow with
the network: timed at 10,000 and 100,000 young people against igraph's exact and sampled
betweenness.

What it does
------------
1. Generates a planted-partition network (fixed seed): young people in groups of 3 to 40 (sizes
   drawn with probability proportional to 1/size, so small groups are the most common, as peer
   groups are), each group a ring of its members plus random pairs inside it, and a fifth of the
   links joining random young people in different groups. Ids are shuffled, so neither the id
   order nor the order of the links says anything about the groups.
2. Times, each the median of --runs runs (3):
   - Waymark end to end, from the link arrays to the groups: `graph_from_edges` (ids to
     vertices, parallel links summed, the igraph graph) then `peer_groups` with its defaults;
   - igraph's `community_multilevel` (Louvain) on a prebuilt igraph graph of the same links;
   - networkx's `louvain_communities` (seed 1) on a prebuilt networkx graph: one run by default
     (--networkx-runs), as it takes tens of seconds.
   The peers are timed on graphs built beforehand, untimed; Waymark's time includes building its
   own. For information, one run each of Waymark iterating until an iteration improves nothing
   (the default stops once single moves could add less than 0.1%), and of Leiden with
   modularity at resolution 1 (the textbook objective), are shown too.
3. For every method: the number of groups of 3 or more, the modularity of its partition
   (Newman's, resolution 1, on the same graph), and the NMI against the planted groups
   (`normalized_mutual_information`; Waymark's ungrouped young people count as groups of one).
4. Key connections: Waymark's `key_connections` (betweenness inside each group's neighbourhood,
   the groups found beforehand) against igraph's exact betweenness and igraph's betweenness from
   1,000 sampled sources, on a 10,000-person network and on the 100,000-person one. The igraph
   runs are made in a forked process and killed after --betweenness-timeout seconds (120),
   reported as "> N s".
5. Prints the table and each target with PASS or FAIL. It exits 0 whatever the result, unless
   --check is given.

Run it with `make bench`, or:

    .venv/bin/python bench/peer_groups.py [--runs 3] [--betweenness-timeout 120] [--check]
"""

import argparse
import datetime
import multiprocessing as mp
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from waymark.analytics.peer_bridges import key_connections  # noqa: E402
from waymark.analytics.peer_graph import graph_from_edges  # noqa: E402
from waymark.analytics.peer_groups import (  # noqa: E402
    UNGROUPED,
    normalized_mutual_information,
    peer_groups,
)

PEOPLE = 100_000
LINKS = 500_000
SMALL_PEOPLE = 10_000
SMALL_LINKS = 50_000
MIN_SIZE, MAX_SIZE = 3, 40
BETWEEN_GROUPS = 0.2  # share of the links that join different groups
SEED = 20260501
SAMPLED_SOURCES = 1_000
TARGET_SECONDS = 1.0
TARGET_SPEEDUP = 20.0
TARGET_NMI = 0.95

IntArray = npt.NDArray[np.int64]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (3)")
    parser.add_argument(
        "--networkx-runs", type=int, default=1, help="timed runs of networkx's Louvain (1)"
    )
    parser.add_argument("--seed", type=int, default=SEED, help=f"generator seed ({SEED})")
    parser.add_argument(
        "--betweenness-timeout",
        type=float,
        default=120.0,
        help="seconds before an igraph betweenness run is killed (120)",
    )
    parser.add_argument("--no-networkx", action="store_true", help="skip networkx's Louvain")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    return parser.parse_args(argv)


# --- the network -------------------------------------------------------------------------------


def planted_network(people: int, links: int, seed: int) -> tuple[IntArray, IntArray, IntArray]:
    """Links (source, target) and each young person's planted group, ids shuffled."""
    rng = np.random.default_rng(seed)
    sizes_allowed = np.arange(MIN_SIZE, MAX_SIZE + 1)
    chance = 1.0 / sizes_allowed
    sizes = rng.choice(sizes_allowed, size=people // MIN_SIZE, p=chance / chance.sum())
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), people)) + 1]
    sizes[-1] -= int(sizes.sum()) - people
    if sizes[-1] < MIN_SIZE:  # fold a too-small last group into the one before
        sizes[-2] += sizes[-1]
        sizes = sizes[:-1]
    labels = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])

    inside_wanted = int(links * (1 - BETWEEN_GROUPS))
    ring = int(sizes.sum())
    chords = int((sizes * (sizes - 1) // 2 - sizes).clip(min=0).sum())
    p_chord = min(1.0, (inside_wanted - ring) / chords)
    pairs_of_size = {s: np.triu_indices(s, 1) for s in range(4, MAX_SIZE * 2)}
    heads, tails = [], []
    for size, start in zip(sizes.tolist(), starts.tolist(), strict=True):
        members = rng.permutation(size) + start
        heads.append(members)
        tails.append(np.roll(members, 1))
        if size > 3:
            a, b = pairs_of_size[size]
            chosen = rng.random(a.size) < p_chord
            heads.append(a[chosen] + start)
            tails.append(b[chosen] + start)
    head = np.concatenate(heads)
    tail = np.concatenate(tails)
    inside = np.unique(np.minimum(head, tail) * people + np.maximum(head, tail))

    needed = links - inside.size
    between = np.empty(0, dtype=np.int64)
    while between.size < needed:
        a = rng.integers(0, people, 2 * needed)
        b = rng.integers(0, people, 2 * needed)
        apart = labels[a] != labels[b]
        keys = np.minimum(a, b)[apart] * people + np.maximum(a, b)[apart]
        between = np.union1d(between, keys)
    between = rng.permutation(between)[:needed]
    keys = rng.permutation(np.concatenate([inside, between]))
    ids = rng.permutation(people)  # planted position -> the young person's id
    source, target = ids[keys // people], ids[keys % people]
    group_of_id = np.empty(people, dtype=np.int64)
    group_of_id[ids] = labels
    return source, target, group_of_id


# --- timing --------------------------------------------------------------------------------------


@dataclass
class Timing:
    wall: float  # median wall seconds
    cpu: float  # median process CPU seconds
    runs: int


def timed(fn: Callable[[], Any], runs: int) -> tuple[Timing, Any]:
    walls, cpus, result = [], [], None
    for _ in range(runs):
        cpu, start = time.process_time(), time.perf_counter()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus), runs), result


def _forked(fn: Callable[[], Any], timeout: float) -> float | None:
    """Wall seconds of fn() in a forked process, or None if it was killed at the timeout."""
    context = mp.get_context("fork")
    reader, writer = context.Pipe(duplex=False)

    def work() -> None:
        start = time.perf_counter()
        fn()
        writer.send(time.perf_counter() - start)

    process = context.Process(target=work, daemon=True)
    process.start()
    seconds = reader.recv() if reader.poll(timeout) else None
    if process.is_alive():
        process.kill()
    process.join()
    return seconds


# --- measurements --------------------------------------------------------------------------------


@dataclass
class Method:
    name: str
    timing: Timing | None
    groups: int
    modularity: float
    nmi: float
    note: str = ""


def with_singletons(labels: IntArray) -> IntArray:
    out = labels.copy()
    alone = out == UNGROUPED
    out[alone] = out.max(initial=0) + 1 + np.arange(int(alone.sum()))
    return out


def waymark_method(
    name: str, source: IntArray, target: IntArray, planted: IntArray, runs: int, **options: Any
) -> tuple[Method, Any, Any]:
    def detect() -> tuple[Any, Any]:
        graph = graph_from_edges(source, target)
        return graph, peer_groups(graph, **options)

    timing, (graph, groups) = timed(detect, runs)
    by_id = np.empty(graph.graph.vcount(), dtype=np.int64)
    by_id[graph.ids] = with_singletons(groups.membership)
    method = Method(
        name=name,
        timing=timing,
        groups=len(groups.groups),
        modularity=groups.modularity,
        nmi=normalized_mutual_information(planted, by_id),
    )
    return method, graph, groups


def peer_method(
    name: str, graph: Any, labels: IntArray, planted: IntArray, timing: Timing
) -> Method:
    """A peer's partition, its labels indexed by the young person's id (= igraph vertex here)."""
    sizes = np.bincount(labels)
    return Method(
        name=name,
        timing=timing,
        groups=int((sizes >= MIN_SIZE).sum()),
        modularity=float(graph.modularity(labels.tolist())),
        nmi=normalized_mutual_information(planted, labels),
    )


def detection(
    args: argparse.Namespace, source: IntArray, target: IntArray, planted: IntArray
) -> Any:
    import igraph

    methods: list[Method] = []
    ours, graph, groups = waymark_method(
        "Waymark (defaults: Leiden, CPM)", source, target, planted, args.runs
    )
    methods.append(ours)
    for label, iterations in (("iterating until stable", -1),):
        extra, _, _ = waymark_method(
            f"Waymark, {label}", source, target, planted, 1, n_iterations=iterations
        )
        extra.note = "information"
        methods.append(extra)
    textbook, _, _ = waymark_method(
        "Leiden, modularity, resolution 1", source, target, planted, 1, objective="modularity"
    )
    textbook.note = "information"
    methods.append(textbook)

    # Peers: vertex i is the young person with id i (ids are 0..people-1).
    people = planted.size
    ig = igraph.Graph(n=people, edges=list(zip(source.tolist(), target.tolist(), strict=True)))

    def multilevel() -> Any:
        random.seed(1)
        return ig.community_multilevel()

    timing, found = timed(multilevel, args.runs)
    methods.append(
        peer_method(
            "igraph community_multilevel", ig, np.asarray(found.membership), planted, timing
        )
    )

    if not args.no_networkx:
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(range(people))
        g.add_edges_from(zip(source.tolist(), target.tolist(), strict=True))
        timing, communities = timed(
            lambda: nx.community.louvain_communities(g, seed=1), args.networkx_runs
        )
        labels = np.empty(people, dtype=np.int64)
        for number, members in enumerate(communities):
            labels[list(members)] = number
        methods.append(peer_method("networkx louvain_communities", ig, labels, planted, timing))
    return methods, graph, groups


@dataclass
class Bridging:
    people: int
    waymark: Timing
    connections: int
    exact: float | None
    sampled: float | None
    group_seconds: float


def bridging(
    people: int, links: int, seed: int, args: argparse.Namespace, network: Any
) -> Bridging:
    source, target, _ = network if network is not None else planted_network(people, links, seed)
    graph = graph_from_edges(source, target)
    start = time.perf_counter()
    groups = peer_groups(graph)
    group_seconds = time.perf_counter() - start
    timing, found = timed(lambda: key_connections(graph, groups), args.runs)
    g = graph.graph
    sources = np.random.default_rng(seed).choice(g.vcount(), SAMPLED_SOURCES, replace=False)
    exact = _forked(lambda: g.betweenness(directed=False), args.betweenness_timeout)
    sampled = _forked(
        lambda: g.betweenness(directed=False, sources=sources.tolist()), args.betweenness_timeout
    )
    return Bridging(people, timing, len(found), exact, sampled, group_seconds)


# --- report --------------------------------------------------------------------------------------


def versions() -> str:
    names = ("numpy", "scipy", "igraph", "networkx")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (missing)")
    return ", ".join(found)


def seconds(value: float | None, timeout: float) -> str:
    return f"> {timeout:g} s" if value is None else f"{value:.2f} s"


def report(
    args: argparse.Namespace,
    header: list[str],
    methods: list[Method],
    bridges: list[Bridging],
) -> bool:
    width = 115
    print("=" * width)
    print("Peer groups: Waymark against igraph and networkx Louvain, in one run")
    for line in header:
        print(line)
    print("-" * width)
    print(
        f"{'method':<34} {'runs':>4} {'median s':>9} {'CPU s':>7} {'x Waymark':>9} "
        f"{'x CPU':>6} {'groups':>7} {'modularity':>10} {'NMI':>7}"
    )
    ours = methods[0]
    assert ours.timing is not None
    for m in methods:
        t = m.timing
        ratio = "" if t is None or m is ours else f"{t.wall / ours.timing.wall:.1f}"
        cpu_ratio = "" if t is None or m is ours else f"{t.cpu / ours.timing.cpu:.1f}"
        wall = "" if t is None else f"{t.wall:.3f}"
        cpu = "" if t is None else f"{t.cpu:.3f}"
        runs = "" if t is None else str(t.runs)
        note = f"  ({m.note})" if m.note else ""
        print(
            f"{m.name:<34} {runs:>4} {wall:>9} {cpu:>7} {ratio:>9} {cpu_ratio:>6} "
            f"{m.groups:>7,} {m.modularity:>10.4f} {m.nmi:>7.4f}{note}"
        )
    print("-" * width)
    print(
        f"{'key connections':<20} {'people':>8} {'Waymark':>9} {'CPU s':>7} {'bridges':>8} "
        f"{'igraph exact':>13} {'igraph 1,000 sources':>21}"
    )
    for b in bridges:
        print(
            f"{'':<20} {b.people:>8,} {b.waymark.wall:>7.2f} s {b.waymark.cpu:>7.2f} "
            f"{b.connections:>8,} {seconds(b.exact, args.betweenness_timeout):>13} "
            f"{seconds(b.sampled, args.betweenness_timeout):>21}"
        )
    print("-" * width)
    peers = [m for m in methods if not m.note and m is not ours]
    best_peer = max(peers, key=lambda m: m.nmi, default=None)
    networkx = next((m for m in peers if m.name.startswith("networkx")), None)
    checks = [
        (
            f"Waymark's groups in under {TARGET_SECONDS:g} s",
            ours.timing.wall < TARGET_SECONDS,
            f"{ours.timing.wall:.3f} s (CPU {ours.timing.cpu:.3f} s)",
        ),
        (f"NMI at least {TARGET_NMI}", ours.nmi >= TARGET_NMI, f"{ours.nmi:.4f}"),
    ]
    if best_peer is not None:
        checks.append(
            (
                f"NMI no lower than the best peer's ({best_peer.name})",
                ours.nmi >= best_peer.nmi,
                f"{ours.nmi:.4f} vs {best_peer.nmi:.4f}",
            )
        )
    if networkx is not None and networkx.timing is not None:
        speedup = networkx.timing.wall / ours.timing.wall
        checks.append(
            (
                f"at least {TARGET_SPEEDUP:g}x faster than networkx Louvain",
                speedup >= TARGET_SPEEDUP,
                f"{speedup:.1f}x (CPU {networkx.timing.cpu / ours.timing.cpu:.1f}x)",
            )
        )
    missed = False
    for label, passed, figure in checks:
        missed |= not passed
        print(f"{'PASS' if passed else 'FAIL'}: {label}: {figure}")
    print("=" * width)
    return missed


def run(args: argparse.Namespace) -> int:
    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    network = planted_network(PEOPLE, LINKS, args.seed)
    generated = time.perf_counter() - start
    source, target, planted = network
    planted_sizes = np.bincount(planted)
    methods, _, _ = detection(args, source, target, planted)
    bridges = [
        bridging(SMALL_PEOPLE, SMALL_LINKS, args.seed, args, None),
        bridging(PEOPLE, LINKS, args.seed, args, network),
    ]
    header = [
        f"Date       {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"Machine    {platform.machine()}, {os.cpu_count()} cores, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"Python {platform.python_version()}",
        f"Versions   {versions()}",
        f"Network    {PEOPLE:,} young people, {LINKS:,} links ({BETWEEN_GROUPS:.0%} between "
        f"groups), {planted_sizes.size:,} planted groups of {planted_sizes.min()} to "
        f"{planted_sizes.max()} (median {int(np.median(planted_sizes))}); seed {args.seed}, "
        f"generated in {generated:.1f} s",
        "Timing     median wall seconds (and CPU seconds) of the runs shown; peers timed on "
        "graphs built beforehand",
        f"Bridging   key connections timed after the groups were found (groups took "
        f"{bridges[0].group_seconds:.2f} s at {SMALL_PEOPLE:,}, {bridges[1].group_seconds:.2f} s "
        f"at {PEOPLE:,}); igraph runs killed after {args.betweenness_timeout:g} s",
    ]
    missed = report(args, header, methods, bridges)
    print(f"Wall time {time.perf_counter() - wall:.0f} s.")
    return 1 if (args.check and missed) else 0


def main() -> int:
    return run(parse_args())


if __name__ == "__main__":
    sys.exit(main())
