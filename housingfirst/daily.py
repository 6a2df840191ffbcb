"""Scheduled work: the jobs `manage.py run_daily` puts on the task queue once a day.

`settings.DAILY_JOBS` lists the tasks by dotted path. Each takes the day it runs for (an ISO date), so a
missed day can be run later with `run_daily --date`, and each is safe to run twice. `run_daily` is one
cron line (or a systemd timer) on as many machines as you like: a `DailyJobRun` row, unique per job and
day and committed with the task, makes sure each job is enqueued once per day.

The tasks here are thin wrappers around the services that do the work.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from housingfirst.tasks import retried_task

logger = logging.getLogger(__name__)


@dataclass
class Enqueued:
    job: str
    enqueued: bool
    task_id: str = ""


def run_daily(*, day: datetime.date | None = None, dry_run: bool = False) -> list[Enqueued]:
    """Enqueue every job of `DAILY_JOBS` for `day` (default today) that is not yet enqueued for it."""
    from housingfirst.models import DailyJobRun

    day = day or timezone.localdate()
    done = []
    for path in settings.DAILY_JOBS:
        task = import_string(path)  # a wrong path fails here, before anything is enqueued for it
        if dry_run:
            done.append(Enqueued(path, not DailyJobRun.objects.filter(job=path, day=day).exists()))
            continue
        try:
            with transaction.atomic():
                # Two machines running this at once: the second INSERT waits for the first transaction
                # and then fails on the unique (job, day), so only one task is enqueued.
                run = DailyJobRun.objects.create(job=path, day=day)
                result = task.enqueue(day.isoformat())
                run.task_id = str(result.id)[:64]
                run.save(update_fields=["task_id"])
        except IntegrityError:
            logger.info("Daily job %s for %s was already enqueued", path, day)
            done.append(Enqueued(path, False))
        else:
            logger.info("Daily job %s for %s enqueued as task %s", path, day, run.task_id)
            done.append(Enqueued(path, True, run.task_id))
    return done


def _day(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


@retried_task(label=_("Daily: start planned courses"))
def start_planned_courses(day: str) -> int:
    """A course planned to start on a date becomes active that day."""
    from interventions.services import start_planned_interventions

    return start_planned_interventions(today=_day(day))


@retried_task(label=_("Daily: follow-up reminders"))
def remind_follow_ups(day: str) -> int:
    """Each worker is told of the follow-up dates with the municipality due within two weeks."""
    from agenda.services import notify_follow_ups_due

    return notify_follow_ups_due(today=_day(day))


@retried_task(label=_("Daily: expiring consents"))
def remind_expiring_consents(day: str) -> int:
    """Each worker is told of their citizens' consents that expire within two weeks."""
    from agenda.services import notify_expiring_consents

    return notify_expiring_consents(today=_day(day))


@retried_task(label=_("Daily: delete old files for users"))
def prune_exports(day: str) -> int:
    """Files made for users hold personal data: those older than EXPORT_KEEP_DAYS are deleted."""
    from housingfirst import exports

    return len(exports.prune())
