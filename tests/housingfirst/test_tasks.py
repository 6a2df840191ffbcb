"""The task queue's foundation on the real database queue: retries, the last failure on the task page,
tasks a lost worker left running, and the worker command itself."""

import datetime

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from housingfirst import jobs
from housingfirst.tasks import ATTEMPT_KWARG, requeue_stale_tasks, retried_task

pytestmark = pytest.mark.django_db

# What the test tasks did, by key: the worker runs them in this process.
calls: dict[str, list] = {}
final_failures: list[tuple[str, str]] = []


def _remember_final_failure(key: str, *, error: Exception) -> None:
    final_failures.append((key, str(error)))


@retried_task(delays=(0, 0), label="Test: fails twice")
def fails_twice(key: str) -> str:
    calls.setdefault(key, []).append(timezone.now())
    if len(calls[key]) < 3:
        raise RuntimeError(f"attempt {len(calls[key])} went wrong")
    return "made"


@retried_task(delays=(0, 0), on_final_failure=_remember_final_failure, label="Test: always fails")
def always_fails(key: str) -> None:
    calls.setdefault(key, []).append(timezone.now())
    raise ValueError("the municipality has no EAN number")


@retried_task(label="Test: records")
def records(key: str) -> None:
    calls.setdefault(key, []).append(timezone.now())


@pytest.fixture(autouse=True)
def _forget():
    calls.clear()
    final_failures.clear()


def test_a_task_waits_in_the_database_until_a_worker_takes_it(database_tasks):
    result = records.enqueue("a")

    assert calls == {}
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert jobs.queue_state().waiting == 1

    database_tasks()

    assert len(calls["a"]) == 1
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert jobs.queue_state().waiting == 0


def test_a_failing_task_is_tried_again_and_succeeds_on_the_third_attempt(database_tasks, admin_client_):
    fails_twice.enqueue("b")

    database_tasks()

    assert len(calls["b"]) == 3
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    failed, successful = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL
    assert [r.status for r in results] == [failed, failed, successful]
    assert [r.args_kwargs["kwargs"].get(ATTEMPT_KWARG, 1) for r in results] == [1, 2, 3]
    assert results[-1].return_value == "made"
    # The attempts that were followed by another are not failures an administrator must act on.
    assert jobs.queue_state().failed == 0
    page = admin_client_.get("/opgaver/").content.decode()
    assert "Test: fails twice" not in page
    assert "attempt 1 went wrong" not in page


def test_the_last_failure_is_shown_to_administrators_with_its_message(database_tasks, admin_client_):
    always_fails.enqueue("c")

    database_tasks()

    assert len(calls["c"]) == 3
    assert final_failures == [("c", "the municipality has no EAN number")]
    assert jobs.queue_state().failed == 1
    response = admin_client_.get("/opgaver/")
    page = response.content.decode()
    assert "Test: always fails" in page
    assert "ValueError: the municipality has no EAN number" in page
    assert page.count("ValueError") == 1  # one row: the last attempt, not one per attempt


def test_an_administrator_runs_a_failed_task_again_from_a_first_attempt(database_tasks, admin_client_):
    always_fails.enqueue("d")
    database_tasks()
    failed = jobs.final_failures().get()

    response = admin_client_.post(f"/opgaver/{failed.pk}/proev-igen/", follow=True)

    assert response.status_code == 200
    again = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert again.args_kwargs == {"args": ["d"], "kwargs": {}}
    database_tasks()
    assert len(calls["d"]) == 6


def test_the_task_page_is_for_administrators_only(database_tasks, worker_client):
    assert worker_client.get("/opgaver/").status_code == 403


def test_a_task_left_running_by_a_lost_worker_is_queued_again_and_run(database_tasks, settings):
    settings.TASK_STALE_MINUTES = 15
    lost = records.enqueue("e")
    fresh = records.enqueue("f")
    DBTaskResult.objects.filter(pk=lost.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=16)
    )
    DBTaskResult.objects.filter(pk=fresh.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=2)
    )

    assert requeue_stale_tasks(dry_run=True) == [DBTaskResult.objects.get(pk=lost.id).pk]
    assert DBTaskResult.objects.get(pk=lost.id).status == TaskResultStatus.RUNNING

    # The worker puts it back when it starts, then runs it; the one still within its time is left alone.
    database_tasks()

    assert len(calls["e"]) == 1
    assert "f" not in calls
    assert DBTaskResult.objects.get(pk=lost.id).status == TaskResultStatus.SUCCESSFUL
    assert DBTaskResult.objects.get(pk=fresh.id).status == TaskResultStatus.RUNNING


def test_requeue_stale_tasks_command_says_what_it_did(database_tasks, capsys):
    from django.core.management import call_command

    lost = records.enqueue("g")
    DBTaskResult.objects.filter(pk=lost.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - datetime.timedelta(hours=1)
    )

    call_command("requeue_stale_tasks", "--dry-run")
    assert "Would requeue 1 task(s)" in capsys.readouterr().out
    call_command("requeue_stale_tasks")
    assert "Requeued 1 task(s)" in capsys.readouterr().out
    assert DBTaskResult.objects.get(pk=lost.id).status == TaskResultStatus.READY


def test_with_the_immediate_backend_a_task_runs_when_it_is_enqueued():
    result = fails_twice.enqueue("h")

    # Inline, each retry runs inside the attempt before it; the third succeeds.
    assert len(calls["h"]) == 3
    assert result.status == TaskResultStatus.FAILED  # the first attempt's own result
