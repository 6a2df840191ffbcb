"""Issuing, storing, sending, paying and crediting invoices. Invoice numbering lives here only.

Issuing a month has two steps:
1. `issue_month`: one short transaction per paying municipality (`issue_municipality_month`):
   lock the municipality's row, read its billable visits, create its invoice with its lines, take
   the next number (the number sequence is locked last, for a moment) and lock the month for it.
   Each transaction is all or nothing, so numbers have no gaps, and a visit being logged waits at
   most for its own municipality's invoice.
2. The PDF and the UBL XML of each invoice are made on the task queue ("documents" queue,
   `invoicing.tasks.make_invoice_documents`, queued in the issuing transaction): `store_documents`
   renders them from the frozen content and stores the bytes with their SHA-256, once. No request
   makes a document; the month page shows how far the queue has come. `generate_invoices` can also
   make them in its own processes (`store_documents_in_parallel`).
"""

import datetime
import logging
import os
import smtplib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from multiprocessing import get_context

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from housingfirst.models import Municipality, Provider
from housingfirst.pdf import render_pdf, sha256_of
from interventions.models import LockedMonth
from invoicing import peppol, ubl
from invoicing.models import (
    DEFAULT_HOURLY_RATE,
    DocumentFailure,
    Invoice,
    InvoiceLine,
    InvoiceSending,
    InvoiceSequence,
    MonthIssue,
    Rate,
    ShelterDayRate,
    VisitMonthSum,
)
from invoicing.selectors import RateTable, issued_since, month_bounds, month_preview

logger = logging.getLogger(__name__)


def seller_snapshot(provider: Provider) -> dict:
    return {
        "name": provider.name,
        "address": provider.address,
        "postal_code": provider.postal_code,
        "city": provider.city,
        "phone": provider.phone,
        "email": provider.email,
        "website": provider.website,
        "cvr": provider.cvr,
        "ean": provider.ean,
        "bank_name": provider.bank_name,
        "bank_reg_number": provider.bank_reg_number,
        "bank_account_number": provider.bank_account_number,
        "iban": provider.iban,
        "payment_terms_days": provider.payment_terms_days,
    }


def buyer_name(municipality) -> str:
    return municipality.name if "ommune" in municipality.name else f"{municipality.name} Kommune"


def _locked_sequence() -> InvoiceSequence:
    InvoiceSequence.objects.get_or_create(name="invoice")
    # Everyone issuing queues here until the holder commits or rolls back: no duplicate, no gap.
    return InvoiceSequence.objects.select_for_update().get(name="invoice")


def _provider_or_refuse() -> Provider:
    provider = Provider.current()
    if provider is None:
        raise ValidationError(_("Register the provider's details before invoicing."))
    if not (provider.iban or (provider.bank_reg_number and provider.bank_account_number)):
        raise ValidationError(_("Register the provider's bank account before invoicing."))
    return provider


def _document_date(issue_date: datetime.date | None, *, not_before: datetime.date, too_early: str) -> datetime.date:
    """The date of a document about to take a number: today unless given. Call with the sequence locked.

    Numbers run in date order, so a date before the latest issued document's is refused, as is one
    in the future or before `not_before`.
    """
    today = timezone.localdate()
    issue_date = issue_date or today
    if issue_date > today:
        raise ValidationError(_("An invoice cannot be dated in the future."))
    if issue_date < not_before:
        raise ValidationError(too_early)
    latest = Invoice.objects.exclude(number="").aggregate(latest=Max("issue_date"))["latest"]
    if latest and issue_date < latest:
        raise ValidationError(
            _("The latest invoice number is dated %(date)s: a new number cannot have an earlier date.")
            % {"date": f"{latest:%d.%m.%Y}"}
        )
    return issue_date


def _issue(invoice: Invoice, sequence: InvoiceSequence, by, now, issue_date: datetime.date) -> None:
    sequence.last_number += 1
    invoice.number = str(sequence.last_number)
    invoice.issued_at = now
    invoice.issued_by = by
    invoice.issue_date = issue_date
    invoice.due_date = invoice.issue_date + datetime.timedelta(days=invoice.seller["payment_terms_days"])
    invoice.save()


def issue_month(
    *, month: datetime.date, by=None, municipality_ids=None, issue_date: datetime.date | None = None
) -> list[Invoice]:
    """Issue the month's invoices: one per paying municipality with billable visits and an EAN.

    One short transaction per municipality (`issue_municipality_month`), so a visit being logged
    waits at most for its own municipality's invoice, never for the country's. Call it outside a
    transaction: inside one, every lock is held to the end of it.

    Idempotent: a municipality already invoiced for the month (and not credited) is skipped, so
    running it twice creates nothing new. Returns the invoices issued now; their documents are
    made on the task queue. `issue_date` (default today) dates them; it may not come before the
    latest issued number's. A refusal of the date stops the run where it is: the invoices issued
    before it stay issued, and a second run issues the rest.
    """
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(_("Only a month that has ended can be invoiced."))
    seller = seller_snapshot(_provider_or_refuse())
    # Refuse a bad date before the first number is taken; each transaction checks it again under the lock.
    _issue_date_for(month, issue_date)
    now = timezone.now()
    issued = []
    for municipality_id in _municipalities_to_invoice(month, municipality_ids):
        invoice = issue_municipality_month(
            month=month, municipality_id=municipality_id, by=by, issue_date=issue_date, seller=seller, now=now
        )
        if invoice is not None:
            issued.append(invoice)
    return issued


@transaction.atomic
def request_month_issue(*, month: datetime.date, by) -> MonthIssue:
    """Record that `by` wants the month issued and queue the run (`invoicing.tasks.issue_month_run`).

    What the web "Issue" button calls: a national month takes longer than a request may, so the request
    only checks what is quick to check and leaves the issuing to the queue. A month already waiting or
    being issued is not queued twice (the database holds at most one open run a month)."""
    from invoicing.tasks import issue_month_run

    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(_("Only a month that has ended can be invoiced."))
    _provider_or_refuse()
    open_run = MonthIssue.objects.filter(month=month, state__in=MonthIssue.OPEN).first()
    if open_run is not None:
        raise ValidationError(
            _("%(month)s is already being issued (asked for at %(time)s). The page shows when it is done.")
            % {"month": f"{month:%m.%Y}", "time": f"{timezone.localtime(open_run.requested_at):%H:%M}"}
        )
    try:
        with transaction.atomic():
            run = MonthIssue.objects.create(month=month, requested_by=by)
    except IntegrityError as error:  # another administrator asked a moment ago
        raise ValidationError(_("%(month)s is already being issued.") % {"month": f"{month:%m.%Y}"}) from error
    # In the transaction: with the database backend the task row commits with the run.
    issue_month_run.enqueue(run.pk)
    return run


def run_month_issue(*, run_id: int) -> MonthIssue | None:
    """The queued run of `request_month_issue`: issue the month, then record how it went.

    Safe to run twice (a worker lost halfway is run again): issue_month skips what is issued. A refusal
    (a bad date, a rate registered meanwhile) is recorded for the month page and not tried again; any
    other error is raised, so the queue tries again, and its last failure is recorded
    (`record_month_issue_failure`)."""
    run = MonthIssue.objects.filter(pk=run_id).select_related("requested_by").first()
    if run is None or run.state in (MonthIssue.State.DONE, MonthIssue.State.FAILED):
        return run
    MonthIssue.objects.filter(pk=run.pk).update(state=MonthIssue.State.RUNNING, started_at=timezone.now())
    try:
        issue_month(month=run.month, by=run.requested_by)
    except ValidationError as error:
        MonthIssue.objects.filter(pk=run.pk).update(
            state=MonthIssue.State.FAILED,
            finished_at=timezone.now(),
            issued_count=issued_since(run),
            message=" ".join(error.messages),
        )
        logger.warning("Month %s not issued (run %s): %s", run.month, run.pk, error)
    else:
        MonthIssue.objects.filter(pk=run.pk).update(
            state=MonthIssue.State.DONE, finished_at=timezone.now(), issued_count=issued_since(run)
        )
    run.refresh_from_db()
    return run


def record_month_issue_failure(*, run_id: int, error: Exception) -> None:
    """The queue's last attempt at a run failed: the month page stops waiting and says so."""
    MonthIssue.objects.filter(pk=run_id, state__in=MonthIssue.OPEN).update(
        state=MonthIssue.State.FAILED,
        finished_at=timezone.now(),
        message=_("The month could not be issued because of an error (%(error)s). The administrators can see it.")
        % {"error": type(error).__name__},
    )


def _municipalities_to_invoice(month: datetime.date, municipality_ids=None) -> list[int]:
    """Paying municipalities with billable visits or an agreed return to the shelter in the month and no
    open invoice for it, in key order.

    Read without locks: each municipality's transaction reads its month again after its lock, so a
    visit, a return to the shelter or an invoice committed meanwhile is seen there."""
    from interventions.models import Pause, Visit

    first, following = month_bounds(month)
    visits = Visit.objects.filter(billable=True, date__gte=first, date__lt=following)
    # A citizen can have shelter days and no visit in the month: the agreed returns are candidates too.
    stays = Pause.objects.filter(reason=Pause.Reason.SHELTER, agreed_on__isnull=False, from_date__lt=following).filter(
        Q(to_date__isnull=True) | Q(to_date__gt=first)
    )
    if municipality_ids is not None:
        visits = visits.filter(intervention__citizen__paying_municipality_id__in=municipality_ids)
        stays = stays.filter(intervention__citizen__paying_municipality_id__in=municipality_ids)
    candidates = set(visits.values_list("intervention__citizen__paying_municipality_id", flat=True).distinct())
    candidates |= set(stays.values_list("intervention__citizen__paying_municipality_id", flat=True).distinct())
    # A citizen moved since the month was invoiced is billed to the earlier municipality: its preview
    # decides, so it is not left out here.
    invoiced = set(
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, month=first, credited_at__isnull=True)
        .exclude(number="")
        .values_list("municipality_id", flat=True)
    )
    return sorted(candidates - invoiced)


def _issue_date_for(month: datetime.date, issue_date: datetime.date | None) -> datetime.date:
    following = month_bounds(month)[1]
    return _document_date(
        issue_date,
        not_before=following,
        too_early=_("An invoice for %(month)s cannot be dated before %(date)s.")
        % {"month": f"{month:%m.%Y}", "date": f"{following:%d.%m.%Y}"},
    )


def _rates_up_to(following: datetime.date) -> list:
    return list(Rate.objects.filter(valid_from__lt=following).order_by("valid_from").values_list("pk", "hourly_rate"))


def issue_municipality_month(
    *, month: datetime.date, municipality_id: int, by=None, issue_date=None, seller=None, now=None
) -> Invoice | None:
    """Issue one municipality's invoice for the month in one short transaction; None if there is nothing to issue.

    Lock order: the municipality's row, then the number sequence. The municipality's row is the one a
    visit service takes before it checks LockedMonth (interventions.services._hold_billing_month), so
    no visit slips in between this read of the month's visits and the commit of the lock. The number
    sequence is taken last, when the invoice and its lines are written, so other runs and credit notes
    wait for a number only, never for a preview.
    """
    month = month.replace(day=1)
    seller = seller or seller_snapshot(_provider_or_refuse())
    now = now or timezone.now()
    following = month_bounds(month)[1]
    with transaction.atomic():
        list(Municipality.objects.select_for_update().filter(pk=municipality_id).values_list("pk", flat=True))
        rates_read = _rates_up_to(following)
        # Read after taking the lock: a concurrent run that committed first is seen, and skipped.
        preview = next(iter(month_preview(month, municipality_ids=[municipality_id])), None)
        if preview is None or preview.municipality.pk != municipality_id or not preview.can_issue:
            return None
        invoice = Invoice.objects.create(
            kind=Invoice.Kind.INVOICE,
            municipality=preview.municipality,
            month=month,
            buyer_name=buyer_name(preview.municipality),
            buyer_ean=preview.ean.ean,
            buyer_reference=preview.ean.label or preview.municipality.code,
            buyer_email=preview.municipality.invoice_email,
            buyer_cvr=preview.municipality.cvr,
            buyer_address=preview.municipality.address,
            buyer_postal_code=preview.municipality.postal_code,
            buyer_city=preview.municipality.city,
            seller=seller,
            total=preview.total,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                position=position,
                citizen=line.citizen,
                citizen_name=line.citizen.full_name,
                citizen_cpr_masked=line.citizen.cpr_masked,
                method=line.method,
                minutes=line.minutes,
                visits=line.visits,
                rate=line.rate,
                amount=line.amount,
                kind=line.kind,
                days=line.days,
                first_day=line.first_day,
                last_day=line.last_day,
            )
            for position, line in enumerate(preview.lines, start=1)
        )
        sequence = _locked_sequence()
        if _rates_up_to(following) != rates_read:
            # add_rate committed between the preview and the sequence lock (it takes the sequence to
            # see the month as invoiced): the lines were priced without it, so none of this is issued.
            raise ValidationError(
                _("A new rate was registered while %(month)s was being invoiced. Issue the month again.")
                % {"month": f"{month:%m.%Y}"}
            )
        _issue(invoice, sequence, by, now, _issue_date_for(month, issue_date))
        sequence.save(update_fields=["last_number"])
        LockedMonth.objects.update_or_create(
            municipality=preview.municipality, month=month, defaults={"reference": invoice.number}
        )
        _queue_documents(invoice)
    return invoice


@transaction.atomic
def credit_invoice(*, invoice: Invoice, by=None, reason: str, issue_date: datetime.date | None = None) -> Invoice:
    """A credit note for the whole invoice. It unlocks the month, so the visits can be corrected
    and the month invoiced again (a new invoice with a new number). Dated today unless `issue_date`
    is given, never before the invoice or the latest issued number."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write why the invoice is credited."))
    provider = _provider_or_refuse()
    sequence = _locked_sequence()
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued or invoice.is_credit_note:
        raise ValidationError(_("Only an issued invoice can be credited."))
    if invoice.credited_at:
        raise ValidationError(_("Invoice %(number)s is already credited.") % {"number": invoice.number})
    issue_date = _document_date(
        issue_date,
        not_before=invoice.issue_date,
        too_early=_("A credit note cannot be dated before the invoice it credits (%(date)s).")
        % {"date": f"{invoice.issue_date:%d.%m.%Y}"},
    )
    now = timezone.now()
    note = Invoice.objects.create(
        kind=Invoice.Kind.CREDIT_NOTE,
        municipality=invoice.municipality,
        month=invoice.month,
        credits=invoice,
        reason=reason,
        buyer_name=invoice.buyer_name,
        buyer_ean=invoice.buyer_ean,
        buyer_reference=invoice.buyer_reference,
        buyer_email=invoice.buyer_email,
        buyer_cvr=invoice.buyer_cvr,
        buyer_address=invoice.buyer_address,
        buyer_postal_code=invoice.buyer_postal_code,
        buyer_city=invoice.buyer_city,
        seller=seller_snapshot(provider),
        total=invoice.total,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=note,
            position=line.position,
            citizen_id=line.citizen_id,
            citizen_name=line.citizen_name,
            citizen_cpr_masked=line.citizen_cpr_masked,
            method=line.method,
            minutes=line.minutes,
            visits=line.visits,
            rate=line.rate,
            amount=line.amount,
            kind=line.kind,
            days=line.days,
            first_day=line.first_day,
            last_day=line.last_day,
        )
        for line in invoice.lines.order_by("position")
    )
    _issue(note, sequence, by, now, issue_date)
    sequence.save(update_fields=["last_number"])
    invoice.credited_at = now
    invoice.save(update_fields=["credited_at"])
    LockedMonth.objects.filter(municipality=invoice.municipality, month=invoice.month).delete()
    _queue_documents(note)
    return note


def _refuse_rate_in_invoiced_month(valid_from: datetime.date) -> None:
    """Issued invoices never change, so a rate may not take effect in a month already invoiced."""
    # The issuing lock: a month being issued right now is seen as invoiced once its run commits,
    # instead of the new rate slipping into it between the check and the issue.
    _locked_sequence()
    last_invoiced = (
        Invoice.objects.exclude(number="")
        .filter(kind=Invoice.Kind.INVOICE, credited_at__isnull=True)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    if last_invoiced and valid_from < month_bounds(last_invoiced)[1]:
        raise ValidationError(
            _("%(month)s is already invoiced. A new rate can take effect from %(date)s at the earliest.")
            % {"month": f"{last_invoiced:%m.%Y}", "date": f"{month_bounds(last_invoiced)[1]:%d.%m.%Y}"}
        )


@transaction.atomic
def add_rate(*, hourly_rate, valid_from: datetime.date, note: str = "", by=None) -> Rate:
    """A new hourly rate from a date. Issued invoices never change, so a rate may not take effect
    in a month that is already invoiced: its visits were priced at the old rate."""
    _refuse_rate_in_invoiced_month(valid_from)
    if Rate.objects.filter(valid_from=valid_from).exists():
        raise ValidationError(_("A rate already takes effect on that date."))
    if hourly_rate is None or hourly_rate <= 0:
        raise ValidationError(_("The rate must be more than 0 kr."))
    # Visits being saved finish first, and the next ones wait for this commit and then see the new rate:
    # none is summed at the old rate after the sums are priced again below.
    _hold_visit_sums(exclusive=True)
    rate = Rate.objects.create(hourly_rate=hourly_rate, valid_from=valid_from, note=note)
    rebuild_visit_month_sums(from_month=valid_from.replace(day=1))
    return rate


@transaction.atomic
def add_shelter_day_rate(*, day_rate, valid_from: datetime.date, note: str = "", by=None) -> ShelterDayRate:
    """A new shelter day rate (døgntakst) from a date, under the same rule as the hourly rate."""
    _refuse_rate_in_invoiced_month(valid_from)
    if ShelterDayRate.objects.filter(valid_from=valid_from).exists():
        raise ValidationError(_("A day rate already takes effect on that date."))
    if day_rate is None or day_rate <= 0:
        raise ValidationError(_("The day rate must be more than 0 kr."))
    return ShelterDayRate.objects.create(day_rate=day_rate, valid_from=valid_from, note=note)


def document_filename(invoice: Invoice, extension: str) -> str:
    prefix = "kreditnota" if invoice.is_credit_note else "faktura"
    return f"{prefix}-{invoice.number}.{extension}"


def render_invoice_pdf(invoice: Invoice):
    with translation.override("da"):  # the document, and the title in its metadata, are Danish
        title = _("Credit note") if invoice.is_credit_note else _("Invoice")
    lines = list(invoice.lines.all())
    return render_pdf(
        "invoicing/pdf/invoice.html",
        {
            "invoice": invoice,
            "lines": lines,
            "total_minutes": sum(line.minutes for line in lines),
            "total_days": sum(line.days for line in lines),
            "bills_support_during_stay": settings.BILL_SUPPORT_DURING_SHELTER_STAY,
            "seller": invoice.seller,
            "exemption_reason": ubl.EXEMPTION_REASON,
        },
        title=f"{title} {invoice.number}",
    )


# The first key of the advisory lock that says "these documents are being made" (the second is the invoice id).
DOCUMENTS_LOCK_KEY = 16_0001


def _claim_documents(pk: int) -> bool:
    """True if this transaction may make the invoice's documents: no other worker is making them now.

    Two workers given the same invoice (a task run twice, or the command beside the queue) would
    each render it; the second is told to leave it. A transaction-level advisory lock holds no row,
    so sending, paying or crediting the invoice never waits for a PDF being rendered."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [DOCUMENTS_LOCK_KEY, pk])
        return cursor.fetchone()[0]


def store_documents(*, invoice: Invoice) -> Invoice:
    """Render and store the PDF and XML of an issued invoice, once (a second call does nothing)."""
    invoice = Invoice.objects.select_related("credits", "municipality").prefetch_related("lines").get(pk=invoice.pk)
    if not invoice.is_issued:
        raise ValidationError(_("A draft has no documents."))
    if invoice.has_documents:
        return invoice
    with transaction.atomic():
        if not _claim_documents(invoice.pk):
            return invoice  # another worker is making them now
        if Invoice.objects.filter(pk=invoice.pk).exclude(pdf_sha256="").exists():
            return Invoice.objects.get(pk=invoice.pk)  # made by a worker that finished a moment ago
        xml = ubl.build_ubl(invoice)
        problems = peppol.peppol_errors(xml)
        if problems:
            raise ValidationError(_("The electronic invoice breaks Peppol rules: %(rules)s") % {"rules": problems})
        pdf = render_invoice_pdf(invoice)
        invoice.xml, invoice.xml_sha256 = xml, sha256_of(xml)
        invoice.pdf, invoice.pdf_sha256, invoice.pages = pdf.content, pdf.sha256, pdf.pages
        # Only if no one else stored them meanwhile (on SQLite, without the advisory lock).
        stored = Invoice.objects.filter(pk=invoice.pk, pdf_sha256="").update(
            pdf=invoice.pdf, pdf_sha256=invoice.pdf_sha256, pages=invoice.pages, xml=xml, xml_sha256=invoice.xml_sha256
        )
        if stored:
            # One line per invoice whose documents were made (bench/two_workers.py counts them).
            logger.info("Documents of invoice %s stored (%d pages)", invoice.pk, invoice.pages)
        DocumentFailure.objects.filter(invoice_id=invoice.pk).delete()
    return invoice


def _queue_documents(invoice: Invoice) -> None:
    from invoicing.tasks import make_invoice_documents

    # In the caller's transaction: with the database backend the task row commits with the invoice.
    make_invoice_documents.enqueue(invoice.pk)


@transaction.atomic
def queue_documents_again(*, invoice_ids, by=None) -> int:
    """Put issued invoices without documents on the queue again (after a failure, or a lost worker).

    Returns how many were queued. Safe to call twice: a worker that finds the documents made, or
    being made, leaves them."""
    pending = list(
        Invoice.objects.filter(pk__in=invoice_ids, pdf_sha256="").exclude(number="").order_by("pk").only("pk")
    )
    DocumentFailure.objects.filter(invoice__in=pending).delete()
    for invoice in pending:
        _queue_documents(invoice)
    logger.info("Documents of %d invoices queued again by user %s", len(pending), getattr(by, "pk", None))
    return len(pending)


def record_documents_failure(*, invoice_id: int, error: Exception) -> None:
    """The queue's last attempt failed: keep the reason for the month page and the invoice's page."""
    invoice = Invoice.objects.defer("pdf", "xml").filter(pk=invoice_id).first()
    if invoice is None or invoice.has_documents:
        return
    DocumentFailure.objects.update_or_create(invoice=invoice, defaults={"message": documents_failure(invoice, error)})


def documents_failure(invoice: Invoice, error: Exception) -> str:
    """What the user reads when an issued invoice's documents could not be made."""
    reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error) or type(error).__name__
    return _(
        "%(document)s %(number)s is issued, but its PDF and XML could not be made: %(reason)s "
        "Try again from the invoice's page, or run generate_invoices again."
    ) % {"document": invoice.get_kind_display(), "number": invoice.number, "reason": reason}


def try_store_documents(*, invoice: Invoice) -> str:
    """Store the documents of an already issued invoice; '' when done, else the reason they are not.

    The invoice is committed before its documents are made, so a failure here must not look like a
    failed issue: it is logged and reported, and the documents are made later on demand."""
    try:
        store_documents(invoice=invoice)
    except Exception as error:
        logger.exception("Documents of invoice %s could not be made", invoice.number)
        return documents_failure(invoice, error)
    return ""


def _store_documents_by_id(pk: int) -> str:
    return try_store_documents(invoice=Invoice.objects.defer("pdf", "xml").get(pk=pk))


def _forget_inherited_connections():
    # A forked worker must not use (or close) the parent's database sockets: drop them unclosed.
    for inherited in connections.all(initialized_only=True):
        inherited.connection = None


def pending_documents() -> list[int]:
    return list(Invoice.objects.exclude(number="").filter(pdf_sha256="").order_by("pk").values_list("pk", flat=True))


def store_documents_in_parallel(ids, *, workers: int | None = None) -> list[str]:
    """Store documents for many invoices over `workers` processes (1 = in this process).

    One failing invoice stops none of the others: returns the failures' messages ([] when all made)."""
    ids = list(ids)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(ids) <= 1 or connections["default"].vendor == "sqlite":
        results = [_store_documents_by_id(pk) for pk in ids]
    else:
        connections.close_all()
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=get_context("fork"), initializer=_forget_inherited_connections
        ) as pool:
            results = list(pool.map(_store_documents_by_id, ids, chunksize=max(1, len(ids) // (workers * 4))))
    return [failure for failure in results if failure]


def _sendable_address(invoice: Invoice, sent_at: datetime.datetime) -> str:
    """The address the invoice goes to, or a refusal saying why it cannot be sent."""
    if not invoice.is_issued or not invoice.has_documents:
        raise ValidationError(_("The invoice has no documents yet."))
    if not invoice.issue_date <= timezone.localdate(sent_at) <= timezone.localdate():
        raise ValidationError(_("An invoice is sent between its date and today."))
    address = invoice.buyer_email or invoice.municipality.invoice_email
    if not address:
        raise ValidationError(
            _("%(municipality)s has no invoice e-mail address. Add it on the municipality's page.")
            % {"municipality": invoice.municipality}
        )
    return address


def _mail_invoice(invoice: Invoice, address: str, mailer=None) -> None:
    """Hand the PDF and XML to the mail server; a server that is down or refuses is a refusal with a message."""
    kind = invoice.get_kind_display()
    message = EmailMessage(
        subject=f"{kind} {invoice.number} – {invoice.seller['name']}",
        body=_(
            "%(kind)s %(number)s for %(month)s is attached as PDF and as an electronic invoice (Peppol BIS 3.0).\n\n"
            "Kind regards\n%(seller)s"
        )
        % {
            "kind": kind,
            "number": invoice.number,
            "month": f"{invoice.month:%m.%Y}",
            "seller": invoice.seller["name"],
        },
        to=[address],
    )
    message.attach(document_filename(invoice, "pdf"), bytes(invoice.pdf), "application/pdf")
    message.attach(document_filename(invoice, "xml"), bytes(invoice.xml), "application/xml")
    try:
        if mailer is None:
            message.send()
        else:
            mailer.send_messages([message])
    except (OSError, smtplib.SMTPException) as error:
        # The mail server is down or refused us: nothing was sent, so the invoice stays unsent and can be sent again.
        logger.warning("Invoice %s not sent to %s: %s", invoice.number, address, error)
        raise ValidationError(
            _("The invoice could not be sent: the mail server did not answer (%(error)s). Try again later.")
            % {"error": error.__class__.__name__}
        ) from error


@transaction.atomic
def send_invoice(*, invoice: Invoice, by=None, sent_at: datetime.datetime | None = None, mailer=None) -> Invoice:
    """E-mail the PDF and XML to the municipality's invoice address at once and record when.

    The web page sends through the task queue instead (`request_sending`). `sent_at` (default now) and
    `mailer` (an e-mail backend instance, default the configured one) are for demo data, which is sent on
    the day it is dated, through a backend that delivers nothing.
    """
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    sent_at = sent_at or timezone.now()
    address = _sendable_address(invoice, sent_at)
    _mail_invoice(invoice, address, mailer)
    invoice.sent_at = sent_at
    invoice.sent_to = address
    invoice.save(update_fields=["sent_at", "sent_to"])
    return invoice


# --- Sending on the task queue -------------------------------------------------------------------------


@transaction.atomic
def request_sending(*, invoice: Invoice, by) -> InvoiceSending:
    """Put the e-mailing of an invoice on the task queue; returns its `InvoiceSending`.

    What can be checked now (documents made, an address) is refused now, with its message. An invoice
    already waiting or being sent is not queued a second time: its open sending is returned.
    """
    from invoicing.tasks import send_invoice_mail

    invoice = Invoice.objects.select_for_update().defer("pdf", "xml").select_related("municipality").get(pk=invoice.pk)
    _sendable_address(invoice, timezone.now())
    sending = InvoiceSending.objects.filter(invoice=invoice, state__in=InvoiceSending.OPEN).first()
    if sending is not None:
        return sending
    sending = InvoiceSending.objects.create(invoice=invoice, requested_by=by)
    # Enqueued in this transaction: with the database queue the task commits with its row.
    send_invoice_mail.enqueue(sending.pk)
    sending.refresh_from_db()  # the immediate backend (tests) has sent it already
    return sending


UNKNOWN_OUTCOME = gettext_lazy(
    "An earlier attempt stopped while it was handing the invoice to the mail server, so it is not known whether "
    "it went out. Ask the municipality whether it arrived before you send it again."
)


def deliver_sending(*, sending_id: int, mailer=None) -> InvoiceSending:
    """One attempt at a queued sending (the task's body). Never sends an invoice twice for one request.

    The row goes from waiting to sending in a transaction of its own that commits before the mail server
    is asked, so a second worker finds it taken. An attempt that fails puts it back to waiting with the
    message (the task tries again later); one that finds it still "sending" knows an earlier attempt
    stopped halfway (a worker killed, a lost commit) and stops with a message, sending nothing.
    """
    with transaction.atomic():
        sending = InvoiceSending.objects.select_for_update().get(pk=sending_id)
        if sending.state in (InvoiceSending.State.SENT, InvoiceSending.State.FAILED):
            return sending
        if sending.state == InvoiceSending.State.SENDING:
            sending.state = InvoiceSending.State.FAILED
            sending.last_error = str(UNKNOWN_OUTCOME)
            sending.finished_at = timezone.now()
            sending.save(update_fields=["state", "last_error", "finished_at"])
            logger.error("Invoice sending %s: an earlier attempt stopped halfway; not sent again", sending.pk)
            return sending
        sending.state = InvoiceSending.State.SENDING
        sending.attempts += 1
        sending.save(update_fields=["state", "attempts"])
    invoice = Invoice.objects.select_related("municipality").get(pk=sending.invoice_id)
    sent_at = timezone.now()
    try:
        address = _sendable_address(invoice, sent_at)
        _mail_invoice(invoice, address, mailer)
    except Exception as error:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error) or repr(error)
        InvoiceSending.objects.filter(pk=sending.pk).update(state=InvoiceSending.State.WAITING, last_error=message)
        raise
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().defer("pdf", "xml").get(pk=invoice.pk)
        invoice.sent_at = sent_at
        invoice.sent_to = address
        invoice.save(update_fields=["sent_at", "sent_to"])
        sending.state = InvoiceSending.State.SENT
        sending.sent_to = address
        sending.last_error = ""
        sending.finished_at = timezone.now()
        sending.save(update_fields=["state", "sent_to", "last_error", "finished_at"])
    logger.info("Invoice %s sent to %s (sending %s, attempt %d)", invoice.number, address, sending.pk, sending.attempts)
    return sending


def record_sending_failure(*, sending_id: int, error: Exception) -> None:
    """The last attempt failed: the sending is failed, with the message the administrator sees."""
    message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error) or repr(error)
    InvoiceSending.objects.filter(pk=sending_id, state__in=InvoiceSending.OPEN).update(
        state=InvoiceSending.State.FAILED,
        last_error=message,
        finished_at=timezone.now(),
    )


@transaction.atomic
def mark_paid(*, invoice: Invoice, by=None, paid_on: datetime.date | None = None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if not invoice.is_issued:
        raise ValidationError(_("Only an issued invoice can be marked as paid."))
    if invoice.is_credit_note:
        credited = Invoice.objects.filter(pk=invoice.credits_id).values_list("number", flat=True).get()
        raise ValidationError(_("A credit note is not paid: it cancels invoice %(number)s.") % {"number": credited})
    if invoice.credited_at:
        # The credit note cancels the claim: money already received is a refund, not a payment of this invoice.
        note = invoice.credit_notes.values_list("number", flat=True).get()
        raise ValidationError(
            _("Invoice %(number)s is credited by credit note %(note)s, so it is not to be paid.")
            % {"number": invoice.number, "note": note}
        )
    if invoice.paid_on:
        raise ValidationError(_("The invoice is already marked as paid."))
    paid_on = paid_on or timezone.localdate()
    if paid_on < invoice.issue_date:
        raise ValidationError(_("The payment date cannot be before the invoice date."))
    invoice.paid_on = paid_on
    invoice.paid_registered_by = by
    invoice.save(update_fields=["paid_on", "paid_registered_by"])
    return invoice


@dataclass(frozen=True)
class HoursStatement:
    pdf: object
    citizen_ids: list


def hours_statement(*, month: datetime.date) -> HoursStatement:
    """The monthly hours statement (Timeopgørelse) for a provider that is a municipality's own team.

    Made on the task queue (`invoicing.exports`), never in a request: a large municipality's month is
    many pages."""
    provider = Provider.current()
    if provider is None or provider.municipality_id is None:
        raise ValidationError(_("Only a municipality's own team makes an hours statement."))
    previews = month_preview(month, municipality_ids=[provider.municipality_id])
    lines = previews[0].lines if previews else []
    with translation.override("da"):
        title = _("Hours statement %(month)s") % {"month": f"{month:%m.%Y}"}
    pdf = render_pdf(
        "invoicing/pdf/hours_statement.html",
        {
            "month": month,
            "municipality": provider.municipality,
            "lines": lines,
            "total_minutes": sum(line.minutes for line in lines),
            "total": sum((line.amount for line in lines), 0),
        },
        title=title,
    )
    return HoursStatement(pdf=pdf, citizen_ids=sorted({line.citizen.pk for line in lines}))


# --- The month sums the month page reads (VisitMonthSum) -------------------------------------------------

_VISIT_SUM_UPSERT = """
INSERT INTO {sums} (intervention_id, month, rate_ore, minutes, visits)
VALUES (%s, %s, COALESCE((SELECT CAST(ROUND(r.hourly_rate * 100) AS INTEGER) FROM {rates} r
                          WHERE r.valid_from <= %s ORDER BY r.valid_from DESC LIMIT 1), %s), %s, %s)
ON CONFLICT (month, intervention_id, rate_ore)
DO UPDATE SET minutes = {sums}.minutes + excluded.minutes, visits = {sums}.visits + excluded.visits
"""


# A PostgreSQL advisory lock: shared by every transaction that moves a month sum (visits never wait for
# each other on it), exclusive for add_rate while it prices the sums again.
VISIT_SUMS_LOCK = 16_2026


def _hold_visit_sums(*, exclusive: bool = False) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite writes one transaction at a time
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s)", [VISIT_SUMS_LOCK])


def count_visit(*, intervention_id: int, date: datetime.date, minutes: int, sign: int) -> None:
    """Add a billable visit to its course's month sum at the rate in force on its date (sign 1), or take it
    away (sign -1): one statement, the rate read inside it, after the shared lock that a new rate waits
    for. Called for every save and delete of a visit (invoicing.signals), so inside the visit service's
    transaction and paying municipality's lock."""
    _hold_visit_sums()
    sql = _VISIT_SUM_UPSERT.format(sums=VisitMonthSum._meta.db_table, rates=Rate._meta.db_table)
    default_ore = int(DEFAULT_HOURLY_RATE * 100)
    with connection.cursor() as cursor:
        cursor.execute(sql, [intervention_id, date.replace(day=1), date, default_ore, sign * minutes, sign])


def rebuild_visit_month_sums(*, from_month: datetime.date | None = None) -> int:
    """Sum the billable visits again per course, month and rate (from a month on, or all of them).

    For a new rate (its months are priced again) and after visits were written in bulk (seed_scale),
    which no signal sees. Returns the number of rows written."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    from interventions.models import Visit

    sums = VisitMonthSum.objects.all()
    visits = Visit.objects.filter(billable=True)
    if from_month is not None:
        sums = sums.filter(month__gte=from_month)
        visits = visits.filter(date__gte=from_month)
    sums.delete()
    rows = (
        visits.annotate(month=TruncMonth("date"), rate=RateTable().expression(datetime.date.min, datetime.date.max))
        .values("intervention_id", "month", "rate")
        .annotate(minutes=Sum("duration_minutes"), count=Count("id"))
        .order_by()
    )
    made, batch = 0, []
    for row in rows.iterator(chunk_size=5000):
        batch.append(
            VisitMonthSum(
                intervention_id=row["intervention_id"],
                month=row["month"],
                rate_ore=int(round(Decimal(str(row["rate"])) * 100)),
                minutes=row["minutes"],
                visits=row["count"],
            )
        )
        if len(batch) == 5000:
            made += len(VisitMonthSum.objects.bulk_create(batch))
            batch = []
    return made + len(VisitMonthSum.objects.bulk_create(batch))
