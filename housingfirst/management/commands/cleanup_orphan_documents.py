import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from housingfirst.orphans import orphans


class Command(BaseCommand):
    help = (
        "Lists stored files (issued agreements, signed copies, plans, consents, exports) that no row points to, "
        "older than the grace period; with --delete, deletes them. Such files are left by a process that died "
        "between writing a file and committing its row, and may hold a full CPR number."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="Delete the files listed (default: only list).")
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=60,
            help="Leave files younger than this alone: their transaction may still be open (default 60).",
        )

    def handle(self, *args, delete=False, grace_minutes=60, **options):
        if grace_minutes < 1:
            raise CommandError("--grace-minutes must be at least 1: a younger file may belong to an open transaction.")
        found = orphans(older_than=timezone.now() - datetime.timedelta(minutes=grace_minutes))
        for name, modified, size in found:
            self.stdout.write(f"  {name}  {timezone.localtime(modified):%d.%m.%Y %H:%M}  {size} bytes")
            if delete:
                default_storage.delete(name)
        if delete:
            self.stdout.write(f"Deleted {len(found)} file(s) no row points to, older than {grace_minutes} minutes.")
        else:
            self.stdout.write(
                f"{len(found)} file(s) no row points to, older than {grace_minutes} minutes. "
                "Run with --delete to delete them."
            )
