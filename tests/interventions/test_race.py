"""The caseload cap under concurrency: real PostgreSQL connections in threads, no mocks."""

import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from interventions import services
from interventions.models import Intervention, Visit
from interventions.selectors import load_of
from tests.factories import CitizenFactory, InterventionFactory, TeamLeadFactory, WorkerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _run_concurrently(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            # Connect first, so the threads meet at the barrier ready to race, not staggered by connecting.
            connection.ensure_connection()
            barrier.wait(timeout=10)
            results[index] = ("ok", job())
        except ValidationError as error:
            results[index] = ("refused", " ".join(error.messages))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.parametrize("concurrent", [2, 8, 16])
def test_concurrent_assignments_never_pass_the_cap(concurrent):
    worker = WorkerFactory(first_name="Sara", last_name="Nielsen")
    WorkerFactory(team=worker.team, first_name="Amina", last_name="Hassan")
    leads = [TeamLeadFactory(team=worker.team) for _i in range(concurrent)]
    for _i in range(11):
        InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    waiting = [
        InterventionFactory(worker=None, coordinator=None, citizen=CitizenFactory(team=worker.team))
        for _i in range(concurrent)
    ]

    jobs = [
        (
            lambda intervention=intervention, lead=lead: services.assign_worker(
                intervention=intervention, worker=worker, by=lead
            )
        )
        for intervention, lead in zip(waiting, leads, strict=True)
    ]
    results = _run_concurrently(jobs)

    outcomes = [outcome for outcome, _detail in results]
    assert "error" not in outcomes, results
    assert outcomes.count("ok") == 1  # 11 CTI + 1 = 12/12
    refused = [detail for outcome, detail in results if outcome == "refused"]
    assert len(refused) == concurrent - 1
    for message in refused:
        assert "Sara Nielsen har ikke plads til endnu en CTI-borger: 12 CTI + 0 ICM = 1,00." in message
        assert "Plads til CTI: Amina Hassan." in message
    assert load_of(worker).units == 1
    assert Intervention.objects.filter(worker=worker).count() == 12


def test_concurrent_mixed_methods_hold_the_exact_cap():
    worker = WorkerFactory()
    leads = [TeamLeadFactory(team=worker.team) for _i in range(6)]
    for _i in range(9):
        InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    # 9/12 = 18/24 taken; 3 ICM (3/24 each) and 3 CTI (2/24 each) race for the last 6/24.
    waiting = [
        InterventionFactory(worker=None, coordinator=None, method=method, citizen=CitizenFactory(team=worker.team))
        for method in ["ICM", "CTI", "ICM", "CTI", "ICM", "CTI"]
    ]
    jobs = [
        (
            lambda intervention=intervention, lead=lead: services.assign_worker(
                intervention=intervention, worker=worker, by=lead
            )
        )
        for intervention, lead in zip(waiting, leads, strict=True)
    ]
    results = _run_concurrently(jobs)
    assert all(outcome in ("ok", "refused") for outcome, _detail in results), results
    assert load_of(worker).units <= 1


# --- Lock order: two services that meet on the same rows wait for each other, never in a circle --------


def _holding_then(first_step, then_step, other):
    """Thread A runs `first_step`, keeps its transaction (and row locks) open while thread B runs
    `other`, then runs `then_step` in the same transaction. With locks taken in one order, B waits for
    A or passes; in the wrong order PostgreSQL finds a deadlock and aborts one of them."""
    holding = threading.Event()
    results = {}

    def a():
        try:
            with transaction.atomic():
                first_step()
                holding.set()
                time.sleep(0.7)  # B is now blocked inside its service, or done
                then_step()
            results["a"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            results["a"] = repr(error)
        finally:
            holding.set()
            connections.close_all()

    def b():
        try:
            holding.wait(timeout=10)
            other()
            results["b"] = "ok"
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            results["b"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_a_lead_assigning_while_logging_a_visit_of_their_own_does_not_deadlock():
    lead = TeamLeadFactory()
    worker = WorkerFactory(team=lead.team)
    intervention = InterventionFactory(worker=None, coordinator=None, citizen=CitizenFactory(team=lead.team))
    own = InterventionFactory(worker=lead, citizen=CitizenFactory(team=lead.team))
    today = datetime.date.today()

    def visit(on, hour):
        return lambda: services.log_visit(
            intervention=on, by=lead, date=today, start_time=datetime.time(hour, 0), duration_minutes=30
        )

    # A holds the lead's user row (visit 1), B assigns and writes history naming the lead, A then logs
    # a visit on the intervention B holds. With FOR UPDATE on users that was a circle.
    results = _holding_then(
        visit(own, 9),
        visit(intervention, 11),
        lambda: services.assign_worker(intervention=intervention, worker=worker, by=lead),
    )
    assert results == {"a": "ok", "b": "ok"}
    intervention.refresh_from_db()
    assert intervention.worker == worker
    assert Visit.objects.filter(worker=lead).count() == 2


def test_changing_method_while_a_lead_assigns_the_same_worker_does_not_deadlock():
    lead = TeamLeadFactory()
    other_lead = TeamLeadFactory(team=lead.team)
    worker = WorkerFactory(team=lead.team)
    waiting = InterventionFactory(worker=None, coordinator=None, citizen=CitizenFactory(team=lead.team))
    course = InterventionFactory(worker=worker, citizen=CitizenFactory(team=lead.team))

    # A holds the worker's row (one assignment) and then touches the course B is changing.
    results = _holding_then(
        lambda: services.assign_worker(intervention=waiting, worker=worker, by=lead),
        lambda: services.start_pause(intervention=course, from_date=datetime.date.today(), reason="hospital", by=lead),
        lambda: services.change_method(
            intervention=course, method="ICM", date=datetime.date.today(), by=other_lead, worker=worker
        ),
    )
    assert results == {"a": "ok", "b": "ok"}
    new = Intervention.objects.get(previous=course)
    assert new.worker == worker and new.method == "ICM"
