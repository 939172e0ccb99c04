"""Peer groups: seeded Leiden, stable identities and NMI."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from waymark.analytics.peer_graph import (
    graph_from_edges,
)
from waymark.analytics.peer_groups import (
    _cpm_room,
    jaccard_matrix,
    match_groups,
    normalized_mutual_information,
    peer_groups,
)
from waymark.analytics.tests.planted_groups import as_sets, labels_by_id, planted

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
