"""Scheduled work: `run_daily` enqueues each job of DAILY_JOBS once a day, also from two machines at once."""

import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from agenda.models import Notification
from housingfirst import daily
from housingfirst.models import DailyJobRun
from interventions.models import Intervention
from tests.factories import CitizenFactory, InterventionFactory

TODAY = datetime.date.today()


@pytest.mark.django_db
def test_every_daily_job_is_enqueued_once_a_day(database_tasks, settings, capsys):
    call_command("run_daily")
    assert DBTaskResult.objects.count() == len(settings.DAILY_JOBS)
    assert set(DailyJobRun.objects.values_list("job", flat=True)) == set(settings.DAILY_JOBS)

    call_command("run_daily")  # a second run the same day (or on a second machine) adds nothing
    assert DBTaskResult.objects.count() == len(settings.DAILY_JOBS)
    assert "already enqueued" in capsys.readouterr().out

    call_command("run_daily", date=(TODAY + datetime.timedelta(days=1)).isoformat())
    assert DBTaskResult.objects.count() == 2 * len(settings.DAILY_JOBS)


@pytest.mark.django_db
def test_a_dry_run_enqueues_nothing(database_tasks, capsys):
    call_command("run_daily", dry_run=True)
    assert DBTaskResult.objects.count() == 0 and DailyJobRun.objects.count() == 0
    assert "would enqueue" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_missed_day_runs_for_that_day(worker):
    """The planned course starts and the follow-up reminder comes when run for the day in question."""
    monday = TODAY - datetime.timedelta(days=3)
    planned = InterventionFactory(
        worker=worker,
        citizen=CitizenFactory(team=worker.team),
        status=Intervention.Status.PLANNED,
        start_date=monday,
        follow_up_date=monday + datetime.timedelta(days=10),
    )
    call_command("run_daily", date=monday.isoformat())  # immediate backend: the tasks run at once

    planned.refresh_from_db()
    assert planned.status == Intervention.Status.ACTIVE
    note = Notification.objects.get(recipient=worker, kind=Notification.Kind.FOLLOW_UP_DUE)
    assert planned.follow_up_date.strftime("%d.%m.%Y") in note.text

    call_command("run_daily", date=monday.isoformat())
    assert Notification.objects.filter(recipient=worker).count() == 1


@pytest.mark.django_db
def test_a_wrong_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_daily", date="3.12.2026")


@pytest.mark.django_db(transaction=True)
def test_two_machines_at_once_enqueue_each_job_once(database_tasks, settings):
    """Two run_daily at the same moment, each on its own database connection (as on two machines)."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs a database with concurrent transactions")
    settings.DAILY_JOBS = ["housingfirst.daily.start_planned_courses", "housingfirst.daily.prune_exports"]
    start = threading.Barrier(2)
    outcomes = []

    def machine():
        try:
            start.wait()
            outcomes.append([item.enqueued for item in daily.run_daily(day=TODAY)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=machine) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(sum(outcomes, [])) == [False, False, True, True]
    assert DailyJobRun.objects.count() == 2
    assert DBTaskResult.objects.count() == 2
