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
