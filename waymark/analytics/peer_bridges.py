"""Key connections: young people who bridge peer groups, and persons of concern linked to several.

Betweenness, bounded. A young person's betweenness is counted inside their group's
neighbourhood: the group plus every person linked to a member. (A young person in no group is a
group of one: the neighbourhood is them and the people they are linked to.) It is the number of
pairs of people in that neighbourhood whose shortest paths run through them, shared equally
among equally short paths: Brandes's exact betweenness on that subgraph, unweighted, because a
path through an unconfirmed link is still a path by which influence or harm can travel.

Exact betweenness over the whole network costs O(people x links): on 100,000 young people it
runs for minutes, and sampling 1,000 sources still takes tens of seconds and answers a different
question (centrality in the whole network; see bench/peer_groups.py).

A neighbourhood holds a group of at most tens of young people and their links, so its cost does
not grow with the size of the network, and the total grows linearly with the number of groups.
What it captures is the local broker: the member through whom the rest of the group reaches
another group, which is what a practitioner can act on.

Pure functions over arrays and the graph from `waymark.analytics.peer_graph`.
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from waymark.analytics.peer_graph import PeerGraph, link_weights
from waymark.analytics.peer_groups import UNGROUPED, PeerGroups

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# A young person bridges when their links reach this many groups, their own included.
MIN_GROUPS_BRIDGED = 2


@dataclass(frozen=True)
class NeighbourhoodBetweenness:
    """Per vertex: betweenness inside its group's neighbourhood, and that neighbourhood's size."""

    betweenness: FloatArray
    neighbourhood_size: IntArray


@dataclass(frozen=True)
class KeyConnection:
    vertex: int
    id: object  # the caller's id of the young person
    group: int  # index in PeerGroups.groups, or UNGROUPED
    linked_groups: tuple[int, ...]  # other groups they have links into
    betweenness: float
    neighbourhood_size: int


@dataclass(frozen=True)
class PersonOfConcernBridge:
    person_of_concern: int
    groups: tuple[int, ...]  # ids of the groups whose members they are linked to
    young_people: tuple[int, ...]  # the young people in those groups they are linked to


def _adjacency(n: int, edges: IntArray) -> tuple[IntArray, IntArray]:
    """CSR adjacency (indptr, neighbours) of the undirected graph."""
    heads = np.concatenate([edges[:, 0], edges[:, 1]])
    tails = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(heads, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(heads, minlength=n))])
    return indptr, tails[order]


def _neighbours(indptr: IntArray, nbrs: IntArray, vertices: IntArray) -> IntArray:
    starts = indptr[vertices]
    lengths = indptr[vertices + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return vertices[:0]
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
    return nbrs[offsets + np.arange(total)]


def neighbourhood_betweenness(graph: PeerGraph, groups: PeerGroups) -> NeighbourhoodBetweenness:
    """Betweenness of every vertex inside its group's neighbourhood (see the module docstring)."""
    g = graph.graph
    n = g.vcount()
    betweenness = np.zeros(n, dtype=np.float64)
    size = np.ones(n, dtype=np.int64)
    indptr, nbrs = _adjacency(n, graph.edges)
    degree = np.diff(indptr)
    units = [*groups.groups]
    # Ungrouped people with one link or none lie on no path between two others.
    units += [np.array([v]) for v in groups.ungrouped.tolist() if degree[v] >= 2]
    for members in units:
        around = np.union1d(members, _neighbours(indptr, nbrs, members))
        size[members] = around.size
        if around.size < 3:
            continue
        sub = g.induced_subgraph(around.tolist())
        at = np.searchsorted(around, members)
        betweenness[members] = sub.betweenness(vertices=at.tolist(), directed=False)
    return NeighbourhoodBetweenness(betweenness=betweenness, neighbourhood_size=size)


def key_connections(
    graph: PeerGraph,
    groups: PeerGroups,
    *,
    min_groups: int = MIN_GROUPS_BRIDGED,
    per_group: int | None = None,
) -> list[KeyConnection]:
    """Young people whose links reach at least `min_groups` groups (their own included) and who
    lie between others in their group's neighbourhood, highest betweenness first. `per_group`
    keeps only that many of each group's members (and of the ungrouped), the highest first."""
    if min_groups < 2:
        raise ValueError("min_groups must be at least 2: bridging joins two groups")
    if per_group is not None and per_group < 1:
        raise ValueError("per_group must be at least 1")
    edges = graph.edges
    scores = neighbourhood_betweenness(graph, groups)
    membership = groups.membership
    heads = np.concatenate([edges[:, 0], edges[:, 1]])
    reached = membership[np.concatenate([edges[:, 1], edges[:, 0]])]
    other = (reached != UNGROUPED) & (reached != membership[heads])
    pairs = np.unique(np.column_stack([heads[other], reached[other]]), axis=0)
    linked: dict[int, list[int]] = defaultdict(list)
    for vertex, group in pairs.tolist():
        linked[vertex].append(group)
    found = []
    for vertex, others in linked.items():
        own = int(membership[vertex])
        touched = len(others) + (own != UNGROUPED)
        if touched < min_groups or graph.person_of_concern[vertex]:
            continue
        if scores.betweenness[vertex] <= 0:
            continue
        found.append(
            KeyConnection(
                vertex=vertex,
                id=graph.ids[vertex].item(),
                group=own,
                linked_groups=tuple(others),
                betweenness=float(scores.betweenness[vertex]),
                neighbourhood_size=int(scores.neighbourhood_size[vertex]),
            )
        )
    found.sort(key=lambda k: (-k.betweenness, k.vertex))
    if per_group is not None:
        kept: dict[int, int] = defaultdict(int)
        chosen = []
        for connection in found:
            if kept[connection.group] < per_group:
                kept[connection.group] += 1
                chosen.append(connection)
        found = chosen
    return found


def persons_of_concern_bridging(
    *,
    person_of_concern: npt.ArrayLike,
    young_person: npt.ArrayLike,
    group_of: Mapping[int, int],
    reliability: npt.ArrayLike,
    last_seen: npt.ArrayLike,
    review_by: npt.ArrayLike,
    today: int,
    window: tuple[int, int] | None = None,
    first_seen: npt.ArrayLike | None = None,
    min_groups: int = 2,
) -> list[PersonOfConcernBridge]:
    """Persons of concern with current links to young people in at least `min_groups` groups:
    targets for disruption. One row per link between a person of concern and a young person;
    `group_of` maps young people's ids to their group's id. Expired links and links not seen in
    the window are left out (`link_weights`). Most groups first, then most young people."""
    if min_groups < 2:
        raise ValueError("min_groups must be at least 2")
    poc = np.asarray(person_of_concern, dtype=np.int64)
    yp = np.asarray(young_person, dtype=np.int64)
    if poc.ndim != 1 or poc.shape != yp.shape:
        raise ValueError("person_of_concern and young_person must be 1-D and of equal length")
    current = (
        link_weights(
            reliability=reliability,
            last_seen=last_seen,
            review_by=review_by,
            today=today,
            window=window,
            first_seen=first_seen,
        )
        > 0
    )
    touched: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for person, child in zip(poc[current].tolist(), yp[current].tolist(), strict=True):
        group = group_of.get(child)
        if group is not None:
            touched[person][group].add(child)
    found = [
        PersonOfConcernBridge(
            person_of_concern=person,
            groups=tuple(sorted(by_group)),
            young_people=tuple(sorted(set().union(*by_group.values()))),
        )
        for person, by_group in touched.items()
        if len(by_group) >= min_groups
    ]
    found.sort(key=lambda b: (-len(b.groups), -len(b.young_people), b.person_of_concern))
    return found
