"""bench_issue: a month issued while threads log visits, with the waits printed."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from housingfirst.models import Municipality
from invoicing.models import Invoice
from tests.factories import CitizenFactory, InterventionFactory, MunicipalityEANFactory, ProviderFactory, last_month
from tests.invoicing.conftest import log_visits


def courses(month, codes):
    for code in codes:
        place = Municipality.objects.get(code=code)
        MunicipalityEANFactory(municipality=place)
        intervention = InterventionFactory(
            citizen=CitizenFactory(paying_municipality=place), start_date=month - datetime.timedelta(days=40)
        )
        log_visits(month, minutes=[45], intervention=intervention)


@pytest.mark.django_db
def test_without_issue_it_changes_nothing():
    ProviderFactory()
    month = last_month()
    courses(month, ["510"])
    out = io.StringIO()

    call_command("bench_issue", stdout=out)

    assert "Dry run" in out.getvalue() and not Invoice.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_it_issues_the_month_and_prints_the_worst_visit_wait(settings):
    settings.TASKS = {"default": {"BACKEND": settings.TASK_BACKENDS["database"], "QUEUES": ["default", "documents"]}}
    ProviderFactory()
    month = last_month()
    courses(month, ["101", "147", "151", "510"])
    out = io.StringIO()

    call_command("bench_issue", "--issue", "--loggers", "1", stdout=out)

    text = out.getvalue()
    assert Invoice.objects.count() == 4
    assert "Issued 4 invoices" in text and "wait worst" in text
    assert "whose invoice does not hold all their minutes: 0." in text
