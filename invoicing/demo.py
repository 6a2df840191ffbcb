"""Demo invoices for the past months of whatever demo visits exist, dated as a real office would.

Each month is issued and sent on the first working day of the following month and paid three to
five weeks later; the latest month is sent and not yet paid. About two weeks after the oldest
month was issued, one of its invoices turns out to have a visit on the wrong citizen: it is
credited, the visit is moved to the right citizen, and the municipality gets a corrected invoice.

Runs last (after citizens, interventions and agreements). Idempotent: issuing a month skips the
municipalities already invoiced, an invoice is sent or paid only once, and the correction is made
only if there is no credit note yet. Deterministic: it picks by number and date, no randomness.
"""

import datetime
from decimal import Decimal

from django.core.mail.backends.dummy import EmailBackend as NoMail
from django.db.models import Max, Q
from django.utils import timezone

from interventions import services as visit_services
from interventions.models import Intervention, Visit
from invoicing import services
from invoicing.models import Invoice, ShelterDayRate
from invoicing.selectors import month_bounds

DEMO_DAY_RATE = Decimal("1385.00")
MONTHS = 4  # the most recent ended months with visits that get invoices
CREDIT_REASON = "Et besøg var registreret på den forkerte borger (demo)"
CORRECTION_AFTER = datetime.timedelta(days=15)
SEND_TIME = datetime.time(9, 30)


def _easter(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the Meeus/Jones/Butcher algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _is_working_day(day: datetime.date) -> bool:
    easter = _easter(day.year)
    holidays = {datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 25), datetime.date(day.year, 12, 26)}
    holidays |= {easter + datetime.timedelta(days=offset) for offset in (-3, -2, 1, 39, 50)}
    return day.weekday() < 5 and day not in holidays


def working_day_from(day: datetime.date) -> datetime.date:
    """`day` if it is a Danish working day, else the next one."""
    while not _is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _past_months_with_visits(today: datetime.date) -> list[datetime.date]:
    first_of_this_month = today.replace(day=1)
    dates = Visit.objects.filter(billable=True, date__lt=first_of_this_month).dates("date", "month", order="DESC")
    return sorted(dates[:MONTHS])


def _dated(day: datetime.date, today: datetime.date) -> datetime.date:
    """`day`, but never before the latest issued number (numbers run in date order) nor after today."""
    latest = Invoice.objects.exclude(number="").aggregate(latest=Max("issue_date"))["latest"]
    return min(max(day, latest or day), today)


def _sent_at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, SEND_TIME))


def _misregistered_visit(invoice: Invoice):
    """A visit on one of the invoice's citizens that could have been on another of them (same
    month, that citizen's course running on the day): (visit, the right intervention) or None."""
    first, following = month_bounds(invoice.month)
    citizens = list(dict.fromkeys(invoice.lines.order_by("position").values_list("citizen_id", flat=True)))
    for wrong in citizens:
        visits = Visit.objects.filter(
            intervention__citizen_id=wrong, billable=True, date__gte=first, date__lt=following
        ).order_by("date", "start_time", "pk")
        if visits.count() < 2:
            continue  # the citizen keeps a line on the corrected invoice
        for visit in visits:
            right = (
                Intervention.objects.filter(citizen_id__in=[c for c in citizens if c != wrong])
                .filter(start_date__lte=visit.date)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=visit.date))
                .order_by("pk")
                .first()
            )
            if right is not None:
                return visit, right
    return None


def _correct_one_invoice(month: datetime.date, admin, today: datetime.date) -> int:
    """Credit an invoice of `month` whose visit was on the wrong citizen, move the visit, invoice again."""
    if Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists():
        return 0
    candidates = Invoice.objects.filter(kind=Invoice.Kind.INVOICE, month=month, credited_at__isnull=True).exclude(
        number=""
    )
    for invoice in candidates.order_by("pk"):
        found = _misregistered_visit(invoice)
        if found:
            break
    else:
        return 0
    visit, right = found
    day = _dated(working_day_from(invoice.issue_date + CORRECTION_AFTER), today)
    services.credit_invoice(invoice=invoice, by=admin, reason=CREDIT_REASON, issue_date=day)
    visit_services.change_visit(visit=visit, by=admin, intervention=right)
    return len(services.issue_month(month=month, by=admin, municipality_ids=[invoice.municipality_id], issue_date=day))


def _send(invoices, admin, mailer) -> int:
    sent = 0
    for invoice in invoices.filter(sent_at__isnull=True).exclude(number="").order_by("pk"):
        services.send_invoice(invoice=invoice, by=admin, sent_at=_sent_at(invoice.issue_date), mailer=mailer)
        sent += 1
    return sent


def seed(context, stdout=None):
    def say(text):
        if stdout:
            stdout.write(text)

    today = timezone.localdate()
    # The shelter's day rate (døgntakst) for an agreed return to the shelter, before any month is issued.
    ShelterDayRate.objects.get_or_create(
        valid_from=datetime.date(2024, 1, 1), defaults={"day_rate": DEMO_DAY_RATE, "note": "Takst 2024"}
    )
    months = _past_months_with_visits(today)
    if not months:
        say("Invoicing: no past visits, so no demo invoices.")
        return
    admin = context.get("users", {}).get("admin")
    # The demo's e-mail goes nowhere (the console backend would print every PDF).
    mailer = NoMail()
    issued = sent = 0
    for index, month in enumerate(months):
        day = _dated(working_day_from(month_bounds(month)[1]), today)
        issued += len(services.issue_month(month=month, by=admin, issue_date=day))
        services.store_documents_in_parallel(services.pending_documents(), workers=1)
        sent += _send(Invoice.objects.filter(month=month), admin, mailer)
        if index == 0:
            issued += _correct_one_invoice(month, admin, today)
            services.store_documents_in_parallel(services.pending_documents(), workers=1)
            sent += _send(Invoice.objects.filter(month=month), admin, mailer)

    # Paid three to five weeks after the invoice date, except the latest month (sent, not yet due).
    older = Invoice.objects.filter(
        kind=Invoice.Kind.INVOICE, month__lt=months[-1], paid_on__isnull=True, credited_at__isnull=True
    ).exclude(number="")
    paid = 0
    for invoice in older.order_by("pk"):
        paid_on = working_day_from(invoice.issue_date + datetime.timedelta(weeks=3 + int(invoice.number) % 3))
        if paid_on < today:
            services.mark_paid(invoice=invoice, by=admin, paid_on=paid_on)
            paid += 1
    say(
        f"Invoicing: {issued} invoices issued, {sent} sent, {paid} marked paid, "
        f"months {', '.join(f'{m:%m.%Y}' for m in months)}."
    )
