"""Two task workers on one PostgreSQL make a month's invoice documents; one is killed halfway.

    DATABASE_URL=postgres://…/copy_of_the_country .venv/bin/python bench/two_workers.py [--month 2026-11]

It issues the month (the first one after the last invoiced month, unless `--month`), which queues one
documents task per invoice, starts two `manage.py db_worker` processes on the database, and SIGKILLs the
first one while it is making a document once half of them are made. The killed worker's task is left
"running"; it is put back on the queue as `requeue_stale_tasks` does after TASK_STALE_MINUTES (here at once,
for that worker's task only, so the run does not wait 15 minutes). The second worker finishes.

It reports made / total, how many were made twice (two "Documents of invoice N stored" lines in the two
workers' logs, or a stored SHA-256 that does not match the bytes) and how many were lost (no documents at
the end). It changes the database (it issues a month): run it on a copy, e.g.
`createdb -T bostotte_scale scale_copy`. Exit status 1 if any was made twice or lost.
"""

import argparse
import datetime
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARKED = "parked-by-two-workers"
STORED = re.compile(r"Documents of invoice (\d+) stored")


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housingfirst.settings")
    os.environ.setdefault("TASK_BACKEND", "database")
    import django

    django.setup()


def choose_month(month_arg):
    from invoicing.models import Invoice

    if month_arg:
        return datetime.date.fromisoformat(f"{month_arg}-01")
    last = Invoice.objects.exclude(number="").order_by("-month").values_list("month", flat=True).first()
    if last is None:
        raise SystemExit("No invoiced month: run seed_scale (or give --month).")
    if not Invoice.objects.filter(month=last).exclude(pdf_sha256="").exists():
        return last  # issued by an earlier run that was stopped before any document was made
    return (last + datetime.timedelta(days=32)).replace(day=1)


def start_worker(name, log):
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--worker-id", name, "--interval", "0.2"]
    command += ["--no-startup-delay", "--no-reload", "--queue-name", "documents"]
    env = {**os.environ, "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM (default: the month after the last invoiced one)")
    parser.add_argument("--kill-at", type=float, default=0.5, help="Kill worker A when this share is made.")
    parser.add_argument("--timeout", type=int, default=1800, help="Give up after this many seconds.")
    args = parser.parse_args()
    setup_django()

    from django.conf import settings
    from django.db import connection
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from housingfirst.pdf import sha256_of
    from invoicing import services
    from invoicing.models import Invoice

    if connection.vendor != "postgresql":
        raise SystemExit("Two workers need PostgreSQL: set DATABASE_URL.")
    if settings.TASKS["default"]["BACKEND"] != settings.TASK_BACKENDS["database"]:
        raise SystemExit("TASK_BACKEND must be 'database'.")

    month = choose_month(args.month)
    invoices = Invoice.objects.filter(month=month).exclude(number="")
    if not invoices.exists():
        started = time.perf_counter()
        services.issue_month(month=month)
        print(f"Issued {month:%m.%Y}: {invoices.count()} invoices in {time.perf_counter() - started:.1f} s")
    elif invoices.exclude(pdf_sha256="").exists():
        raise SystemExit(f"{month:%m.%Y} already has documents: run this on a fresh copy of the database.")
    ids = set(invoices.values_list("pk", flat=True))
    total = len(ids)
    documents_tasks = DBTaskResult.objects.filter(task_path="invoicing.tasks.make_invoice_documents")
    mine = [pk for pk, args_kwargs in documents_tasks.values_list("pk", "args_kwargs") if args_kwargs["args"][0] in ids]
    tasks = DBTaskResult.objects.filter(pk__in=mine)
    # Other months' waiting tasks (seed_scale leaves its documents to the queue) are set aside for the run.
    parked = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, queue_name="documents")
        .exclude(pk__in=mine)
        .values_list("pk", flat=True)
    )
    DBTaskResult.objects.filter(pk__in=parked).update(queue_name=PARKED)
    waiting = tasks.filter(status=TaskResultStatus.READY).count()
    print(f"{total} invoices, {waiting} documents tasks waiting ({len(parked)} of other months set aside)")

    logs = Path(tempfile.mkdtemp(prefix="two_workers_"))
    log_a, log_b = (logs / "worker-a.log").open("w"), (logs / "worker-b.log").open("w")
    started = time.perf_counter()
    worker_a, worker_b = start_worker("worker-a", log_a), start_worker("worker-b", log_b)
    killed_on = None
    made_by_a_at_kill = 0
    try:
        while time.perf_counter() - started < args.timeout:
            made = invoices.exclude(pdf_sha256="").count()
            if killed_on is None and made >= total * args.kill_at:
                running = [
                    result
                    for result in tasks.filter(status=TaskResultStatus.RUNNING)
                    if result.worker_ids and result.worker_ids[-1] == "worker-a"
                ]
                if running:  # kill it in the middle of a document
                    worker_a.send_signal(signal.SIGKILL)
                    worker_a.wait()
                    killed_on = running[0].args_kwargs["args"][0]
                    made_by_a_at_kill = made
                    elapsed = time.perf_counter() - started
                    print(f"SIGKILL worker A at {elapsed:.1f} s, {made}/{total} made, while making invoice {killed_on}")
                    # What requeue_stale_tasks does after TASK_STALE_MINUTES, for the dead worker's task only.
                    put_back = tasks.filter(pk=running[0].pk, status=TaskResultStatus.RUNNING).update(
                        status=TaskResultStatus.READY, started_at=None
                    )
                    print(f"Put back on the queue: {put_back} task (the killed worker's)")
            open_tasks = tasks.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).count()
            if made == total and open_tasks == 0:
                break
            if killed_on is None and made == total:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
    finally:
        for worker in (worker_a, worker_b):
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
        log_a.close()
        log_b.close()
        DBTaskResult.objects.filter(pk__in=parked, queue_name=PARKED).update(queue_name="documents")

    stored = Counter()
    by_worker = {}
    for name in ("worker-a", "worker-b"):
        found = [int(pk) for pk in STORED.findall((logs / f"{name}.log").read_text())]
        by_worker[name] = len(found)
        stored.update(found)
    twice_in_logs = sorted(pk for pk, count in stored.items() if count > 1)
    mismatched = [
        invoice.pk
        for invoice in invoices.only("pk", "pdf", "pdf_sha256", "xml", "xml_sha256")
        if invoice.pdf_sha256
        and (sha256_of(bytes(invoice.pdf)) != invoice.pdf_sha256 or sha256_of(bytes(invoice.xml)) != invoice.xml_sha256)
    ]
    made = invoices.exclude(pdf_sha256="").count()
    lost = total - made
    failed = sum(
        1
        for args_kwargs in tasks.filter(status=TaskResultStatus.FAILED).values_list("args_kwargs", flat=True)
        if args_kwargs["args"] and args_kwargs["args"][0] in ids
    )
    twice = len(set(twice_in_logs) | set(mismatched))

    print()
    print("| month | workers | killed | made | made twice | lost | failed tasks | time |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    killed = f"A at {made_by_a_at_kill}/{total} (invoice {killed_on})" if killed_on else "none (finished first)"
    print(
        f"| {month:%m.%Y} | 2 (A: {by_worker['worker-a']}, B: {by_worker['worker-b']} stored) | {killed} "
        f"| {made}/{total} | {twice} | {lost} | {failed} | {elapsed:.0f} s |"
    )
    print(f"\nWorker logs: {logs}")
    return 1 if twice or lost else 0


if __name__ == "__main__":
    sys.exit(main())
