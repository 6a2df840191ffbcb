"""A visit saved while its month is being invoiced: real PostgreSQL connections in threads."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from housingfirst.models import Municipality
from interventions import services
from interventions.models import LockedMonth, Visit
from tests.factories import InterventionFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_a_visit_saved_while_the_month_is_being_issued_waits_and_is_refused():
    last_month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    intervention = InterventionFactory(start_date=last_month - datetime.timedelta(days=30))
    municipality_id = intervention.citizen.paying_municipality_id
    issuing_holds_lock = threading.Event()
    outcome = {}

    def issue_month():
        # What invoicing does when it issues: lock the municipality, read the visits, lock the month.
        try:
            with transaction.atomic():
                Municipality.objects.select_for_update().get(pk=municipality_id)
                issuing_holds_lock.set()
                time.sleep(0.5)
                LockedMonth.objects.create(municipality_id=municipality_id, month=last_month, reference="1")
        finally:
            connections.close_all()

    def log_visit():
        try:
            issuing_holds_lock.wait(timeout=10)
            services.log_visit(
                intervention=intervention,
                by=intervention.worker,
                date=last_month + datetime.timedelta(days=3),
                start_time=datetime.time(10, 0),
                duration_minutes=30,
            )
            outcome["result"] = "saved"
        except ValidationError as error:
            outcome["result"] = " ".join(error.messages)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue_month), threading.Thread(target=log_visit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert "kreditnota" in outcome["result"]
    assert not Visit.objects.exists()


def test_a_move_to_another_paying_municipality_waits_for_the_month_being_issued():
    from citizens.services import save_citizen
    from tests.factories import municipality

    intervention = InterventionFactory()
    citizen = intervention.citizen
    old_id = citizen.paying_municipality_id
    new = municipality("550") if municipality("550").pk != old_id else municipality("510")
    issuing_holds_lock = threading.Event()
    order = []

    def issue_month():
        try:
            with transaction.atomic():
                Municipality.objects.select_for_update().get(pk=old_id)
                issuing_holds_lock.set()
                time.sleep(0.5)
                order.append("issued")
        finally:
            connections.close_all()

    def move():
        try:
            issuing_holds_lock.wait(timeout=10)
            citizen.paying_municipality = new
            save_citizen(citizen=citizen, user=intervention.worker)
            order.append("moved")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue_month), threading.Thread(target=move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert order == ["issued", "moved"]
    citizen.refresh_from_db()
    assert citizen.paying_municipality == new
