import datetime

import pytest

from tests.factories import InterventionFactory, MunicipalityEANFactory, VisitFactory, last_month, municipality


@pytest.fixture
def month():
    return last_month()


@pytest.fixture
def haderslev(db):
    """Haderslev (510) with an EAN for invoices and an invoice e-mail."""
    place = municipality("510")
    place.invoice_email = "faktura@haderslev.example"
    place.save()
    MunicipalityEANFactory(municipality=place, ean="5798000015104", label="Socialafdelingen")
    return place


def log_visits(month, *, minutes, intervention=None, day=3, **intervention_kwargs):
    """Billable visits of the given minutes on consecutive days of the month, for one intervention."""
    intervention = intervention or InterventionFactory(**intervention_kwargs)
    for offset, duration in enumerate(minutes):
        VisitFactory(
            intervention=intervention, date=month + datetime.timedelta(days=day - 1 + offset), duration_minutes=duration
        )
    return intervention


@pytest.fixture
def task_queue(settings, monkeypatch):
    """Tasks go to the real database queue, as in production, instead of running at enqueue.

    Returns a function that runs what is queued, like one `manage.py db_worker --batch` pass (without
    the worker's closing of connections, which would end the test's transaction)."""
    from django_tasks_db.management.commands import db_worker

    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"], "QUEUES": ["default", "documents"]}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run_queued():
        db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run_queued
