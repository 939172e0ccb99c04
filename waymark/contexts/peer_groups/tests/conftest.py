"""The peer world the peer-group page and API tests share."""

import pytest

from .world import PeerWorld, peer_world_build


@pytest.fixture
def world(db) -> PeerWorld:
    return peer_world_build()
