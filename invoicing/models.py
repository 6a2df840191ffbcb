"""Rates, invoices and credit notes to paying municipalities."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from housingfirst.models import Method, Municipality


class Rate(models.Model):
    """Kroner per hour, valid from a date: a visit is priced at the rate in force on its date."""

    hourly_rate = models.DecimalField(_("hourly rate (kr.)"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [models.CheckConstraint(condition=models.Q(hourly_rate__gt=0), name="rate_is_positive")]

    def __str__(self):
        return f"{self.hourly_rate} kr./t fra {self.valid_from:%d.%m.%Y}"


DEFAULT_HOURLY_RATE = Decimal("450.00")


class ShelterDayRate(models.Model):
    """The shelter's own day rate (døgntakst), valid from a date: an agreed return to the shelter is
    invoiced per night at the rate in force on that night, not as support hours."""

    day_rate = models.DecimalField(_("day rate (kr.)"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("shelter day rate")
        verbose_name_plural = _("shelter day rates")
        constraints = [models.CheckConstraint(condition=models.Q(day_rate__gt=0), name="shelter_day_rate_is_positive")]

    def __str__(self):
        return f"{self.day_rate} kr./døgn fra {self.valid_from:%d.%m.%Y}"


class InvoiceSequence(models.Model):
    """The one gap-free number sequence shared by invoices and credit notes.

    Bookkeeping law asks for unique, consecutive numbers per document series; one series for both
    kinds keeps that simple. The row is locked (select_for_update) by the issuing transaction, so two
    administrators issuing at once queue on it and each gets the next number, and a rolled-back issue
    gives its number back.
    """

    name = models.CharField(max_length=20, unique=True, default="invoice")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self):
        return f"{self.name}: {self.last_number}"


# Fields that may still change after issue: the life cycle of the document, nothing of its content.
LIFECYCLE_FIELDS = frozenset({"sent_at", "sent_to", "paid_on", "paid_registered_by", "credited_at"})
# The stored documents may be written once (empty → bytes) after the number is taken, never changed.
DOCUMENT_FIELDS = frozenset({"pdf", "pdf_sha256", "xml", "xml_sha256", "pages"})


class IssuedInvoiceError(ValidationError):
    pass


class Invoice(models.Model):
    """An invoice or credit note to one paying municipality (EAN) for one month.

    `number` is empty until issued. After issue the content never changes: `save()` refuses any
    change except the life-cycle fields (sent, paid, credited) and the one-time storing of the PDF and
    XML; on PostgreSQL a trigger refuses the same at the database (migration 0004).
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        CREDITED = "credited", _("Credited")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    number = models.CharField(_("number"), max_length=20, blank=True, db_index=True)
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("paying municipality"), on_delete=models.PROTECT, related_name="invoices"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the invoiced month."))
    credits = models.ForeignKey(
        "self",
        verbose_name=_("credits invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    reason = models.TextField(_("reason"), blank=True, help_text=_("Why the invoice is credited."))
    # Buyer and seller as they were at issue: a later change of address or EAN never alters an invoice.
    buyer_name = models.CharField(_("buyer"), max_length=150)
    buyer_ean = models.CharField(_("EAN number"), max_length=13)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    buyer_email = models.EmailField(_("invoice e-mail"), blank=True)
    buyer_cvr = models.CharField(_("buyer's CVR number"), max_length=8, blank=True)
    buyer_address = models.CharField(_("buyer's address"), max_length=200, blank=True)
    buyer_postal_code = models.CharField(_("buyer's postal code"), max_length=4, blank=True)
    buyer_city = models.CharField(_("buyer's city"), max_length=100, blank=True)
    seller = models.JSONField(_("seller"), default=dict)
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0.00"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    pages = models.PositiveSmallIntegerField(_("pages"), default=0)
    xml = models.BinaryField(_("electronic invoice (UBL XML)"), blank=True, default=b"")
    xml_sha256 = models.CharField(_("SHA-256 of the XML"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payment registered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    credited_at = models.DateTimeField(_("credited at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Who issued, sent, registered payment or credited, for the audit trail; the documents are stored once
    # with their hash and are not copied into every history row.
    history = HistoricalRecords(excluded_fields=["pdf", "xml"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [("issue_invoice", _("Can issue, send and credit invoices"))]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~models.Q(number=""), name="invoice_number_unique_when_issued"
            ),
            # One invoice per municipality and month; after a full credit note a new one may be issued.
            models.UniqueConstraint(
                fields=["municipality", "month"],
                condition=models.Q(kind="invoice", credited_at__isnull=True),
                name="one_open_invoice_per_municipality_month",
                violation_error_message=_("The month is already invoiced to this municipality."),
            ),
            models.UniqueConstraint(
                fields=["credits"], condition=models.Q(kind="credit_note"), name="one_credit_note_per_invoice"
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="invoice_month_is_first_day"),
            models.CheckConstraint(
                condition=models.Q(kind="invoice", credits__isnull=True)
                | models.Q(kind="credit_note", credits__isnull=False),
                name="credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=models.Q(number="") | models.Q(issued_at__isnull=False, issue_date__isnull=False),
                name="issued_invoice_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "municipality"]),
            # The invoice list, newest first: the first page read from the index, not sorted from every invoice.
            models.Index(fields=["-issued_at", "-id"], name="invoice_newest_first"),
        ]

    def __str__(self):
        label = self.get_kind_display()
        return f"{label} {self.number}" if self.number else f"{label} ({_('draft')})"

    def save(self, *args, **kwargs):
        if self.pk and "update_fields" not in kwargs:
            self._refuse_changes_after_issue(None)
        elif self.pk:
            self._refuse_changes_after_issue(set(kwargs["update_fields"]))
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("invoicing:detail", args=[self.pk])

    def _refuse_changes_after_issue(self, update_fields: set[str] | None) -> None:
        stored = Invoice.objects.filter(pk=self.pk).first()
        if stored is None or not stored.is_issued:
            return
        for field in self._meta.concrete_fields:
            name = field.attname
            if field.name in LIFECYCLE_FIELDS or (update_fields is not None and field.name not in update_fields):
                continue
            old, new = getattr(stored, name), getattr(self, name)
            if name in DOCUMENT_FIELDS:
                old, new = (
                    (bytes(old) if isinstance(old, memoryview) else old),
                    (bytes(new) if isinstance(new, memoryview) else new),
                )
                if not old:
                    continue  # stored once, right after issue
            if old != new:
                raise IssuedInvoiceError(
                    _(
                        "%(document)s %(number)s is issued and cannot be changed. "
                        "Correct it with a credit note and, where needed, a new invoice."
                    )
                    % {"document": stored.get_kind_display(), "number": stored.number}
                )

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.pk).exclude(number="").exists():
            raise IssuedInvoiceError(_("An issued invoice is never deleted. Correct it with a credit note."))
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return bool(self.number)

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def status(self) -> str:
        if not self.is_issued:
            return self.Status.DRAFT
        if self.credited_at:
            return self.Status.CREDITED
        if self.paid_on:
            return self.Status.PAID
        if self.sent_at:
            return self.Status.SENT
        return self.Status.ISSUED

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def has_documents(self) -> bool:
        return bool(self.pdf_sha256 and self.xml_sha256)

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines.all())


class InvoiceLine(models.Model):
    """One line: a citizen, a method and a rate, with the month's minutes.

    A citizen whose month spans a rate change gets one line per rate, so each line is
    minutes × rate / 60, rounded half-up to øre once (never per visit).

    A shelter-days line is an agreed return to the shelter: `days` nights from `first_day` to
    `last_day` at the shelter's day rate (`rate`), days × rate, with no minutes.
    """

    class Kind(models.TextChoices):
        SUPPORT = "support", _("Support hours")
        SHELTER_DAYS = "shelter_days", _("Shelter days")

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    citizen = models.ForeignKey(
        "citizens.Citizen", verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="invoice_lines"
    )
    citizen_name = models.CharField(_("citizen"), max_length=201)
    citizen_cpr_masked = models.CharField(_("CPR number"), max_length=11)
    method = models.CharField(_("method"), max_length=3, choices=Method.choices)
    minutes = models.PositiveIntegerField(_("minutes"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    rate = models.DecimalField(_("hourly rate"), max_digits=8, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SUPPORT)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        ordering = ["invoice", "position"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="one_line_per_position"),
            models.CheckConstraint(
                condition=models.Q(kind="support", minutes__gt=0, days=0)
                | models.Q(
                    kind="shelter_days",
                    minutes=0,
                    days__gt=0,
                    first_day__isnull=False,
                    last_day__gte=models.F("first_day"),
                ),
                name="invoice_line_has_minutes_or_shelter_days",
            ),
        ]

    def __str__(self):
        return f"{self.citizen_name} {self.method} {self.minutes} min"

    def save(self, *args, **kwargs):
        self._refuse_if_issued()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_issued()
        return super().delete(*args, **kwargs)

    def _refuse_if_issued(self) -> None:
        # On PostgreSQL the trigger of migration 0004 refuses the same for queryset updates and deletes.
        if Invoice.objects.filter(pk=self.invoice_id).exclude(number="").exists():
            raise IssuedInvoiceError(_("The lines of an issued invoice cannot be changed."))

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60

    @property
    def is_shelter_days(self) -> bool:
        return self.kind == self.Kind.SHELTER_DAYS


class DocumentFailure(models.Model):
    """Why the task queue could not make an issued invoice's PDF and XML, after its last attempt.

    Kept beside the invoice (whose columns never change after issue) and deleted when the documents
    are made, so the month page and the invoice's page can say what went wrong on any task backend."""

    invoice = models.OneToOneField(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="document_failure"
    )
    message = models.TextField(_("message"))
    failed_at = models.DateTimeField(_("failed at"), auto_now=True)

    class Meta:
        verbose_name = _("document failure")
        verbose_name_plural = _("document failures")

    def __str__(self):
        return f"{self.invoice}: {self.message[:60]}"


class InvoiceSending(models.Model):
    """One request to e-mail an invoice, sent by the task queue (`invoicing.tasks.send_invoice_mail`).

    The state is what makes it go out once: an attempt takes the row from waiting to sending and commits
    before it talks to the mail server, so a second worker (or a second attempt) finds it taken. An attempt
    that finds it still "sending" knows an earlier one stopped in the middle, cannot tell whether the mail
    went, and stops with a message instead of sending it again.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    OPEN = (State.WAITING, State.SENDING)

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="sendings")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_to = models.EmailField(_("sent to"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("invoice sending")
        verbose_name_plural = _("invoice sendings")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(state__in=["waiting", "sending"]), name="one_open_sending"
            )
        ]

    def __str__(self):
        return f"{self.invoice} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class MonthIssue(models.Model):
    """One request to issue a month's invoices, run by the task queue (`invoicing.tasks.issue_month_run`).

    The web "Issue" button only records this and queues the work: a national month takes longer than a
    request may. The month page reads the state while the queue works. At most one open run a month."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Issuing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    OPEN = (State.WAITING, State.RUNNING)

    month = models.DateField(_("month"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    issued_count = models.PositiveIntegerField(_("invoices issued"), default=0)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("month issue")
        verbose_name_plural = _("month issues")
        constraints = [
            models.UniqueConstraint(
                fields=["month"], condition=models.Q(state__in=["waiting", "running"]), name="one_open_month_issue"
            )
        ]

    def __str__(self):
        return f"{self.month:%m.%Y} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN


class VisitMonthSum(models.Model):
    """The billable visits of one course in one month at one hourly rate: their minutes and their number.

    Kept by the visits themselves (`invoicing.signals`: every save and delete of a visit, inside the
    visit service's transaction and its paying municipality's row lock) and rebuilt from the visits by
    `services.rebuild_visit_month_sums` when a rate changes or visits were written in bulk. The month
    page reads these rows (about one per course) instead of summing the month's visits; issuing never
    does: an invoice is always priced from the visits (`selectors.month_preview`)."""

    intervention = models.ForeignKey(
        "interventions.Intervention", verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    rate_ore = models.IntegerField(_("hourly rate (øre)"))
    minutes = models.IntegerField(_("minutes"), default=0)
    visits = models.IntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("visit sum per month")
        verbose_name_plural = _("visit sums per month")
        constraints = [
            models.UniqueConstraint(fields=["month", "intervention", "rate_ore"], name="one_visit_sum_per_rate")
        ]

    def __str__(self):
        return f"{self.intervention_id} {self.month:%m.%Y}: {self.visits} / {self.minutes} min"
