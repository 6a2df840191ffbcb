"""/health/: what a load balancer or monitor reads, without logging in."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.housingfirst.test_tasks import records

pytestmark = pytest.mark.django_db


def test_health_answers_without_login_with_the_immediate_backend(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {"status": "ok", "database": "ok", "queue": {"backend": "immediate"}}


def test_health_says_how_long_the_oldest_waiting_task_has_waited(client, database_tasks):
    first = records.enqueue("old")
    records.enqueue("new")
    DBTaskResult.objects.filter(pk=first.id).update(enqueued_at=timezone.now() - datetime.timedelta(minutes=3))

    report = client.get("/health/").json()

    assert report["status"] == "ok"
    assert report["queue"]["backend"] == "database"
    assert report["queue"]["waiting"] == 2
    assert report["queue"]["running"] == 0
    assert 180 <= report["queue"]["oldest_waiting_seconds"] < 240

    database_tasks()
    queue = client.get("/health/").json()["queue"]
    assert queue["waiting"] == 0
    assert queue["oldest_waiting_seconds"] is None


def test_health_runs_two_queries(client, database_tasks, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get("/health/")


def test_health_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable", "queue": "unknown"}


def test_health_is_503_when_the_queue_does_not_answer(client, database_tasks, monkeypatch):
    def broken():
        raise RuntimeError("relation django_tasks_db_dbtaskresult does not exist")

    monkeypatch.setattr("housingfirst.jobs.queue_state", broken)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "queue": "unreachable"}


def test_a_retry_not_yet_due_waits_but_is_not_late(client, database_tasks):
    records.using(run_after=timezone.now() + datetime.timedelta(seconds=60)).enqueue("later")

    queue = client.get("/health/").json()["queue"]

    assert queue["waiting"] == 1
    assert queue["oldest_waiting_seconds"] is None
