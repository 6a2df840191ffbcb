import datetime
import random
from decimal import Decimal

import pytest

from housingfirst.models import Method
from interventions.models import Pause
from invoicing.models import Rate, ShelterDayRate
from tests.factories import (
    AgreementFactory,
    CitizenFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    PauseFactory,
    VisitFactory,
    last_month,
    municipality,
)

CODES = ["510", "101", "147", "751"]


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


@pytest.fixture
def national_month(provider, month):
    """Four municipalities, two methods, a rate change on the 11th and another on the 21st, visits
    outside the month and unbillable ones, an agreed return to the shelter with visits on its nights
    and one not agreed."""
    rng = random.Random(16)
    Rate.objects.create(hourly_rate=Decimal("455.50"), valid_from=month + datetime.timedelta(days=10))
    Rate.objects.create(hourly_rate=Decimal("461.25"), valid_from=month + datetime.timedelta(days=20))
    ShelterDayRate.objects.create(day_rate=Decimal("1200.00"), valid_from=month - datetime.timedelta(days=400))
    interventions = []
    for code in CODES:
        place = municipality(code)
        MunicipalityEANFactory(municipality=place)
        for n in range(3):
            intervention = InterventionFactory(
                citizen=CitizenFactory(paying_municipality=place),
                method=[Method.CTI, Method.ICM][n % 2],
                start_date=month - datetime.timedelta(days=90),
            )
            if n == 1:  # a draft, not signed: a warning; the others have none: another warning
                AgreementFactory(intervention=intervention)
            interventions.append(intervention)
    for intervention in interventions:
        for day in range(-3, 34):
            if rng.random() < 0.5:
                VisitFactory(
                    intervention=intervention,
                    date=month + datetime.timedelta(days=day),
                    start_time=datetime.time(8 + rng.randrange(8), 0),
                    duration_minutes=rng.randrange(1, 200),
                    billable=rng.random() < 0.9,
                )
    agreed = PauseFactory(
        intervention=interventions[1],
        reason=Pause.Reason.SHELTER,
        from_date=month + datetime.timedelta(days=4),
        to_date=month + datetime.timedelta(days=12),
    )
    agreed.agreed_on, agreed.agreed_caseworker = agreed.from_date, "Lone Sørensen"
    agreed.save()
    PauseFactory(
        intervention=interventions[4], reason=Pause.Reason.SHELTER, from_date=month + datetime.timedelta(days=2)
    )
    return interventions
