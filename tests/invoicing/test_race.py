"""Two administrators issuing at once, on PostgreSQL with real threads and connections."""

import threading

import pytest
from django.db import connection, connections

from housingfirst.models import Municipality
from invoicing import services
from invoicing.models import Invoice
from tests.factories import CitizenFactory, MunicipalityEANFactory, ProviderFactory, last_month
from tests.invoicing.conftest import log_visits

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    errors = []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []


def municipalities_with_visits(month, codes):
    places = []
    for code in codes:
        place = Municipality.objects.get(code=code)
        MunicipalityEANFactory(municipality=place)
        log_visits(month, minutes=[45, 30], citizen=CitizenFactory(paying_municipality=place))
        places.append(place)
    return places


def test_concurrent_issues_get_distinct_numbers_without_gaps():
    ProviderFactory()
    month = last_month()
    places = municipalities_with_visits(month, ["510", "621", "580", "540", "630", "101", "147", "151"])
    batches = [[place.pk] for place in places]

    run_at_once(*[lambda ids=ids: services.issue_month(month=month, municipality_ids=ids) for ids in batches])

    numbers = sorted(int(n) for n in Invoice.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(places) + 1))


def test_two_administrators_issuing_the_same_month_make_one_invoice_each_municipality():
    ProviderFactory()
    month = last_month()
    places = municipalities_with_visits(month, ["510", "621", "580"])

    run_at_once(*[lambda: services.issue_month(month=month) for _ in range(4)])

    assert Invoice.objects.count() == len(places)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["1", "2", "3"]


def test_crediting_while_issuing_shares_the_one_sequence():
    ProviderFactory()
    month = last_month()
    first, second = municipalities_with_visits(month, ["510", "621"])
    (invoice,) = services.issue_month(month=month, municipality_ids=[first.pk])

    run_at_once(
        lambda: services.credit_invoice(invoice=invoice, reason="Forkerte timer"),
        lambda: services.issue_month(month=month, municipality_ids=[second.pk]),
    )

    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["1", "2", "3"]


def test_the_database_refuses_changing_an_issued_invoice():
    from django.db import DatabaseError

    ProviderFactory()
    month = last_month()
    municipalities_with_visits(month, ["510"])
    (invoice,) = services.issue_month(month=month)

    with pytest.raises(DatabaseError, match="cannot be changed"):
        Invoice.objects.filter(pk=invoice.pk).update(total=1)
    with pytest.raises(DatabaseError, match="cannot be changed"):
        invoice.lines.update(minutes=1)
    Invoice.objects.filter(pk=invoice.pk).update(paid_on=invoice.issue_date)  # life cycle: allowed


def test_a_rate_added_while_the_month_is_being_issued_waits_and_is_refused():
    """add_rate queues on the issuing lock: it sees the month invoiced instead of slipping into it."""
    import datetime
    import time

    from django.core.exceptions import ValidationError
    from django.db import transaction

    from invoicing.models import InvoiceSequence, Rate

    ProviderFactory()
    month = last_month()
    municipalities_with_visits(month, ["510"])
    InvoiceSequence.objects.get_or_create(name="invoice")
    holding, refusals = threading.Event(), []

    def issue_slowly():
        with transaction.atomic():
            InvoiceSequence.objects.select_for_update().get(name="invoice")  # what issue_month takes first
            holding.set()
            time.sleep(1)
            services.issue_month(month=month)

    def add_rate():
        holding.wait(10)
        try:
            services.add_rate(hourly_rate=500, valid_from=month + datetime.timedelta(days=5))
        except ValidationError as error:
            refusals.extend(error.messages)

    run_at_once(issue_slowly, add_rate)

    assert any("er allerede faktureret" in message for message in refusals)
    assert not Rate.objects.filter(hourly_rate=500).exists()
