from django.conf import settings
from django.core.management.base import BaseCommand

from housingfirst.tasks import requeue_stale_tasks


class Command(BaseCommand):
    help = (
        "Puts back on the queue tasks that have been running longer than TASK_STALE_MINUTES: their worker "
        "was killed or lost. Run every few minutes from cron; every db_worker also runs it when it starts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the stale tasks; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        ids = requeue_stale_tasks(dry_run=dry_run)
        verb = "Would requeue" if dry_run else "Requeued"
        for task_id in ids:
            self.stdout.write(f"  {task_id}")
        self.stdout.write(f"{verb} {len(ids)} task(s) running for more than {settings.TASK_STALE_MINUTES} minutes.")
