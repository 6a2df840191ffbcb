import datetime

from django.core.management.base import BaseCommand, CommandError

from housingfirst import daily


class Command(BaseCommand):
    help = (
        "Puts each job of DAILY_JOBS on the task queue once for the day. Run it from cron (or a systemd timer) "
        "every day, on one or more machines: a job already enqueued for the day is not enqueued again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default today), e.g. a missed day.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be enqueued; enqueue nothing.")

    def handle(self, *args, date=None, dry_run=False, **options):
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from error
        done = daily.run_daily(day=day, dry_run=dry_run)
        for item in done:
            if dry_run:
                state = "would enqueue" if item.enqueued else "already enqueued"
            else:
                state = f"enqueued ({item.task_id})" if item.enqueued else "already enqueued"
            self.stdout.write(f"  {item.job}: {state}")
        count = sum(item.enqueued for item in done)
        self.stdout.write(f"{'Would enqueue' if dry_run else 'Enqueued'} {count} of {len(done)} daily job(s).")
