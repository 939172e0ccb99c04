"""The reliability of an association, as the peer analysis reads it."""

from waymark.analytics.peer_graph import CONFIRMED, TENTATIVE, UNCONFIRMED
from waymark.core.models import RELIABILITY_RANK, Reliability


def test_the_reliability_codes_are_the_records_ranks():
    # The peer map passes RELIABILITY_RANK of each association to the link weights as its code.
    assert RELIABILITY_RANK[Reliability.CONFIRMED] == CONFIRMED
    assert RELIABILITY_RANK[Reliability.TENTATIVE] == TENTATIVE
    assert RELIABILITY_RANK[Reliability.UNCONFIRMED] == UNCONFIRMED
