"""Demo invoices: the past months of whatever demo visits exist, issued, some paid, one credited.

Runs last (after citizens, interventions and agreements). Idempotent: issuing a month skips the
municipalities already invoiced, an invoice is paid or credited only once, and the one credit note
is made only if there is none yet. Deterministic: it picks by number and month, no randomness.
"""

import datetime

from django.utils import timezone

from interventions.models import Visit
from invoicing import services
from invoicing.models import Invoice

MONTHS = 4  # the most recent ended months with visits that get invoices
CREDIT_REASON = "Et besøg var registreret på den forkerte borger (demo)"


def _past_months_with_visits(today: datetime.date) -> list[datetime.date]:
    first_of_this_month = today.replace(day=1)
    dates = Visit.objects.filter(billable=True, date__lt=first_of_this_month).dates("date", "month", order="DESC")
    return sorted(dates[:MONTHS])


def seed(context, stdout=None):
    def say(text):
        if stdout:
            stdout.write(text)

    today = timezone.localdate()
    months = _past_months_with_visits(today)
    if not months:
        say("Invoicing: no past visits, so no demo invoices.")
        return
    admin = context.get("users", {}).get("admin")
    issued = 0
    for month in months:
        issued += len(services.issue_month(month=month, by=admin))
    services.store_documents_in_parallel(services.pending_documents(), workers=1)

    # The oldest month's first invoice had a mistake: credit it, and invoice the month again.
    if not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists():
        first = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, month=months[0]).exclude(number="").order_by("pk")
        if first.exists():
            note = services.credit_invoice(invoice=first.first(), by=admin, reason=CREDIT_REASON)
            services.store_documents(invoice=note)
            for invoice in services.issue_month(month=months[0], by=admin):
                services.store_documents(invoice=invoice)
                issued += 1

    # Everything but the last month is paid.
    older = Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE, month__lt=months[-1], paid_on__isnull=True, credited_at__isnull=True
    ).exclude(number="")
    paid = 0
    for invoice in older:
        services.mark_paid(invoice=invoice, by=admin, paid_on=invoice.issue_date)
        paid += 1
    say(f"Invoicing: {issued} invoices issued, {paid} marked paid, months {', '.join(f'{m:%m.%Y}' for m in months)}.")
