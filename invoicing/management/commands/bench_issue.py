"""Issue a national month while support workers log visits, and print how long the visits waited.

Run it on a copy of the seed_scale database: it issues the month (numbers are taken, the month is
locked) and logs visits. Without --issue it only says what it would do.
"""

import datetime
import statistics
import threading
import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from invoicing.forms import parse_month
from invoicing.selectors import month_bounds, previous_month


class Command(BaseCommand):
    help = (
        "Issues a month for every paying municipality while threads log visits (half of them in the month "
        "being issued), and prints each municipality's transaction time and the worst and median visit wait. "
        "Run on a copy of the seed_scale database; --issue is needed to change anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", help="YYYY-MM (default: last month).")
        parser.add_argument("--loggers", type=int, default=2, help="Threads logging visits meanwhile (default 2).")
        parser.add_argument("--issue", action="store_true", help="Really issue the month and log the visits.")

    def handle(self, *args, month=None, loggers=2, issue=False, **options):
        from interventions.models import Intervention

        try:
            chosen = parse_month(month) if month else previous_month(timezone.localdate())
        except ValueError as error:
            raise CommandError(f"--month {month!r}: {error}") from error
        first, following = month_bounds(chosen)
        # One course a paying municipality, active through the month, with a worker: whose visits are logged.
        courses = {}
        for course in (
            Intervention.objects.filter(status=Intervention.Status.ACTIVE, worker__isnull=False, start_date__lt=first)
            .select_related("citizen", "worker")
            .order_by("citizen__paying_municipality_id", "pk")
        ):
            courses.setdefault(course.citizen.paying_municipality_id, course)
        courses = list(courses.values())
        if not courses:
            raise CommandError("No active course with a worker: run seed_scale first.")
        self.stdout.write(
            f"{chosen:%m.%Y}: {len(courses)} municipalities' courses, {loggers} threads logging visits meanwhile."
        )
        if not issue:
            self.stdout.write("Dry run: nothing issued, no visit logged. Add --issue (on a copy of the database).")
            return
        result = self._run(chosen, courses, loggers)
        self._report(result, chosen)

    def _run(self, month, courses, loggers):
        from interventions import services as visit_services
        from invoicing import services

        holds = []
        issue_one = services.issue_municipality_month

        def timed(**kwargs):
            started = time.perf_counter()
            try:
                return issue_one(**kwargs)
            finally:
                holds.append(time.perf_counter() - started)

        services.issue_municipality_month = timed
        running, finished = threading.Event(), threading.Event()
        waits, saved_in_month, refused, other = [], [], [], []
        lock = threading.Lock()
        counter = iter(range(10**9))
        today = timezone.localdate()
        issued = []

        def issue():
            try:
                running.set()
                issued.extend(services.issue_month(month=month))
            finally:
                finished.set()
                connections.close_all()

        def log_visits():
            try:
                running.wait(30)
                while not finished.is_set():
                    with lock:
                        n = next(counter)
                    course = courses[n % len(courses)]
                    round_ = n // len(courses)
                    in_month = round_ % 2 == 1
                    day = month + datetime.timedelta(days=round_ % 28) if in_month else today
                    # Late in the evening, a slot of its own: never overlapping the seeded day visits.
                    minutes = 20 * 60 + (round_ * 6) % (4 * 60 - 6)
                    started = time.perf_counter()
                    try:
                        visit_services.log_visit(
                            intervention=course,
                            by=course.worker,
                            date=day,
                            start_time=datetime.time(minutes // 60, minutes % 60),
                            duration_minutes=5,
                        )
                    except ValidationError as error:
                        outcome = " ".join(error.messages)
                        (refused if in_month and "kreditnota" in outcome else other).append(outcome)
                    else:
                        if in_month:
                            saved_in_month.append(course.citizen_id)
                    waits.append(time.perf_counter() - started)
            finally:
                connections.close_all()

        started = time.perf_counter()
        threads = [threading.Thread(target=issue)] + [threading.Thread(target=log_visits) for _ in range(loggers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        services.issue_municipality_month = issue_one
        return {
            "run": time.perf_counter() - started,
            "holds": holds,
            "waits": waits,
            "saved_in_month": saved_in_month,
            "refused": refused,
            "other": other,
            "issued": issued,
        }

    def _report(self, result, month):
        from interventions.models import Visit
        from invoicing.models import InvoiceLine

        holds, waits = sorted(result["holds"]), sorted(result["waits"])
        self.stdout.write(f"Issued {len(result['issued'])} invoices in {result['run']:.2f} s.")
        if holds:
            self.stdout.write(
                f"Municipality transactions: {len(holds)}, longest {holds[-1] * 1000:.0f} ms, "
                f"median {statistics.median(holds) * 1000:.0f} ms."
            )
        if waits:
            self.stdout.write(
                f"Visits logged meanwhile: {len(waits)}; wait worst {waits[-1] * 1000:.0f} ms, "
                f"median {statistics.median(waits) * 1000:.0f} ms, 95th percentile "
                f"{waits[int(len(waits) * 0.95) - 1 if len(waits) > 1 else 0] * 1000:.0f} ms."
            )
        self.stdout.write(
            f"In the month being issued: {len(result['saved_in_month'])} saved before their municipality's "
            f"invoice, {len(result['refused'])} refused as invoiced; other refusals: {len(result['other'])}."
        )
        for message in sorted(set(result["other"]))[:3]:
            self.stdout.write(f"  ! {message}")
        # Every visit saved in the month is on its municipality's invoice: the minutes match.
        first, following = month_bounds(month)
        left_out = 0
        for citizen_id in set(result["saved_in_month"]):
            logged = Visit.objects.filter(
                intervention__citizen_id=citizen_id, billable=True, date__gte=first, date__lt=following
            ).aggregate(m=Sum("duration_minutes"))["m"]
            billed = InvoiceLine.objects.filter(
                citizen_id=citizen_id,
                invoice__month=first,
                invoice__kind="invoice",
                invoice__credited_at__isnull=True,
                kind=InvoiceLine.Kind.SUPPORT,
            ).aggregate(m=Sum("minutes"))["m"]
            left_out += logged != billed
        self.stdout.write(
            f"Citizens with a visit saved in the month whose invoice does not hold all their minutes: {left_out}."
        )
