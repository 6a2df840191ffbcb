"""Read queries for the task page: what waits, what runs, what failed on its last attempt."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, Min, Q, When
from django.tasks import TaskResultStatus
from django.utils import timezone

from housingfirst.tasks import TASK_LABELS, Retrying, error_message

RETRYING = f"{Retrying.__module__}.{Retrying.__qualname__}"
FAILURES_SHOWN_DAYS = 14


def queue_is_database() -> bool:
    return settings.TASKS["default"]["BACKEND"] == settings.TASK_BACKENDS["database"]


@dataclass
class QueueState:
    waiting: int
    running: int
    failed: int
    oldest_waiting_at: datetime.datetime | None

    @property
    def oldest_waiting_seconds(self) -> int | None:
        if self.oldest_waiting_at is None:
            return None
        return max(int((timezone.now() - self.oldest_waiting_at).total_seconds()), 0)


def _results():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.all()


def final_failures(since: datetime.datetime | None = None):
    """Failed results that were not retried automatically: the last attempt's failure, newest first."""
    since = since or timezone.now() - datetime.timedelta(days=FAILURES_SHOWN_DAYS)
    return (
        _results()
        .filter(status=TaskResultStatus.FAILED, finished_at__gte=since)
        .exclude(exception_class_path=RETRYING)
        .order_by("-finished_at")
    )


def queue_state() -> QueueState:
    """Counts in one query: waiting (ready now or later), running, failed recently (last attempts)."""
    from django_tasks_db.models import get_date_max

    # django-tasks-db stores "run at once" as the largest date, not as NULL.
    never = get_date_max()
    now = timezone.now()
    since = now - datetime.timedelta(days=FAILURES_SHOWN_DAYS)
    counts = _results().aggregate(
        waiting=Count("id", filter=Q(status=TaskResultStatus.READY)),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count(
            "id",
            filter=Q(status=TaskResultStatus.FAILED, finished_at__gte=since) & ~Q(exception_class_path=RETRYING),
        ),
        oldest=Min(
            # A deferred task (a retry) waits from the moment it may run, not from when it was queued.
            Case(When(run_after=never, then="enqueued_at"), default="run_after"),
            filter=Q(status=TaskResultStatus.READY) & (Q(run_after=never) | Q(run_after__lte=now)),
        ),
    )
    return QueueState(
        waiting=counts["waiting"],
        running=counts["running"],
        failed=counts["failed"],
        oldest_waiting_at=counts["oldest"],
    )


@dataclass
class FailureRow:
    result: object
    label: str
    message: str
    retried: bool


def failure_rows(results) -> list[FailureRow]:
    rows = []
    for result in results:
        retried = isinstance(result.return_value, dict) and "retried_as" in result.return_value
        rows.append(
            FailureRow(
                result=result,
                label=str(TASK_LABELS.get(result.task_path, result.task_path.rsplit(".", 1)[-1])),
                message=error_message(result.traceback),
                retried=retried,
            )
        )
    return rows
