"""Link weights and the weighted peer graph."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from waymark.analytics.tests.planted_groups import TODAY

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
