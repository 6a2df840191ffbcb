from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from housingfirst.integrity import DocumentMismatch, verified
from invoicing import services
from invoicing.models import Invoice


class Command(BaseCommand):
    help = "Write an issued invoice's or credit note's stored PDF or UBL XML to a file."

    def add_arguments(self, parser):
        parser.add_argument("number", help="The invoice or credit note number.")
        parser.add_argument("--format", required=True, choices=["pdf", "xml"], dest="document")
        parser.add_argument("--output", required=True, help="The file to write (it must not exist).")

    def handle(self, *args, number, document, output, **options):
        invoice = Invoice.objects.exclude(number="").filter(number=number.strip()).first()
        if invoice is None:
            raise CommandError(f"No issued invoice or credit note has the number {number!r}.")
        path = Path(output)
        if path.exists():
            raise CommandError(f"{path} already exists: choose another path (nothing is overwritten).")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        if not invoice.has_documents:
            # Issued, but the documents failed or were never made: make them now, once.
            failure = services.try_store_documents(invoice=invoice)
            if failure:
                raise CommandError(failure)
            invoice.refresh_from_db()
        sha = invoice.pdf_sha256 if document == "pdf" else invoice.xml_sha256
        try:
            label = _("Invoice %(number)s") % {"number": invoice.number}
            content = verified(bytes(getattr(invoice, document)), sha, document=f"{label} ({document.upper()})")
        except DocumentMismatch as error:
            raise CommandError(str(error)) from None
        path.write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({len(content)} bytes, SHA-256 {sha})."))
