"""What `/health/` reports: whether the database and the task queue answer, and how long work waits.

A load balancer or a monitor reads it without logging in, so it says nothing about people: counts and
seconds only. Any failure is a 503, so a machine that cannot reach PostgreSQL leaves the pool.
"""

import logging

from django.db import connection

from housingfirst import jobs

logger = logging.getLogger(__name__)


def check() -> tuple[bool, dict]:
    """(healthy, report). One query for the database, one for the queue."""
    report: dict = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - any failure to answer is what this reports
        logger.error("Health check: the database does not answer: %s", error)
        return False, {"status": "error", "database": "unreachable", "queue": "unknown"}

    if not jobs.queue_is_database():
        # Tasks run inline where they are asked for; there is no queue to wait in.
        report["queue"] = {"backend": "immediate"}
        return True, {"status": "ok", **report}
    try:
        state = jobs.queue_state()
    except Exception as error:  # noqa: BLE001
        logger.error("Health check: the task queue does not answer: %s", error)
        return False, {"status": "error", **report, "queue": "unreachable"}
    report["queue"] = {
        "backend": "database",
        "waiting": state.waiting,
        "running": state.running,
        "failed_recently": state.failed,
        "oldest_waiting_seconds": state.oldest_waiting_seconds,
    }
    return True, {"status": "ok", **report}
