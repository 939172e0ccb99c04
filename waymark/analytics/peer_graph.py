"""The peer map as a weighted, undirected graph of young people (and, if asked, persons of concern).

A link's weight says how much it counts as evidence that two people spend time together:

    weight = RELIABILITY_WEIGHT[reliability] x 0.5 ** (age_in_days / half_life_days)
             (x CO_INVOLVEMENT_FACTOR when the link is being named in the same concern)

- Reliability: confirmed 1.0, tentative 0.6, unconfirmed 0.3. A name on a peer map is not a fact,
  so an unconfirmed link counts for under a third of a confirmed one.
- Recency: the weight halves every `half_life_days` (180 by default) since the link was last seen,
  counted back from the end of the window (or from today, if that is earlier). Last seen today,
  a link counts in full; last seen six months ago, half; a year ago, a quarter.
- Co-involvement: two young people named in the same concern were together at least once, which
  is evidence of being together but not of a relationship: it counts half an association of the
  same reliability (`CO_INVOLVEMENT_FACTOR`).
- Parallel links between the same two people (an association and a shared concern, or several
  shared concerns) add up.

A link is left out altogether, whatever its reliability, when:
- it is past its review-by date on `today` (an expired link is not evidence);
- it was not seen in the window: its first-seen to last-seen span does not overlap it.

Pure functions over arrays. Days are whole numbers on one scale the caller chooses (for example
`datetime.date.toordinal()`), the same for every array and for `today` and the window.
"""

from dataclasses import dataclass

import igraph
import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.sparse.csgraph import reverse_cuthill_mckee

# Reliability codes, as waymark.core.models.RELIABILITY_RANK ranks them.
UNCONFIRMED = 0
TENTATIVE = 1
CONFIRMED = 2
# Indexed by reliability code.
RELIABILITY_WEIGHT = np.array([0.3, 0.6, 1.0])
HALF_LIFE_DAYS = 180.0
CO_INVOLVEMENT_FACTOR = 0.5

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class PeerGraphError(ValueError):
    """The links cannot be made into a graph; the message names the row (0-based) at fault."""


@dataclass(frozen=True)
class PeerGraph:
    """An undirected graph with one vertex per person and a `weight` attribute on every edge.

    `ids[v]` is the caller's id of vertex v, and `person_of_concern[v]` says whether it is a
    person of concern (ids of young people and of persons of concern may overlap). Vertices are
    numbered for speed, not in id order (`vertex_of` finds one); edges are simple (no parallel
    edges, no self-loops) with positive weights. `edges` (one row per edge, the lower vertex
    first) and `weights` hold the same edges as `graph`, in its edge order, as arrays.
    """

    graph: igraph.Graph
    ids: npt.NDArray[np.generic]
    person_of_concern: BoolArray
    edges: IntArray
    weights: FloatArray

    def vertex_of(self, person: object, *, person_of_concern: bool = False) -> int:
        """The vertex of a person, by the caller's id; KeyError if they are not in the graph."""
        found = np.flatnonzero((self.ids == person) & (self.person_of_concern == person_of_concern))
        if found.size == 0:
            raise KeyError(person)
        return int(found[0])


def _days(values: npt.ArrayLike, name: str, rows: int) -> IntArray:
    array = np.asarray(values)
    if array.shape != (rows,):
        raise PeerGraphError(f"{name} must be a 1-D array with one value per link ({rows})")
    if not np.issubdtype(array.dtype, np.integer):
        raise PeerGraphError(f"{name} must be whole numbers of days")
    return array.astype(np.int64, copy=False)


def link_weights(
    *,
    reliability: npt.ArrayLike,
    last_seen: npt.ArrayLike,
    review_by: npt.ArrayLike,
    today: int,
    window: tuple[int, int] | None = None,
    first_seen: npt.ArrayLike | None = None,
    co_involvement: npt.ArrayLike | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
) -> FloatArray:
    """The weight of each link as the module docstring describes; 0 for a link that is not
    evidence (expired on `today`, or not seen in the inclusive `window` of days).

    `reliability` holds codes UNCONFIRMED (0), TENTATIVE (1) or CONFIRMED (2). `first_seen`
    defaults to `last_seen`; `co_involvement` (booleans) to all False.
    """
    codes = np.asarray(reliability)
    rows = codes.shape[0] if codes.ndim == 1 else -1
    if rows < 0:
        raise PeerGraphError("reliability must be a 1-D array with one code per link")
    if not np.issubdtype(codes.dtype, np.integer) or (
        rows and (codes.min() < UNCONFIRMED or codes.max() > CONFIRMED)
    ):
        raise PeerGraphError("reliability codes must be 0 (unconfirmed), 1 or 2 (confirmed)")
    last = _days(last_seen, "last_seen", rows)
    review = _days(review_by, "review_by", rows)
    first = last if first_seen is None else _days(first_seen, "first_seen", rows)
    if not half_life_days > 0:
        raise PeerGraphError("half_life_days must be positive")
    start, end = (np.iinfo(np.int64).min, today) if window is None else window
    if start > end:
        raise PeerGraphError(f"the window starts ({start}) after it ends ({end})")
    reference = min(int(end), int(today))

    current = (review >= today) & (first <= end) & (last >= start)
    age = np.maximum(reference - last, 0)
    weight = RELIABILITY_WEIGHT[codes] * np.exp2(-age / half_life_days)
    if co_involvement is not None:
        shared = np.asarray(co_involvement, dtype=bool)
        if shared.shape != (rows,):
            raise PeerGraphError("co_involvement must have one value per link")
        weight = np.where(shared, weight * CO_INVOLVEMENT_FACTOR, weight)
    return np.where(current, weight, 0.0)


def graph_from_edges(
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    weight: npt.ArrayLike | None = None,
    *,
    nodes: npt.ArrayLike | None = None,
) -> PeerGraph:
    """A graph of young people from edge arrays of any sortable ids (whole numbers or strings).

    Parallel edges are summed; edges of weight 0 are dropped, but their ends stay as vertices,
    as do the extra `nodes` (people with no current link: they show as ungrouped). A self-loop
    or a negative or non-finite weight raises PeerGraphError naming the row.
    """
    src = np.asarray(source)
    dst = np.asarray(target)
    if src.ndim != 1 or src.shape != dst.shape:
        raise PeerGraphError("source and target must be 1-D arrays of the same length")
    w = np.ones(src.shape, dtype=np.float64) if weight is None else np.asarray(weight, np.float64)
    if w.shape != src.shape:
        raise PeerGraphError("weight must have one value per edge")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        raise PeerGraphError(
            f"row {bad[0]}: weight {w[bad[0]]} is not a finite number of 0 or more"
        )
    loops = np.flatnonzero(src == dst)
    if loops.size:
        raise PeerGraphError(f"row {loops[0]}: {src[loops[0]].item()!r} is linked to itself")
    extra = np.asarray([] if nodes is None else nodes)
    if extra.size == 0:
        extra = extra.astype(src.dtype)
    ids, inverse = _factorise(np.concatenate([src, dst, extra]))
    m = src.shape[0]
    a, b = inverse[:m], inverse[m : 2 * m]
    return _build(ids, np.zeros(len(ids), dtype=bool), a, b, w)


def _factorise(values: npt.NDArray[np.generic]) -> tuple[npt.NDArray[np.generic], IntArray]:
    """The distinct values, sorted, and each value's index among them (np.unique's answer).
    Whole-number ids from 0 to a few times their count, as database keys are, take a quicker
    path: a presence table instead of a sort."""
    if values.size and np.issubdtype(values.dtype, np.integer):
        low, high = int(values.min()), int(values.max())
        if low >= 0 and high < 4 * values.size:
            present = np.bincount(values, minlength=high + 1) > 0
            index = np.cumsum(present) - 1
            return np.flatnonzero(present).astype(values.dtype), index[values]
    ids, inverse = np.unique(values, return_inverse=True)
    return ids, inverse.reshape(-1)


def _build(
    ids: npt.NDArray[np.generic], poc: BoolArray, a: IntArray, b: IntArray, w: FloatArray
) -> PeerGraph:
    n = len(ids)
    keep = w > 0
    a, b, w = a[keep], b[keep], w[keep]
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    pair, at = np.unique(lo * n + hi, return_inverse=True)
    summed = np.bincount(at, weights=w, minlength=len(pair)).astype(np.float64, copy=False)
    lo, hi = pair // n, pair % n
    # Number the vertices so that linked people sit near each other in memory (reverse
    # Cuthill-McKee, a breadth-first order): Leiden then takes 20-30% less time on a large
    # network than with the vertices in id order, which is random with respect to the links.
    adjacency = sparse.csr_array((np.ones(len(pair)), (lo, hi)), shape=(n, n))
    order = reverse_cuthill_mckee(adjacency + adjacency.T, symmetric_mode=True).astype(np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    a, b = rank[lo], rank[hi]
    edges = np.column_stack([np.minimum(a, b), np.maximum(a, b)])
    # A list of tuples is the quickest form for igraph to read (quicker than a numpy array).
    pairs = list(zip(edges[:, 0].tolist(), edges[:, 1].tolist(), strict=True))
    graph = igraph.Graph(n=n, edges=pairs)
    graph.es["weight"] = summed.tolist()
    return PeerGraph(
        graph=graph, ids=ids[order], person_of_concern=poc[order], edges=edges, weights=summed
    )


def peer_graph(
    *,
    source: npt.ArrayLike,
    target: npt.ArrayLike,
    reliability: npt.ArrayLike,
    last_seen: npt.ArrayLike,
    review_by: npt.ArrayLike,
    today: int,
    window: tuple[int, int] | None = None,
    first_seen: npt.ArrayLike | None = None,
    co_involvement: npt.ArrayLike | None = None,
    target_is_person_of_concern: npt.ArrayLike | None = None,
    include_persons_of_concern: bool = False,
    young_people: npt.ArrayLike | None = None,
    half_life_days: float = HALF_LIFE_DAYS,
) -> PeerGraph:
    """The peer map: one row per link, weighted and filtered by `link_weights`.

    `source` holds young people's ids; `target` young people's ids or, where
    `target_is_person_of_concern` is True, persons of concern's ids. Links to persons of concern
    are left out unless `include_persons_of_concern`. Rows of co-involvement (two young people
    named in one concern) have `co_involvement` True. `young_people` lists extra young people to
    keep as vertices even with no current link (they show as ungrouped).
    """
    src = np.asarray(source, dtype=np.int64)
    dst = np.asarray(target, dtype=np.int64)
    if src.ndim != 1 or src.shape != dst.shape:
        raise PeerGraphError("source and target must be 1-D arrays of the same length")
    rows = src.shape[0]
    to_poc = (
        np.zeros(rows, dtype=bool)
        if target_is_person_of_concern is None
        else np.asarray(target_is_person_of_concern, dtype=bool)
    )
    if to_poc.shape != (rows,):
        raise PeerGraphError("target_is_person_of_concern must have one value per link")
    loops = np.flatnonzero((src == dst) & ~to_poc)
    if loops.size:
        raise PeerGraphError(f"row {loops[0]}: young person {src[loops[0]]} is linked to themself")
    w = link_weights(
        reliability=reliability,
        last_seen=last_seen,
        review_by=review_by,
        today=today,
        window=window,
        first_seen=first_seen,
        co_involvement=co_involvement,
        half_life_days=half_life_days,
    )
    if not include_persons_of_concern:
        w = np.where(to_poc, 0.0, w)
    current = w > 0
    extra = np.asarray([] if young_people is None else young_people, dtype=np.int64)
    # Young people: every source, every young target, and the extras. Persons of concern: only
    # those with a current link, and only when asked for.
    yp_ids = np.unique(np.concatenate([src, dst[~to_poc], extra]))
    poc_ids = np.unique(dst[to_poc & current]) if include_persons_of_concern else dst[:0]
    a = np.searchsorted(yp_ids, src)
    b = np.where(
        to_poc,
        len(yp_ids) + np.searchsorted(poc_ids, dst).clip(max=max(len(poc_ids) - 1, 0)),
        np.searchsorted(yp_ids, dst).clip(max=max(len(yp_ids) - 1, 0)),
    )
    ids = np.concatenate([yp_ids, poc_ids])
    poc = np.concatenate([np.zeros(len(yp_ids), bool), np.ones(len(poc_ids), bool)])
    return _build(ids, poc, a, b, np.where(current, w, 0.0))
