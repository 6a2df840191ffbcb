from django.conf import settings
from django.core.management.base import BaseCommand

from housingfirst import exports


class Command(BaseCommand):
    help = "Deletes files made for users (reports, lists) older than EXPORT_KEEP_DAYS. Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be deleted; delete nothing.")

    def handle(self, *args, dry_run=False, **options):
        old = exports.prune(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        for export in old:
            self.stdout.write(f"  {export.pk}  {export.requested_at:%d.%m.%Y}  {export.kind}")
        self.stdout.write(f"{verb} {len(old)} file(s) older than {settings.EXPORT_KEEP_DAYS} days.")
