"""Key connections: who links groups, by neighbourhood betweenness."""

import itertools

import networkx as nx
import numpy as np
import pytest

from waymark.analytics.peer_bridges import (
    key_connections,
    neighbourhood_betweenness,
    persons_of_concern_bridging,
)
from waymark.analytics.peer_graph import (
    CONFIRMED,
    graph_from_edges,
)
from waymark.analytics.peer_groups import (
    UNGROUPED,
    peer_groups,
)
from waymark.analytics.tests.planted_groups import TODAY, as_sets, planted

# --- key connections ---------------------------------------------------------------------------


def nx_graph(graph):
    g = nx.Graph()
    g.add_nodes_from(range(graph.graph.vcount()))
    g.add_edges_from(graph.graph.get_edgelist())
    return g


@pytest.mark.parametrize("seed", range(6))
def test_betweenness_equals_networkx_exact_in_each_neighbourhood(seed):
    rng = np.random.default_rng(seed)
    src, dst, _ = planted(rng.integers(3, 12, 8).tolist(), p_in=0.4, links_out=1.5, seed=seed)
    # Some people outside any group, each with a few links.
    n = int(max(src.max(), dst.max())) + 1
    extra_src = np.repeat(np.arange(n, n + 6), 3)
    extra_dst = rng.integers(0, n, extra_src.size)
    graph = graph_from_edges(np.concatenate([src, extra_src]), np.concatenate([dst, extra_dst]))
    groups = peer_groups(graph, resolution=0.15)
    ours = neighbourhood_betweenness(graph, groups)
    reference = nx_graph(graph)
    units = [set(m.tolist()) for m in groups.groups] + [{v} for v in groups.ungrouped.tolist()]
    for members in units:
        around = set(members)
        for v in members:
            around |= set(reference.neighbors(v))
        exact = nx.betweenness_centrality(reference.subgraph(around), normalized=False)
        for v in members:
            assert ours.betweenness[v] == pytest.approx(exact[v], abs=1e-9)
            assert ours.neighbourhood_size[v] == len(around)


def test_betweenness_is_networkx_exact_when_the_neighbourhood_is_the_whole_graph():
    # One group (six young people, all linked but for two pairs) and people with one link to a
    # member: the group's neighbourhood is the whole graph.
    group = [p for p in itertools.combinations(range(6), 2) if p not in {(0, 3), (1, 4)}]
    leaves = [(0, 10), (0, 11), (2, 12), (5, 13)]
    a, b = zip(*(group + leaves), strict=True)
    graph = graph_from_edges(np.array(a), np.array(b))
    groups = peer_groups(graph, resolution=0.5)
    assert as_sets(graph, groups) == [frozenset(range(6))]
    exact = nx.betweenness_centrality(nx_graph(graph), normalized=False)
    ours = neighbourhood_betweenness(graph, groups).betweenness
    assert ours.tolist() == pytest.approx([exact[v] for v in range(graph.graph.vcount())])
    assert ours[graph.vertex_of(0)] > ours[graph.vertex_of(2)] > 0


def test_key_connections_name_the_young_person_who_bridges_two_groups():
    # Two groups of five (cliques); young person 4 of the first is also linked to 5 and 6 of
    # the second. Person 20 is linked to a member of each. At a resolution of 0.9 a single link
    # does not draw anyone into a group, so 20 stays in no group.
    first = list(itertools.combinations(range(0, 5), 2))
    second = list(itertools.combinations(range(5, 10), 2))
    bridges = [(4, 5), (4, 6), (20, 0), (20, 9)]
    a, b = zip(*(first + second + bridges), strict=True)
    graph = graph_from_edges(np.array(a), np.array(b))
    groups = peer_groups(graph, resolution=0.9)
    assert sorted(map(sorted, as_sets(graph, groups))) == [list(range(5)), list(range(5, 10))]
    connections = key_connections(graph, groups)
    found = {k.id: k for k in connections}
    assert set(found) == {4, 5, 6, 20}  # 0 and 9 are linked to no other group
    assert connections[0].id == 4 and connections[0].betweenness > found[5].betweenness
    group_of_5 = groups.membership[graph.vertex_of(5)]
    assert found[4].linked_groups == (group_of_5,)
    assert found[20].group == UNGROUPED and len(found[20].linked_groups) == 2
    assert found[20].neighbourhood_size == 3 and found[20].betweenness == 1.0


def test_key_connections_per_group_keeps_the_highest_of_each_group():
    first = list(itertools.combinations(range(0, 5), 2))
    second = list(itertools.combinations(range(5, 10), 2))
    a, b = zip(*(first + second + [(4, 5), (4, 6), (20, 0), (20, 9)]), strict=True)
    graph = graph_from_edges(np.array(a), np.array(b))
    groups = peer_groups(graph, resolution=0.9)
    every = key_connections(graph, groups)
    one_each = key_connections(graph, groups, per_group=1)
    tops = {}
    for k in every:  # highest first
        tops.setdefault(k.group, k)
    assert len({k.group for k in every}) == 3  # two groups and the ungrouped
    assert one_each == sorted(tops.values(), key=lambda k: (-k.betweenness, k.vertex))
    assert one_each[0].id == 4
    with pytest.raises(ValueError):
        key_connections(graph, groups, min_groups=1)


def test_iterations_options():
    src, dst, labels = planted([8, 12, 5, 20, 9] * 3, p_in=0.4, links_out=1.5, seed=4)
    graph = graph_from_edges(src, dst)
    converged = peer_groups(graph)
    once = peer_groups(graph, n_iterations=1)
    stable = peer_groups(graph, n_iterations=-1)
    assert converged.quality >= once.quality
    assert stable.quality >= once.quality
    for bad in (0, -2):
        with pytest.raises(ValueError, match="n_iterations"):
            peer_groups(graph, n_iterations=bad)


def test_key_connections_at_the_default_resolution():
    # At the default a person with one link to each of two small groups joins one of them; they
    # still bridge the two.
    first = list(itertools.combinations(range(0, 5), 2))
    second = list(itertools.combinations(range(5, 10), 2))
    a, b = zip(*(first + second + [(20, 0), (20, 9)]), strict=True)
    graph = graph_from_edges(np.array(a), np.array(b))
    groups = peer_groups(graph)
    assert len(groups.groups) == 2
    found = {k.id: k for k in key_connections(graph, groups)}
    assert 20 in found and len(found[20].linked_groups) == 1
    assert found[20].group != UNGROUPED


def test_persons_of_concern_linked_to_children_in_two_or_more_groups():
    group_of = {1: 10, 2: 10, 3: 20, 4: 30, 5: 30}
    bridges = persons_of_concern_bridging(
        person_of_concern=[100, 100, 100, 200, 200, 300, 300],
        young_person=[1, 3, 4, 1, 2, 4, 9],
        group_of=group_of,
        reliability=[CONFIRMED] * 7,
        last_seen=[TODAY] * 7,
        review_by=[TODAY, TODAY, TODAY - 1, TODAY, TODAY, TODAY, TODAY],
        today=TODAY,
    )
    # 100 touches groups 10 and 20 (its link to 4 has expired); 200 only group 10; 300 only 30
    # (young person 9 is in no group).
    assert [(b.person_of_concern, b.groups, b.young_people) for b in bridges] == [
        (100, (10, 20), (1, 3))
    ]
    inside = persons_of_concern_bridging(
        person_of_concern=[100, 100],
        young_person=[1, 3],
        group_of=group_of,
        reliability=[CONFIRMED, CONFIRMED],
        last_seen=[TODAY, 10],
        review_by=[TODAY, TODAY],
        today=TODAY,
        window=(500, TODAY),
    )
    assert inside == []
