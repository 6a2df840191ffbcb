"""Anonymise the citizens whose retention period (CITIZEN_RETENTION_YEARS) has run out; the daily job does
the same (`citizens.tasks.anonymise_due_citizens` in DAILY_JOBS)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from citizens import erasure


class Command(BaseCommand):
    help = (
        "Anonymise every citizen whose last intervention ended more than CITIZEN_RETENTION_YEARS ago: name, CPR "
        "number, contact details, notes and files are removed, also from the history. Invoices stay as issued."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who is due and change nothing.")
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="Count the period to this day.")

    def handle(self, *args, dry_run, date, **options):
        cutoff = erasure.retention_cutoff(date)
        self.stdout.write(f"Retention {settings.CITIZEN_RETENTION_YEARS} years: courses ended on or before {cutoff}.")
        due = erasure.anonymise_due(today=date, dry_run=dry_run)
        for citizen in due:
            self.stdout.write(f"{citizen.pk}\t{citizen.full_name}\t{citizen.team_id}")
        if dry_run:
            self.stdout.write(f"Dry run: {len(due)} citizens due; nothing changed.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(due)} citizens anonymised."))
