"""What invoicing holds on a citizen: the lines of invoices and credit notes with the citizen's hours."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from housingfirst import personal_data
from invoicing.models import InvoiceLine


@personal_data.section(order=50)
def invoice_sections(citizen) -> list[personal_data.Section]:
    lines = (
        InvoiceLine.objects.filter(citizen=citizen)
        .select_related("invoice__municipality")
        .order_by("invoice__month", "invoice_id", "position")
    )
    return [
        personal_data.model_section(
            "invoice_lines",
            _("Invoice lines"),
            lines,
            exclude=("citizen",),
            extra={
                "invoice_month": (_("month"), lambda line: line.invoice.month),
                "municipality": (_("paying municipality"), lambda line: line.invoice.buyer_name),
            },
            labels={"minutes": pgettext_lazy("duration", "Minutes")},
            shown=("invoice", "invoice_month", "municipality", "method", "minutes", "days", "rate", "amount"),
        )
    ]


@personal_data.eraser(order=50)
def erase_draft_lines(citizen) -> list:
    """Issued invoices never change: their lines keep the name and masked number, as bookkeeping requires.
    Only lines of an invoice not yet issued lose the name."""
    InvoiceLine.objects.filter(citizen=citizen, invoice__number="").update(citizen_name="Anonymiseret")
    return []
