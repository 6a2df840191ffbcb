import pytest

from tests.factories import AdministratorFactory, ProviderFactory, TeamLeadFactory, WorkerFactory
from tests.factories.core import PASSWORD


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def provider(db):
    return ProviderFactory()


@pytest.fixture
def worker(db):
    return WorkerFactory()


@pytest.fixture
def team_lead(db, worker):
    return TeamLeadFactory(team=worker.team)


@pytest.fixture
def administrator(db):
    return AdministratorFactory()


def logged_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def worker_client(client, worker):
    return logged_in(client, worker)


@pytest.fixture
def lead_client(client, team_lead):
    return logged_in(client, team_lead)


@pytest.fixture
def admin_client_(client, administrator):
    """A client logged in as an administrator of the app (not Django's superuser `admin_client`)."""
    return logged_in(client, administrator)


def pytest_collection_modifyitems(items):
    """Transactional tests (races, browser journeys) always restore the migrated reference data.

    A transactional test ends with a flush that empties every table, including what the data
    migrations put there (the 98 municipalities, the life areas, the 450 kr. rate). Without
    serialized_rollback the next transactional test would start without them.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}))
