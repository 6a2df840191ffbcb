"""Visits logged while a month is being issued wait for one municipality's invoice, not the country's.

Real PostgreSQL connections in threads. Each municipality's preview is slowed down on purpose (a
stand-in for a large municipality's month), so the run takes seconds and a wait for the whole run
would be plain to see.
"""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from housingfirst.models import Municipality
from interventions import services as visit_services
from interventions.models import Visit
from invoicing import services
from invoicing.models import Invoice, InvoiceLine
from tests.factories import CitizenFactory, InterventionFactory, MunicipalityEANFactory, ProviderFactory, last_month

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

CODES = ["101", "147", "151", "153", "155", "157", "159", "161", "163", "165"]
SLOW_PREVIEW_SECONDS = 0.3


def test_a_visit_logged_during_a_national_issue_waits_at_most_one_municipalitys_invoice(settings, monkeypatch):
    # The documents go to the queue (as in production), so the issuing transactions render nothing.
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"], "QUEUES": ["default", "documents"]}}
    ProviderFactory()
    month = last_month()
    today = timezone.localdate()
    interventions = []
    for code in CODES:
        place = Municipality.objects.get(code=code)
        MunicipalityEANFactory(municipality=place)
        intervention = InterventionFactory(
            citizen=CitizenFactory(paying_municipality=place), start_date=month - datetime.timedelta(days=30)
        )
        Visit.objects.create(
            intervention=intervention,
            worker=intervention.worker,
            date=month + datetime.timedelta(days=2),
            start_time=datetime.time(8, 0),
            duration_minutes=60,
        )
        interventions.append(intervention)

    preview = services.month_preview
    holds = []

    def slow_preview(*args, **kwargs):
        time.sleep(SLOW_PREVIEW_SECONDS)
        return preview(*args, **kwargs)

    monkeypatch.setattr(services, "month_preview", slow_preview)
    issue_municipality_month = services.issue_municipality_month

    def timed_issue(**kwargs):
        started = time.perf_counter()
        try:
            return issue_municipality_month(**kwargs)
        finally:
            holds.append(time.perf_counter() - started)

    monkeypatch.setattr(services, "issue_municipality_month", timed_issue)

    running, finished = threading.Event(), threading.Event()
    waits, outcomes = [], []  # (seconds, municipality code, in the issued month?, outcome)

    def issue():
        try:
            running.set()
            services.issue_month(month=month)
        finally:
            finished.set()
            connections.close_all()

    def log_visits():
        try:
            running.wait(10)
            time.sleep(0.05)
            n = 0
            while not finished.is_set():
                intervention = interventions[n % len(interventions)]
                # Alternately this month (never invoiced now) and the month being issued.
                in_issued_month = n % 2 == 1
                day = month + datetime.timedelta(days=10) if in_issued_month else today
                started = time.perf_counter()
                try:
                    visit_services.log_visit(
                        intervention=intervention,
                        by=intervention.worker,
                        date=day,
                        start_time=_slot(n),
                        duration_minutes=5,
                    )
                    outcome = "saved"
                except ValidationError as error:
                    outcome = " ".join(error.messages)
                waits.append((time.perf_counter() - started, intervention.citizen.paying_municipality.code))
                outcomes.append((in_issued_month, outcome))
                n += 1
        finally:
            connections.close_all()

    started = time.perf_counter()
    threads = [threading.Thread(target=issue), threading.Thread(target=log_visits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    run = time.perf_counter() - started

    worst_wait = max(seconds for seconds, _code in waits)
    worst_hold = max(holds)
    print(
        f"\n{len(CODES)} municipalities issued in {run:.2f} s; longest municipality transaction {worst_hold:.2f} s; "
        f"{len(waits)} visits logged meanwhile, worst wait {worst_wait:.2f} s, median "
        f"{sorted(s for s, _c in waits)[len(waits) // 2]:.3f} s"
    )
    assert Invoice.objects.count() == len(CODES)
    # Bounded by one municipality's invoice (with room for a busy machine), far from the whole run.
    assert worst_wait < worst_hold + 0.5
    assert worst_wait < run / 3
    # Each visit in the issued month either landed before its municipality's invoice read the month
    # (and is on the invoice) or was refused as locked: none is left out of an invoice.
    assert any(in_month for in_month, _outcome in outcomes)
    for in_month, outcome in outcomes:
        assert outcome == "saved" or (in_month and "kreditnota" in outcome), outcome
    for invoice in Invoice.objects.all():
        billed = InvoiceLine.objects.filter(invoice=invoice).aggregate(minutes=Sum("minutes"))["minutes"]
        logged = Visit.objects.filter(
            intervention__citizen__paying_municipality=invoice.municipality,
            date__gte=month,
            date__lt=month + datetime.timedelta(days=32),
            date__month=month.month,
        ).aggregate(minutes=Sum("duration_minutes"))["minutes"]
        assert billed == logged, invoice.municipality


def _slot(n: int) -> datetime.time:
    """A start time of its own for each visit, so the worker's visits never overlap."""
    minutes = 6 * 60 + n * 6
    return datetime.time(minutes // 60 % 24, minutes % 60)
