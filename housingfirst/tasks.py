"""Slow work on the task queue (Django's task framework, django-tasks-db's database backend).

The queue lives in PostgreSQL, so any number of `manage.py db_worker` processes on any number of
machines take work from it, with no server of its own. In tests the immediate backend runs a task at
the moment it is enqueued.

Rules for every task of the project:
- A task is thin: it takes ids and plain JSON values and calls one service.
- It is safe to run twice: a worker killed halfway leaves its task "running" until
  `requeue_stale_tasks` puts it back, and then it runs again from the start.
- It is enqueued inside the transaction of the service that makes the work: with the database
  backend the task row commits with the data, so no task runs for data that was rolled back.

`retried_task` is `django.tasks.task` with retries: an attempt that raises is tried again later (3
attempts in all), and the last attempt's failure is what administrators see on the task page.
"""

import datetime
import functools
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import TaskResultStatus
from django.tasks import task as django_task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

ATTEMPTS = 3
# Seconds before the second and the third attempt.
DELAYS = (30, 60)
# The keyword argument that carries the attempt number; no task of ours may use it for anything else.
ATTEMPT_KWARG = "_attempt"


# Task module paths → what the task page calls them (in the user's language).
TASK_LABELS: dict[str, str] = {}


class Retrying(Exception):  # noqa: N818 - it names what happens, not an error kind
    """This attempt failed and the next one is queued. The task page leaves such results out: the failure
    that counts is the last attempt's."""


def retried_task(
    function=None, *, attempts: int = ATTEMPTS, delays=DELAYS, on_final_failure=None, label: str = "", **options
):
    """`@retried_task(queue_name="documents", label=_("Invoice documents"))` in place of `@task(...)`.

    `on_final_failure(*args, error=exception, **kwargs)` runs when the last attempt fails, e.g. to mark
    a document as failed with its message; it must not raise. `label` names the task on the task page.
    """

    def decorate(func):
        holder = {}

        @functools.wraps(func)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT_KWARG, 1)
            try:
                return func(*args, **kwargs)
            except Exception as error:
                if attempt >= attempts:
                    logger.error("Task %s failed on its last attempt (%d): %s", holder["task"].name, attempt, error)
                    if on_final_failure is not None:
                        on_final_failure(*args, error=error, **kwargs)
                    raise
                delay = delays[min(attempt - 1, len(delays) - 1)]
                logger.warning(
                    "Task %s failed (attempt %d of %d), tries again in %d s: %s",
                    holder["task"].name,
                    attempt,
                    attempts,
                    delay,
                    error,
                )
                _enqueue_later(holder["task"], args, {**kwargs, ATTEMPT_KWARG: attempt + 1}, delay)
                raise Retrying(f"attempt {attempt} of {attempts} failed: {error}") from error

        holder["task"] = django_task(**options)(run)
        if label:
            TASK_LABELS[holder["task"].module_path] = label
        return holder["task"]

    return decorate(function) if function else decorate


def _enqueue_later(task, args, kwargs, delay: int) -> None:
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
    task.enqueue(*args, **kwargs)


def error_message(traceback: str) -> str:
    """The last line of a traceback: the exception and its message, without the frames (which can hold
    values from the database)."""
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


@transaction.atomic
def retry_by_hand(*, result_id, by) -> object:
    """An administrator runs a failed task again, with its arguments, from a first attempt."""
    from django_tasks_db.models import DBTaskResult

    result = DBTaskResult.objects.select_for_update().get(pk=result_id, status=TaskResultStatus.FAILED)
    if isinstance(result.return_value, dict) and "retried_as" in result.return_value:
        return result
    kwargs = {key: value for key, value in result.args_kwargs["kwargs"].items() if key != ATTEMPT_KWARG}
    again = result.task.using(run_after=None).enqueue(*result.args_kwargs["args"], **kwargs)
    result.return_value = {"retried_as": str(again.id), "by": by.pk}
    result.save(update_fields=["return_value"])
    logger.info("Task %s (%s) run again by user %s as %s", result.pk, result.task_path, by.pk, again.id)
    return result


def requeue_stale_tasks(*, older_than: datetime.timedelta | None = None, dry_run: bool = False) -> list:
    """Put tasks back that a worker claimed and never finished (the worker was killed or its machine lost).

    A task still running after `TASK_STALE_MINUTES` is taken to be dead; since every task is safe to run
    twice, running it again is the cure even when the first worker was only slow. Returns the ids.
    """
    from django_tasks_db.models import DBTaskResult

    older_than = older_than or datetime.timedelta(minutes=settings.TASK_STALE_MINUTES)
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - older_than)
    with transaction.atomic():
        ids = list(stale.select_for_update(skip_locked=True).values_list("id", flat=True))
        if ids and not dry_run:
            DBTaskResult.objects.filter(id__in=ids).update(status=TaskResultStatus.READY, started_at=None)
    for task_id in ids:
        logger.warning(
            "Task %s was running for more than %s; %s", task_id, older_than, "would requeue" if dry_run else "requeued"
        )
    return ids


def _export_failed(export_id: str, *, error: Exception) -> None:
    from housingfirst import exports

    exports.mark_failed(export_id, error=error)


@retried_task(queue_name="documents", on_final_failure=_export_failed, label=_("A file for a user"))
def make_export(export_id: str) -> None:
    """Make one user's file (a report, a list, a statement): `housingfirst.exports`."""
    from housingfirst import exports

    exports.make(export_id=export_id)
