"""Planted peer groups for the analytics tests: a known truth to recover."""

import itertools

import numpy as np

from waymark.analytics.peer_groups import (
    UNGROUPED,
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
