import pytest

from tests.factories import AdministratorFactory, ProviderFactory, TeamLeadFactory, WorkerFactory
from tests.factories.core import PASSWORD


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _official_peppol_rules(monkeypatch):
    """Every invoice and credit note a test makes also passes the official rules, not only our subset.

    Each UBL document the app builds (`invoicing.ubl.build_ubl`, which the issuing service and the
    demo use) is run through both official rule sets, and any fatal assertion fails the test at its
    end: a failure inside the service could be swallowed by `try_store_documents`, so it is collected
    here. XML a test breaks on purpose after building it is not checked.
    """
    from invoicing import schematron, ubl

    build = ubl.build_ubl
    broken: list[str] = []

    def checked(invoice):
        xml = build(invoice)
        broken.extend(f"{invoice}: {error}" for error in schematron.fatal_errors(xml))
        return xml

    monkeypatch.setattr(ubl, "build_ubl", checked)
    yield
    assert broken == [], "The official Peppol rules fail on a document the app made:\n" + "\n".join(broken)


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
    """Logged in as `user`; a user whose role requires a second factor also has a verified one (the code page
    has its own tests, tests/housingfirst/test_twofactor.py)."""
    from housingfirst import twofactor
    from housingfirst.models import User

    assert client.login(username=user.username, password=PASSWORD)
    if twofactor.needs_code(User.objects.get(pk=user.pk)):
        verify_second_factor(client, user)
    return client


def verify_second_factor(client, user):
    """The session counts as verified by the user's authenticator (made if they have none), as after a right
    code: django-otp keeps the device's id in the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user_id=user.pk, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, with the second factor the Django admin asks for."""
    client.force_login(admin_user)
    verify_second_factor(client, admin_user)
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
            # In front of the test's own marker: get_closest_marker returns the first of a node's marks.
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture
def database_tasks(settings, monkeypatch):
    """Puts the test on the real queue (django-tasks-db's DatabaseBackend): a task enqueued waits in the
    database until `run_worker()` (the project's `db_worker --batch`) takes every waiting task and exits.

    The worker checks its connection between tasks (`close_old_connections`), which would close the test's
    transaction under it; in a test the connection is the test's own, so that check is switched off.
    """
    from django.core.management import call_command

    queue = {**settings.TASKS["default"], "BACKEND": settings.TASK_BACKENDS["database"]}
    settings.TASKS = {**settings.TASKS, "default": queue}
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run_worker(**options):
        call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0, **options)

    return run_worker
