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


def test_a_rate_registered_between_a_municipalitys_preview_and_its_number_issues_nothing_priced_wrong(monkeypatch):
    """The preview of a municipality reads the rates without the sequence lock (it is taken last): a
    rate committed in that moment is seen under the lock, and the municipality's invoice is not issued
    at the old price. The next run prices the month with the new rate."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from invoicing.models import InvoiceLine, Rate

    ProviderFactory()
    month = last_month()
    municipalities_with_visits(month, ["510", "101"])
    locked_sequence = services._locked_sequence
    added = []

    def rate_committed_meanwhile():
        if not added and threading.current_thread() is threading.main_thread():
            # Another administrator, on another connection, while the first municipality's lines are written.
            def add_rate():
                try:
                    added.append(services.add_rate(hourly_rate=Decimal("500.00"), valid_from=month))
                finally:
                    connections.close_all()

            thread = threading.Thread(target=add_rate)
            thread.start()
            thread.join(timeout=30)
        return locked_sequence()

    monkeypatch.setattr(services, "_locked_sequence", rate_committed_meanwhile)
    with pytest.raises(ValidationError) as refusal:
        services.issue_month(month=month)

    assert f"En ny takst blev registreret, mens {month:%m.%Y} blev faktureret" in " ".join(refusal.value.messages)
    assert len(added) == 1 and Invoice.objects.count() == 0
    issued = services.issue_month(month=month)
    assert len(issued) == 2
    assert set(InvoiceLine.objects.values_list("rate", flat=True)) == {Decimal("500.00")}
    assert all(invoice.total == Decimal("625.00") for invoice in issued)  # 75 minutes at 500 kr.
    assert Rate.objects.filter(hourly_rate=500).count() == 1


def test_a_rate_for_the_month_is_refused_once_its_first_municipality_is_issued(monkeypatch):
    """Between two municipalities' transactions the month is already invoiced for the first: a rate
    taking effect in it would price the rest differently, so it is refused and all are at one rate."""
    import datetime
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from invoicing.models import InvoiceLine, Rate

    ProviderFactory()
    month = last_month()
    municipalities_with_visits(month, ["510", "101", "147"])
    issue_one = services.issue_municipality_month
    refusals = []

    def then_a_rate(**kwargs):
        invoice = issue_one(**kwargs)

        def add_rate():
            try:
                services.add_rate(hourly_rate=Decimal("500.00"), valid_from=month + datetime.timedelta(days=1))
            except ValidationError as error:
                refusals.extend(error.messages)
            finally:
                connections.close_all()

        thread = threading.Thread(target=add_rate)
        thread.start()
        thread.join(timeout=30)
        return invoice

    monkeypatch.setattr(services, "issue_municipality_month", then_a_rate)
    issued = services.issue_month(month=month)

    assert len(issued) == 3 and len(refusals) == 3
    assert all("er allerede faktureret" in message for message in refusals)
    assert not Rate.objects.filter(hourly_rate=500).exists()
    assert set(InvoiceLine.objects.values_list("rate", flat=True)) == {Decimal("450.00")}
