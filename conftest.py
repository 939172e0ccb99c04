import pytest

from waymark.accounts.models import Role
from waymark.accounts.tests.factories import AgencyFactory, UserFactory


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Eastbridge Children's Services")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Eastbridge Police", sector="police")


@pytest.fixture
def practitioner(agency):
    return UserFactory(username="sam.practitioner", agency=agency, role=Role.PRACTITIONER)


@pytest.fixture
def outsider(other_agency):
    return UserFactory(username="alex.outsider", agency=other_agency, role=Role.PRACTITIONER)


@pytest.fixture
def api(practitioner):
    """The API, signed in as the practitioner."""
    from waymark.core.tests.helpers import client_for

    return client_for(practitioner)


@pytest.fixture(autouse=True)
def audit_checkpoints(settings, tmp_path_factory):
    """A checkpoint directory of each test's own: checkpoints are files, outside the database."""
    settings.WAYMARK_AUDIT_CHECKPOINTS = tmp_path_factory.mktemp("audit-checkpoints")
    return settings.WAYMARK_AUDIT_CHECKPOINTS
