"""The caseload cap under concurrency: real PostgreSQL connections in threads, no mocks."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from interventions import services
from interventions.models import Intervention
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
