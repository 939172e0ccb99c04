"""Fixtures the place-analysis API tests share: a small town, a signed-in client, a clean cache."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from waymark.core.tests.helpers import client_for

from .town import Town, town_build


@pytest.fixture(autouse=True)
def fresh_cache():
    # Results are cached by data version; another test's database must not answer for this one.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(db) -> Town:
    return town_build()


@pytest.fixture
def api(town) -> APIClient:
    return client_for(town.sam)
