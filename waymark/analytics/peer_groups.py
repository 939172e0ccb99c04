"""Peer groups: communities in the peer map, found with Leiden, with ids kept across recomputation.

Detection. igraph's Leiden (Traag, Van Eck & Waltman, 2019) with the Constant Potts Model (CPM)
by default. CPM asks of every group that the weight of the links inside it exceed `resolution`
times the number of pairs of its members, and of every two groups that the links between them
fall short of `resolution` times their cross pairs. The resolution is therefore a link density,
and it does not depend on the size of the network: the groups found in one school's network are
the ones found when that school sits inside a partnership of tens of thousands. Modularity has no
such property (its resolution limit): its yardstick for a group is the whole network's links,
so in a large network it merges small groups that are joined by a single link, and peer groups
(3 to 40 young people) are small. See docs/adr/0008-peer-group-detection.md.

The default resolution is DEFAULT_DENSITY (0.05) times the median link weight: a group is a set
of young people among whom at least one pair in twenty is linked, counting links in typical-link
units, so a graph of tentative links is read the same way as one of confirmed links.

Leiden iterates, each iteration starting from the last one's groups, until moving single young
people could add less than CONVERGED (0.1%) to the objective (see `_cpm_room`, far cheaper than
an iteration), an iteration gains less than that, or MAX_ITERATIONS have run.

Groups smaller than `min_size` (3) are not groups: their members are reported as ungrouped.

Stable identities. `match_groups` pairs today's groups with yesterday's by member overlap
(Jaccard), choosing the pairing with the largest total overlap (the assignment problem) among
pairs that overlap by at least `min_jaccard`; unmatched groups get fresh ids.
"""

import random
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import igraph
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

from waymark.analytics.defaults import (
    CONVERGED,
    DEFAULT_DENSITY,
    DEFAULT_MODULARITY_RESOLUTION,
    MAX_ITERATIONS,
    MIN_GROUP_SIZE,
)
from waymark.analytics.peer_graph import PeerGraph

Objective = Literal["cpm", "modularity"]

DEFAULT_OBJECTIVE: Objective = "cpm"
UNGROUPED = -1
MIN_JACCARD = 0.3

IntArray = npt.NDArray[np.int64]

# igraph draws its random numbers from one process-wide generator; swapping in a seeded one
# for the length of a run must not interleave with another thread doing the same.
_RNG_LOCK = threading.Lock()


@dataclass(frozen=True)
class PeerGroups:
    """Groups found in a PeerGraph.

    `membership[v]` is the index of vertex v's group in `groups`, or UNGROUPED. `groups[i]`
    holds the vertices of group i, ordered by the people's ids; groups are ordered largest first,
    then by their first member's id (young people before persons of concern). `modularity` is
    Newman's (resolution 1, weighted) of the partition Leiden returned, before small groups were
    dissolved, so it can be compared with other methods.
    `quality` is the value of the objective Leiden optimised.
    """

    membership: IntArray
    groups: tuple[IntArray, ...]
    objective: Objective
    resolution: float
    modularity: float
    quality: float
    seed: int
    min_size: int

    @property
    def ungrouped(self) -> IntArray:
        return np.flatnonzero(self.membership == UNGROUPED)

    def member_ids(self, graph: PeerGraph) -> list[npt.NDArray[np.generic]]:
        """Each group's members by the caller's ids (the form `match_groups` takes)."""
        return [graph.ids[members] for members in self.groups]


def default_resolution(graph: PeerGraph, objective: Objective = DEFAULT_OBJECTIVE) -> float:
    """DEFAULT_DENSITY x the median link weight for CPM; DEFAULT_MODULARITY_RESOLUTION otherwise."""
    if objective == "modularity":
        return DEFAULT_MODULARITY_RESOLUTION
    weights = graph.weights
    return DEFAULT_DENSITY * (float(np.median(weights)) if weights.size else 1.0)


def peer_groups(
    graph: PeerGraph,
    *,
    objective: Objective = DEFAULT_OBJECTIVE,
    resolution: float | None = None,
    seed: int = 1,
    min_size: int = MIN_GROUP_SIZE,
    n_iterations: int | None = None,
) -> PeerGroups:
    """Find peer groups with Leiden. The same graph and seed give the same groups.

    `resolution` None takes `default_resolution`. `n_iterations` None iterates until converged
    (see CONVERGED); a positive number runs that many iterations; -1 iterates until an
    iteration no longer improves the partition at all.
    """
    if objective not in ("cpm", "modularity"):
        raise ValueError("objective must be 'cpm' or 'modularity'")
    if resolution is None:
        resolution = default_resolution(graph, objective)
    if not resolution > 0:
        raise ValueError("resolution must be positive")
    if min_size < 1:
        raise ValueError("min_size must be at least 1")
    if n_iterations is not None and (n_iterations == 0 or n_iterations < -1):
        raise ValueError("n_iterations must be None, -1 (until stable) or 1 or more")
    g = graph.graph
    n = g.vcount()
    raw: list[int] = []
    quality = 0.0
    if n:
        with _RNG_LOCK:
            igraph.set_random_number_generator(random.Random(seed))  # noqa: S311
            try:
                raw, quality = _leiden(graph, objective, resolution, n_iterations)
            finally:
                igraph.set_random_number_generator(random)
    labels = np.asarray(raw, dtype=np.int64)
    modularity = float(g.modularity(raw, weights="weight")) if g.ecount() else 0.0
    # Ties and member lists follow the people's ids, not the vertex numbers.
    id_order = np.empty(n, dtype=np.int64)
    id_order[np.lexsort((graph.ids, graph.person_of_concern))] = np.arange(n)
    membership, groups = _dissolve_small(labels, id_order, min_size)
    return PeerGroups(
        membership=membership,
        groups=groups,
        objective=objective,
        resolution=float(resolution),
        modularity=modularity,
        quality=quality,
        seed=seed,
        min_size=min_size,
    )


def _leiden(
    graph: PeerGraph, objective: Objective, resolution: float, n_iterations: int | None
) -> tuple[list[int], float]:
    g = graph.graph
    weights = "weight" if g.ecount() else None

    def iterate(times: int, start: list[int] | None) -> tuple[list[int], float]:
        found = g.community_leiden(
            objective_function="CPM" if objective == "cpm" else "modularity",
            weights=weights,
            resolution=resolution,
            n_iterations=times,
            initial_membership=start,
        )
        return found.membership, float(found.quality)

    if n_iterations is not None:
        return iterate(n_iterations, None)
    membership, quality = iterate(1, None)
    for _ in range(MAX_ITERATIONS - 1):
        if objective == "cpm":
            # Cheaper than an iteration: what could moving single people still gain?
            room, value = _cpm_room(graph, np.asarray(membership), resolution)
            if room <= CONVERGED * max(abs(value), 1e-12):
                break
        improved, better = iterate(1, membership)
        gain = better - quality
        if gain > 0:
            membership, quality = improved, better
        if gain <= CONVERGED * max(abs(quality), 1e-12):
            break
    return membership, quality


def _cpm_room(graph: PeerGraph, membership: IntArray, resolution: float) -> tuple[float, float]:
    """What moving single people could still add to the CPM objective (each person's best move,
    to a neighbouring group or to be alone, summed), and the objective itself, both in units of
    link weight: the objective is the weight inside groups less `resolution` per pair of
    members."""
    n = membership.size
    edges, weights = graph.edges, graph.weights
    v = np.concatenate([edges[:, 0], edges[:, 1]])
    u = np.concatenate([edges[:, 1], edges[:, 0]])
    w = np.concatenate([weights, weights])
    size = np.bincount(membership)
    same = membership[v] == membership[u]
    inside = np.bincount(v[same], w[same], minlength=n)
    stay = inside - resolution * (size[membership] - 1)
    best = np.maximum(-stay, 0.0)  # alone: give up the links inside, and the pairs
    groups = size.size
    key = v[~same] * groups + membership[u[~same]]
    keys, at = np.unique(key, return_inverse=True)
    towards = np.bincount(at, w[~same], minlength=keys.size)
    mover = keys // groups
    np.maximum.at(best, mover, towards - resolution * size[keys % groups] - stay[mover])
    value = inside.sum() / 2 - resolution * float((size * (size - 1)).sum()) / 2
    return float(best.sum()), float(value)


def _dissolve_small(
    labels: IntArray, order_key: IntArray, min_size: int
) -> tuple[IntArray, tuple[IntArray, ...]]:
    """Renumber groups largest first, then by their first member in `order_key` order; groups
    under min_size become UNGROUPED. Each group's members are listed in `order_key` order."""
    if labels.size == 0:
        return labels, ()
    sizes = np.bincount(labels)
    first = np.full(sizes.size, labels.size, dtype=np.int64)
    np.minimum.at(first, labels, order_key)
    kept = np.flatnonzero(sizes >= min_size)
    kept = kept[np.lexsort((first[kept], -sizes[kept]))]
    new_label = np.full(sizes.size, UNGROUPED, dtype=np.int64)
    new_label[kept] = np.arange(kept.size)
    membership = new_label[labels]
    by_key = np.argsort(order_key, kind="stable")
    order = by_key[np.argsort(membership[by_key], kind="stable")]
    counts = np.bincount(membership[membership >= 0], minlength=kept.size)
    start = int((membership < 0).sum())
    bounds = start + np.concatenate([[0], np.cumsum(counts)])
    groups = tuple(order[bounds[i] : bounds[i + 1]] for i in range(kept.size))
    return membership, groups


# --- stable identities -------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupMatch:
    """Ids for today's groups. `ids[i]` is group i's id; `jaccard[i]` its overlap with the
    previous group whose id it kept (0.0 for a fresh id). `fresh` lists the groups given fresh
    ids, `retired` the previous ids that no group kept."""

    ids: tuple[int, ...]
    jaccard: tuple[float, ...]
    fresh: tuple[int, ...]
    retired: tuple[int, ...]


def jaccard_matrix(
    previous: Sequence[Iterable[Hashable]], current: Sequence[Iterable[Hashable]]
) -> sparse.csr_array:
    """Jaccard overlap |A & B| / |A | B| of every previous group (rows) with every current group
    (columns), sparse: only groups that share a member have an entry."""
    prev_sets = [set(members) for members in previous]
    curr_sets = [set(members) for members in current]
    index: dict[Hashable, int] = {}
    cells: list[tuple[list[int], list[int]]] = []
    for sets in (prev_sets, curr_sets):
        groups: list[int] = []
        members: list[int] = []
        for i, group in enumerate(sets):
            for member in group:
                groups.append(i)
                members.append(index.setdefault(member, len(index)))
        cells.append((groups, members))
    (prev_groups, prev_members), (curr_groups, curr_members) = cells
    a = sparse.csr_array(
        (np.ones(len(prev_groups)), (prev_groups, prev_members)),
        shape=(len(prev_sets), len(index)),
    )
    b = sparse.csr_array(
        (np.ones(len(curr_groups)), (curr_members, curr_groups)),
        shape=(len(index), len(curr_sets)),
    )
    shared = sparse.coo_array(a @ b)
    size_p = np.array([len(s) for s in prev_sets], dtype=np.float64)
    size_c = np.array([len(s) for s in curr_sets], dtype=np.float64)
    union = size_p[shared.row] + size_c[shared.col] - shared.data
    return sparse.csr_array(
        (shared.data / union, (shared.row, shared.col)), shape=(len(prev_sets), len(curr_sets))
    )


def match_groups(
    previous: Mapping[int, Iterable[Hashable]],
    current: Sequence[Iterable[Hashable]],
    *,
    next_id: int | Iterator[int] | Callable[[], int],
    min_jaccard: float = MIN_JACCARD,
) -> GroupMatch:
    """Give each current group the id of the previous group it continues, or a fresh id.

    `previous` maps ids to members; `current` lists members (by the caller's ids, which persist
    across runs; vertex numbers do not). Among pairs with a Jaccard overlap of at least
    `min_jaccard`, the pairing with the largest total overlap is chosen (each id is kept by at
    most one group). Fresh ids come, in the order of `current`, from `next_id`: a first number
    counted up from, an iterator, or a function returning the next id.
    """
    if not 0 < min_jaccard <= 1:
        raise ValueError("min_jaccard must be more than 0 and at most 1")
    prev_ids = list(previous)
    overlap = jaccard_matrix([previous[i] for i in prev_ids], current)
    overlap.data[overlap.data < min_jaccard] = 0.0
    overlap.eliminate_zeros()
    assigned: dict[int, tuple[int, float]] = {}
    if overlap.nnz:
        # The assignment splits into the connected parts of the overlap graph, each small.
        k_prev = overlap.shape[0]
        both = sparse.block_array([[None, overlap], [overlap.T, None]], format="csr")
        _, part = connected_components(both, directed=False)
        order = np.argsort(part, kind="stable")
        bounds = np.flatnonzero(np.diff(part[order])) + 1
        for nodes in np.split(order, bounds):
            rows = nodes[nodes < k_prev]
            cols = nodes[nodes >= k_prev] - k_prev
            if rows.size == 0 or cols.size == 0:
                continue
            block = overlap[rows][:, cols].toarray()
            r, c = linear_sum_assignment(block, maximize=True)
            for i, j in zip(r, c, strict=True):
                if block[i, j] >= min_jaccard:
                    assigned[int(cols[j])] = (prev_ids[int(rows[i])], float(block[i, j]))
    fresh_id = _id_source(next_id)
    ids: list[int] = []
    jaccard: list[float] = []
    fresh: list[int] = []
    for j in range(len(current)):
        if j in assigned:
            ids.append(assigned[j][0])
            jaccard.append(assigned[j][1])
        else:
            ids.append(fresh_id())
            jaccard.append(0.0)
            fresh.append(j)
    kept = {i for i, _ in assigned.values()}
    if len(set(ids)) != len(ids) or {ids[j] for j in fresh} & set(prev_ids):
        raise ValueError("next_id gave an id that is already in use")
    return GroupMatch(
        ids=tuple(ids),
        jaccard=tuple(jaccard),
        fresh=tuple(fresh),
        retired=tuple(i for i in prev_ids if i not in kept),
    )


def _id_source(next_id: int | Iterator[int] | Callable[[], int]) -> Callable[[], int]:
    if isinstance(next_id, int):
        counter = iter(range(next_id, np.iinfo(np.int64).max))
        return lambda: next(counter)
    if isinstance(next_id, Iterator):
        iterator = next_id
        return lambda: int(next(iterator))
    return lambda: int(next_id())


# --- comparing partitions ------------------------------------------------------------------------


def normalized_mutual_information(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """NMI of two labellings of the same items, normalised by the arithmetic mean of their
    entropies (as scikit-learn's default). 1 means the same partition. Every distinct label is a
    cluster, UNGROUPED included: give ungrouped items labels of their own first if they should
    count as singletons."""
    x = np.unique(np.asarray(a), return_inverse=True)[1].ravel()
    y = np.unique(np.asarray(b), return_inverse=True)[1].ravel()
    if x.shape != y.shape:
        raise ValueError("the two labellings must label the same items")
    n = x.size
    if n == 0:
        return 1.0
    table = sparse.coo_array((np.ones(n), (x, y))).tocsr()
    table.sum_duplicates()
    coo = table.tocoo()
    p_xy = coo.data / n
    p_x = np.bincount(x) / n
    p_y = np.bincount(y) / n
    mutual = float(np.sum(p_xy * np.log(p_xy / (p_x[coo.row] * p_y[coo.col]))))
    h_x = float(-np.sum(p_x * np.log(p_x)))
    h_y = float(-np.sum(p_y * np.log(p_y)))
    if h_x == 0 and h_y == 0:
        return 1.0
    return max(0.0, min(1.0, 2 * mutual / (h_x + h_y)))
