import pytest

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import UserFactory


@pytest.fixture
def manager(agency):
    return UserFactory(username="morgan.manager", agency=agency, role=Role.MANAGER)


@pytest.fixture
def outside_manager(other_agency):
    return UserFactory(username="riley.manager", agency=other_agency, role=Role.MANAGER)
