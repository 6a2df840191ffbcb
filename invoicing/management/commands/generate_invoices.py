import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from housingfirst.templatetags.hf import format_danish_number
from invoicing import services
from invoicing.forms import parse_month
from invoicing.selectors import month_overview, month_preview


class Command(BaseCommand):
    help = (
        "Issue the invoices of a month to the paying municipalities (PDF + Peppol BIS 3.0 XML). "
        "Running it again for the same month creates no duplicates and finishes any documents a crash left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="The month, as YYYY-MM (e.g. 2026-10).")
        parser.add_argument("--dry-run", action="store_true", help="Show the preview and warnings; issue nothing.")
        parser.add_argument("--workers", type=int, default=1, help="Processes that render the PDF and XML (default 1).")

    def handle(self, *args, month, dry_run=False, workers=1, **options):
        try:
            chosen = parse_month(month)
        except ValueError as error:
            raise CommandError(f"--month {month!r}: {error}") from error
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if dry_run:
            previews = month_preview(chosen)
            self._print_rows(previews)
            ready = sum(1 for preview in previews if preview.can_issue)
            self.stdout.write(self.style.WARNING(f"Prøvekørsel: {ready} fakturaer ville blive udstedt."))
            return
        started = time.perf_counter()
        try:
            issued = services.issue_month(month=chosen)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        pending = services.pending_documents()
        failures = services.store_documents_in_parallel(pending, workers=workers)
        elapsed = time.perf_counter() - started
        # Read from the stored invoices: the month is not priced a second time.
        self._print_rows(month_overview(chosen, warnings=True))
        numbers = ", ".join(invoice.number for invoice in issued) or "ingen nye"
        self.stdout.write(
            self.style.SUCCESS(
                f"Udstedt: {len(issued)} fakturaer ({numbers}); dokumenter lavet for "
                f"{len(pending) - len(failures)} på {elapsed:.1f} s."
            )
        )
        if failures:
            # The invoices are issued and committed: report what is missing, and fail so scripts notice.
            raise CommandError("\n".join(failures))

    def _print_rows(self, rows):
        for row in rows:
            if row.invoice:
                state = "faktureret " + row.invoice.number
            else:
                state = row.blocking or ("klar" if row.can_issue else "intet at fakturere")
            lines = len(row.lines) if hasattr(row, "lines") else row.line_count
            self.stdout.write(
                f"{row.municipality.name:<20} {lines:>4} linjer {format_danish_number(row.total):>14} kr.  [{state}]"
            )
            for warning in row.warnings:
                self.stdout.write(f"    ! {warning}")
        if not rows:
            self.stdout.write("Ingen fakturerbare besøg i måneden.")
