import itertools
import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.analytics.group_vulnerability import (
    HIGH,
    LOW,
    MEDIUM,
    MemberFacts,
    group_vulnerability,
)
from waymark.analytics.peer_bridges import (
    key_connections,
    neighbourhood_betweenness,
    persons_of_concern_bridging,
)
from waymark.analytics.peer_graph import (
    CONFIRMED,
    HALF_LIFE_DAYS,
    TENTATIVE,
    UNCONFIRMED,
    PeerGraphError,
    _factorise,
    graph_from_edges,
    link_weights,
    peer_graph,
)
from waymark.analytics.peer_groups import (
    UNGROUPED,
    _cpm_room,
    jaccard_matrix,
    match_groups,
    normalized_mutual_information,
    peer_groups,
)

TODAY = 1_000


def planted(groups, *, p_in=0.6, links_out=1.0, seed=0):
    """Edges of a planted partition: each group is a ring plus random pairs with probability
    p_in; about links_out links per person join random people in other groups."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(groups)), groups)
    n = labels.size
    edges = set()
    start = 0
    for size in groups:
        members = rng.permutation(np.arange(start, start + size))
        for i in range(size):
            a, b = int(members[i]), int(members[(i + 1) % size])
            edges.add((min(a, b), max(a, b)))
        for a, b in itertools.combinations(range(start, start + size), 2):
            if rng.random() < p_in:
                edges.add((a, b))
        start += size
    outside = 0
    while outside < int(links_out * n / 2):
        a, b = (int(x) for x in rng.integers(0, n, 2))
        if labels[a] != labels[b] and (min(a, b), max(a, b)) not in edges:
            edges.add((min(a, b), max(a, b)))
            outside += 1
    pairs = np.array(sorted(edges))
    return pairs[:, 0], pairs[:, 1], labels


def labels_by_id(graph, groups):
    """Group label per person id (ungrouped people as singletons), in id order."""
    membership = groups.membership.copy()
    alone = membership == UNGROUPED
    membership[alone] = membership.max(initial=0) + 1 + np.arange(alone.sum())
    return membership[np.argsort(graph.ids)]


def as_sets(graph, groups):
    return [frozenset(graph.ids[m].tolist()) for m in groups.groups]


# --- link weights and the graph ----------------------------------------------------------------


def test_weights_follow_reliability_recency_and_co_involvement():
    w = link_weights(
        reliability=[CONFIRMED, TENTATIVE, UNCONFIRMED, CONFIRMED, CONFIRMED],
        last_seen=[TODAY, TODAY, TODAY, TODAY - int(HALF_LIFE_DAYS), TODAY],
        review_by=[TODAY + 30] * 5,
        today=TODAY,
        co_involvement=[False, False, False, False, True],
    )
    assert w == pytest.approx([1.0, 0.6, 0.3, 0.5, 0.5])
    assert w[0] > w[1] > w[2]


def test_expired_links_are_not_evidence():
    w = link_weights(
        reliability=[CONFIRMED, CONFIRMED, CONFIRMED],
        last_seen=[TODAY, TODAY, TODAY],
        review_by=[TODAY - 1, TODAY, TODAY + 1],
        today=TODAY,
    )
    assert w.tolist() == [0.0, 1.0, 1.0]


def test_the_window_keeps_links_seen_in_it_and_decays_from_its_end():
    w = link_weights(
        reliability=[CONFIRMED] * 4,
        first_seen=[100, 301, 150, 250],
        last_seen=[150, 320, 260, 400],
        review_by=[TODAY] * 4,
        today=TODAY,
        window=(200, 300),
    )
    # Ended before the window; began after it; spans its start; spans its end (seen after it).
    assert w[0] == 0 and w[1] == 0
    assert w[2] == pytest.approx(0.5 ** (40 / HALF_LIFE_DAYS))
    assert w[3] == pytest.approx(1.0)


def links(*rows):
    """(source, target, reliability, last_seen, review_by, co_involvement, to_poc) rows."""
    columns = list(zip(*rows, strict=True))
    return {
        "source": columns[0],
        "target": columns[1],
        "reliability": columns[2],
        "last_seen": columns[3],
        "review_by": columns[4],
        "co_involvement": columns[5],
        "target_is_person_of_concern": columns[6],
    }


def edge_weights(graph):
    out = {}
    for edge in graph.graph.es:
        a, b = (graph.ids[v].item() for v in edge.tuple)
        out[(min(a, b), max(a, b))] = edge["weight"]
    return out


def test_peer_graph_sums_parallel_links_and_leaves_out_expired_ones_and_persons_of_concern():
    data = links(
        (1, 2, CONFIRMED, TODAY, TODAY + 9, False, False),
        (2, 1, TENTATIVE, TODAY, TODAY + 9, True, False),  # named in one concern as well
        (2, 3, CONFIRMED, TODAY, TODAY - 1, False, False),  # expired yesterday
        (3, 7, CONFIRMED, TODAY, TODAY + 9, False, True),  # person of concern 7
    )
    graph = peer_graph(**data, today=TODAY)
    assert edge_weights(graph) == {(1, 2): pytest.approx(1.0 + 0.6 * 0.5)}
    assert sorted(graph.ids.tolist()) == [1, 2, 3]  # 3 is a vertex, with no current link
    assert not graph.person_of_concern.any()

    with_poc = peer_graph(**data, today=TODAY, include_persons_of_concern=True)
    assert with_poc.person_of_concern.sum() == 1
    poc = with_poc.vertex_of(7, person_of_concern=True)
    assert with_poc.graph.are_adjacent(poc, with_poc.vertex_of(3))
    with pytest.raises(KeyError):
        with_poc.vertex_of(7)  # no young person 7


def test_peer_graph_window_and_extra_young_people():
    data = links(
        (1, 2, CONFIRMED, 500, TODAY, False, False),
        (2, 3, CONFIRMED, 900, TODAY, False, False),
    )
    graph = peer_graph(**data, today=TODAY, window=(800, TODAY), young_people=[9])
    assert list(edge_weights(graph)) == [(2, 3)]
    assert sorted(graph.ids.tolist()) == [1, 2, 3, 9]


def test_graph_from_edges_refuses_self_loops_and_bad_weights_naming_the_row():
    with pytest.raises(PeerGraphError, match="row 1: 'b' is linked to itself"):
        graph_from_edges(np.array(["a", "b"]), np.array(["b", "b"]))
    with pytest.raises(PeerGraphError, match="row 0: weight -1.0"):
        graph_from_edges([1], [2], [-1.0])
    with pytest.raises(PeerGraphError, match="row 1: weight nan"):
        graph_from_edges([1, 2], [2, 3], [1.0, math.nan])
    graph = graph_from_edges([1, 2, 2], [2, 1, 3], [1.0, 2.0, 0.0])
    assert edge_weights(graph) == {(1, 2): 3.0}
    assert sorted(graph.ids.tolist()) == [1, 2, 3]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-3, 200), min_size=1, max_size=40))
def test_factorising_ids_matches_numpy_unique(values):
    array = np.array(values, dtype=np.int64)
    ids, inverse = _factorise(array)
    expected_ids, expected_inverse = np.unique(array, return_inverse=True)
    assert ids.tolist() == expected_ids.tolist()
    assert inverse.tolist() == expected_inverse.tolist()


# --- peer groups -------------------------------------------------------------------------------


def test_recovers_planted_groups():
    rng = np.random.default_rng(3)
    sizes = rng.integers(3, 41, 150).tolist()
    src, dst, labels = planted(sizes, seed=3)
    graph = graph_from_edges(src, dst)
    groups = peer_groups(graph)
    assert normalized_mutual_information(labels, labels_by_id(graph, groups)) >= 0.95
    assert max(len(m) for m in groups.groups) <= 45


def test_same_seed_same_groups_whatever_the_order_of_the_rows():
    src, dst, _ = planted([5, 8, 12, 20, 7, 9, 3, 30] * 4, p_in=0.3, links_out=2.0, seed=1)
    first = peer_groups(graph_from_edges(src, dst), seed=7)
    again = peer_groups(graph_from_edges(src, dst), seed=7)
    assert np.array_equal(first.membership, again.membership)
    order = np.random.default_rng(0).permutation(src.size)
    shuffled_graph = graph_from_edges(dst[order], src[order])
    shuffled = peer_groups(shuffled_graph, seed=7)
    assert as_sets(shuffled_graph, shuffled) == as_sets(graph_from_edges(src, dst), first)


def test_pairs_and_singletons_are_ungrouped():
    graph = graph_from_edges([1, 2, 1, 10, 20], [2, 3, 3, 11, 21], nodes=[30])
    groups = peer_groups(graph)
    assert as_sets(graph, groups) == [frozenset({1, 2, 3})]
    assert sorted(graph.ids[groups.ungrouped].tolist()) == [10, 11, 20, 21, 30]
    assert peer_groups(graph, min_size=2).groups.__len__() == 3


def ring_of_cliques(cliques, size):
    edges = []
    for c in range(cliques):
        members = range(c * size, (c + 1) * size)
        edges += list(itertools.combinations(members, 2))
        edges.append((c * size, ((c + 1) % cliques) * size + 1))
    a, b = zip(*edges, strict=True)
    return np.array(a), np.array(b)


def test_the_default_finds_small_groups_that_modularity_merges_in_a_large_network():
    # The textbook case of modularity's resolution limit: a ring of 5-person cliques, each
    # joined to the next by one link. At resolution 1 modularity merges neighbouring cliques
    # once the ring is large; the default keeps every clique, however large the ring.
    src, dst = ring_of_cliques(300, 5)
    graph = graph_from_edges(src, dst)
    cliques = {frozenset(range(c * 5, c * 5 + 5)) for c in range(300)}
    assert set(as_sets(graph, peer_groups(graph))) == cliques
    merged = peer_groups(graph, objective="modularity")
    assert max(len(m) for m in merged.groups) >= 10


def test_groups_do_not_depend_on_the_rest_of_the_network():
    src, dst, _ = planted([6, 9, 14, 4, 25, 11], p_in=0.5, seed=5)
    alone = graph_from_edges(src, dst)
    small = set(as_sets(alone, peer_groups(alone)))
    big_src, big_dst, _ = planted([20] * 400, p_in=0.2, links_out=3.0, seed=6)
    offset = 10_000  # a separate, much larger network alongside
    both = graph_from_edges(
        np.concatenate([src, big_src + offset]), np.concatenate([dst, big_dst + offset])
    )
    found = {g for g in as_sets(both, peer_groups(both)) if max(g) < offset}
    assert found == small


def cpm_value(edges, weights, labels, resolution):
    inside = sum(w for (a, b), w in zip(edges, weights, strict=True) if labels[a] == labels[b])
    sizes = np.bincount(labels)
    return inside - resolution * float((sizes * (sizes - 1) / 2).sum())


@pytest.mark.parametrize("seed", range(4))
def test_the_room_left_by_single_moves_is_the_brute_force_sum(seed):
    rng = np.random.default_rng(seed)
    src, dst, _ = planted([4, 6, 5, 3], p_in=0.5, links_out=2.0, seed=seed)
    weights = rng.choice([1.0, 0.6, 0.3], src.size)
    graph = graph_from_edges(src, dst, weights)
    labels = rng.integers(0, 5, graph.graph.vcount())
    room, value = _cpm_room(graph, labels, 0.2)
    edges, w = graph.edges.tolist(), graph.weights.tolist()
    assert value == pytest.approx(cpm_value(edges, w, labels, 0.2))
    expected = 0.0
    for v in range(labels.size):
        best = 0.0
        for target in [*set(labels.tolist()), labels.max() + 1]:  # each group, or alone
            moved = labels.copy()
            moved[v] = target
            best = max(best, cpm_value(edges, w, moved, 0.2) - value)
        expected += best
    assert room == pytest.approx(expected)


def test_modularity_and_objective_are_reported():
    src, dst, _ = planted([10] * 20, seed=2)
    graph = graph_from_edges(src, dst)
    groups = peer_groups(graph)
    assert groups.objective == "cpm" and groups.resolution == pytest.approx(0.05)
    assert 0.5 < groups.modularity < 1
    assert peer_groups(graph, resolution=0.2).resolution == 0.2
    with pytest.raises(ValueError, match="resolution"):
        peer_groups(graph, resolution=0)


# --- stable ids --------------------------------------------------------------------------------


def test_adding_one_association_keeps_every_other_groups_id():
    rng = np.random.default_rng(11)
    src, dst, _ = planted(rng.integers(4, 25, 60).tolist(), p_in=0.5, seed=11)
    graph = graph_from_edges(src, dst)
    before = as_sets(graph, peer_groups(graph))
    first = match_groups({}, before, next_id=1)
    assert first.ids == tuple(range(1, len(before) + 1))
    previous = dict(zip(first.ids, before, strict=True))

    # One new association, between members of two different groups.
    a = min(before[3])
    b = min(before[17])
    graph2 = graph_from_edges(np.append(src, a), np.append(dst, b))
    after = as_sets(graph2, peer_groups(graph2))
    second = match_groups(previous, after, next_id=len(before) + 1)
    new_id_of = dict(zip(after, second.ids, strict=True))
    for old_id, members in previous.items():
        if a in members or b in members:
            continue
        assert members in new_id_of, f"group {old_id} changed"
        assert new_id_of[members] == old_id


def test_jaccard_threshold():
    previous = {1: range(0, 10), 2: range(10, 20)}
    # 3 of 10 kept plus 0 new: Jaccard 3/10 = 0.3 keeps id 1. Group two: 3 of 10 kept, one
    # newcomer: 3/11 < 0.3, so it gets a fresh id and id 2 is retired.
    current = [range(0, 3), [10, 11, 12, 99]]
    match = match_groups(previous, current, next_id=50)
    assert match.ids == (1, 50)
    assert match.jaccard == (pytest.approx(0.3), 0.0)
    assert match.fresh == (1,) and match.retired == (2,)
    assert match_groups(previous, current, next_id=50, min_jaccard=0.25).ids == (1, 2)


def test_matching_is_optimal_not_greedy():
    # Greedy on the largest overlap would give id 1 to group B (0.6) and leave A unmatched;
    # the assignment keeps both ids, for a larger total overlap.
    previous = {1: range(0, 10), 2: range(10, 16)}
    a = list(range(0, 4)) + [40]  # J(1, A) = 4/11
    b = list(range(4, 10)) + list(range(10, 14))  # J(1, B) = 6/14, J(2, B) = 4/12
    match = match_groups(previous, [a, b], next_id=iter([7, 8]))
    assert match.ids == (1, 2)
    assert match.retired == ()


def test_fresh_ids_come_from_the_callers_source():
    counter = itertools.count(100)
    match = match_groups({}, [[1, 2, 3], [4, 5, 6]], next_id=lambda: next(counter))
    assert match.ids == (100, 101)
    with pytest.raises(ValueError, match="already in use"):
        match_groups({5: [1, 2, 3]}, [[1, 2, 3], [7, 8, 9]], next_id=5)
    with pytest.raises(ValueError, match="already in use"):  # 5 is retired, not free
        match_groups({5: [1, 2, 3]}, [[7, 8, 9]], next_id=5)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.sets(st.integers(0, 30), min_size=1, max_size=8), min_size=1, max_size=6),
    st.lists(st.sets(st.integers(0, 30), min_size=1, max_size=8), min_size=1, max_size=6),
)
def test_jaccard_matrix_equals_the_definition(previous, current):
    matrix = jaccard_matrix(previous, current).toarray()
    for i, p in enumerate(previous):
        for j, c in enumerate(current):
            assert matrix[i, j] == pytest.approx(len(p & c) / len(p | c))


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


# --- group vulnerability -----------------------------------------------------------------------


def test_vulnerability_high_with_its_reasons():
    members = [
        MemberFacts(open_exploitation_concern=True, concerns_by_category={"cce": 2}, age=15),
        MemberFacts(
            open_exploitation_concern=True,
            concerns_by_category={"cce": 1},
            flagged_persons_of_concern=1,
            age=13,
        ),
        MemberFacts(open_exploitation_concern=True, flagged_persons_of_concern=1, age=16),
        MemberFacts(
            open_exploitation_concern=True,
            concerns_by_category={"cce": 1},
            flagged_persons_of_concern=2,
            age=15,
        ),
        MemberFacts(age=14),
        MemberFacts(age=15),
    ]
    result = group_vulnerability(
        members, category_labels={"cce": "Child criminal exploitation or county lines"}
    )
    assert result.level == HIGH
    assert result.reasons == (
        "4 of 6 members have open exploitation concerns",
        "3 of 6 members are linked to persons of concern with current flags",
        "3 of 6 members have concerns about child criminal exploitation or county lines",
        "1 of 6 members is 13 or younger",
    )


def test_vulnerability_high_needs_flagged_adults_with_exploitation_or_missing_across_the_group():
    exploited = MemberFacts(open_exploitation_concern=True)
    flagged = MemberFacts(flagged_persons_of_concern=1)
    gone = MemberFacts(missing_episodes=2)
    both = MemberFacts(open_exploitation_concern=True, flagged_persons_of_concern=1)
    # Exploitation or going missing across the whole group, with no flagged adult: medium.
    assert group_vulnerability([exploited] * 6).level == MEDIUM
    assert group_vulnerability([gone] * 6).level == MEDIUM
    everything = MemberFacts(open_exploitation_concern=True, missing_episodes=3)
    assert group_vulnerability([everything] * 6).level == MEDIUM
    # Flagged adults linked to most of the group, with nothing else: medium.
    assert group_vulnerability([flagged] * 4 + [MemberFacts()] * 2).level == MEDIUM
    # Together: high, whichever of exploitation or going missing it is.
    assert group_vulnerability([both] * 3 + [MemberFacts()] * 3).level == HIGH
    result = group_vulnerability([flagged] * 3 + [gone] * 3)
    assert result.level == HIGH
    assert result.reasons == (
        "3 of 6 members are linked to persons of concern with current flags",
        "3 of 6 members have gone missing (6 episodes)",
    )
    # Just under each line: flagged adults for fewer than half, or for fewer than 3 members.
    assert group_vulnerability([both] * 3 + [exploited] * 4).level == MEDIUM
    assert group_vulnerability([both] * 2 + [MemberFacts()]).level == MEDIUM
    assert group_vulnerability([both] * 3).level == HIGH


def test_vulnerability_medium_and_low_explain_themselves():
    missing = [MemberFacts(missing_episodes=e) for e in (2, 1, 0, 0, 0)]
    result = group_vulnerability(missing)
    assert result.level == MEDIUM
    assert result.reasons == ("2 of 5 members have gone missing (3 episodes)",)

    one = [MemberFacts(open_exploitation_concern=True)] + [MemberFacts()] * 9
    result = group_vulnerability(one)
    assert result.level == LOW
    assert result.reasons == ("1 of 10 members has an open exploitation concern",)

    quiet = group_vulnerability([MemberFacts(age=15)] * 4)
    assert quiet.level == LOW
    assert quiet.reasons == (
        "No open exploitation concern or link to a person of concern with current flags is "
        "recorded for any of the 4 members",
    )


def test_vulnerability_flags_members_linked_to_flagged_persons_and_an_age_gap():
    members = [
        MemberFacts(flagged_persons_of_concern=2, age=19),
        MemberFacts(flagged_persons_of_concern=1, age=14),
        MemberFacts(age=15),
    ]
    result = group_vulnerability(members)
    assert result.level == MEDIUM
    assert result.reasons == (
        "2 of 3 members are linked to persons of concern with current flags",
        "The group spans ages 14 to 19: adults with children under 16",
    )


# --- NMI ---------------------------------------------------------------------------------------


def test_nmi_known_values():
    assert normalized_mutual_information([0, 0, 1, 1], [5, 5, 7, 7]) == pytest.approx(1.0)
    assert normalized_mutual_information([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(0.0)
    # One cluster split in two: I = ln 2 / 2... by hand: H(a) = ln 2, H(b) = 1.5 ln 2, I = ln 2.
    assert normalized_mutual_information([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.8)


def test_nmi_equals_scikit_learn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(4)
    for _ in range(5):
        a = rng.integers(0, 7, 300)
        b = np.where(rng.random(300) < 0.7, a, rng.integers(0, 9, 300))
        assert normalized_mutual_information(a, b) == pytest.approx(
            metrics.normalized_mutual_info_score(a, b)
        )
