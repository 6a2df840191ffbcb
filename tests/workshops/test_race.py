"""Paying a month while a workshop leader saves hours in it: real PostgreSQL connections in threads."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from tests.factories import AdministratorFactory, CitizenFactory, WorkshopFactory
from workshops import services
from workshops.models import WorkBonusMonth, WorkshopHours

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]
MARCH = datetime.date(2025, 3, 1)


def _run(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


def test_hours_saved_while_the_month_is_being_paid_wait_and_are_refused():
    citizen = CitizenFactory()
    workshop = WorkshopFactory(participants=[citizen])
    administrator = AdministratorFactory()
    services.log_hours(workshop=workshop, citizen=citizen, date=MARCH, hours=Decimal("5"), by=workshop.leader)
    paying_holds_lock = threading.Event()
    outcome = {}
    original = services.selectors.month_statements

    def slow_statements(month, citizen_ids=None):
        # The payment has the month's row locked and is reading the hours: hold it there a moment.
        paying_holds_lock.set()
        time.sleep(0.5)
        return original(month, citizen_ids)

    def pay():
        try:
            services.selectors.month_statements = slow_statements
            outcome["paid"] = services.pay_month(month=MARCH, by=administrator)
        finally:
            connections.close_all()

    def log():
        try:
            paying_holds_lock.wait(timeout=10)
            services.log_hours(
                workshop=workshop,
                citizen=citizen,
                date=MARCH + datetime.timedelta(days=1),
                hours=Decimal("3"),
                by=workshop.leader,
            )
            outcome["log"] = "saved"
        except ValidationError as error:
            outcome["log"] = " ".join(error.messages)
        finally:
            connections.close_all()

    try:
        _run(pay, log)
    finally:
        services.selectors.month_statements = original

    assert "udbetalt, så timerne er låst" in outcome["log"]
    assert outcome["paid"].total_gross == Decimal("150.00")
    assert list(WorkshopHours.objects.values_list("hours", flat=True)) == [Decimal("5.00")]
    assert WorkBonusMonth.objects.get(month=MARCH).total_gross == Decimal("150.00")


def test_a_payment_waits_for_hours_being_saved_and_pays_them():
    citizen = CitizenFactory()
    workshop = WorkshopFactory(participants=[citizen])
    administrator = AdministratorFactory()
    logging_holds_lock = threading.Event()
    outcome = {}

    def log():
        try:
            with transaction.atomic():
                services.log_hours(
                    workshop=workshop, citizen=citizen, date=MARCH, hours=Decimal("4"), by=workshop.leader
                )
                logging_holds_lock.set()
                time.sleep(0.5)
        finally:
            connections.close_all()

    def pay():
        try:
            logging_holds_lock.wait(timeout=10)
            outcome["paid"] = services.pay_month(month=MARCH, by=administrator)
        finally:
            connections.close_all()

    _run(log, pay)

    assert outcome["paid"].total_gross == Decimal("120.00")
    assert outcome["paid"].citizens == 1
