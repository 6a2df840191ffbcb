"""Read queries for invoicing: rates, the month preview per paying municipality, invoice lists."""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.utils.translation import gettext as _

from housingfirst.models import Municipality, MunicipalityEAN, Provider
from invoicing.models import DEFAULT_HOURLY_RATE, Invoice, InvoiceLine, Rate

ORE = Decimal("0.01")


class RateTable:
    """All rates, read once, so pricing a month of visits costs one query."""

    def __init__(self):
        rows = list(Rate.objects.order_by("valid_from").values_list("valid_from", "hourly_rate"))
        self._dates = [valid_from for valid_from, _rate in rows]
        self._rates = [rate for _valid_from, rate in rows]

    def on(self, day: datetime.date) -> Decimal:
        index = bisect.bisect_right(self._dates, day) - 1
        return self._rates[index] if index >= 0 else DEFAULT_HOURLY_RATE


def rate_in_force(on: datetime.date) -> Decimal:
    """The hourly rate in force on a day (450 kr. when no rate is registered yet)."""
    return RateTable().on(on)


def line_amount(minutes: int, rate: Decimal) -> Decimal:
    """minutes × rate / 60, rounded half-up to øre: once per line, never per visit."""
    return (Decimal(minutes) * rate / 60).quantize(ORE, rounding=ROUND_HALF_UP)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@dataclass
class PreviewLine:
    citizen: object
    method: str
    rate: Decimal
    minutes: int = 0
    visits: int = 0

    @property
    def amount(self) -> Decimal:
        return line_amount(self.minutes, self.rate)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60


@dataclass
class MunicipalityPreview:
    municipality: Municipality
    ean: MunicipalityEAN | None
    lines: list[PreviewLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invoice: Invoice | None = None
    is_own: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def citizen_count(self) -> int:
        return len({line.citizen.pk for line in self.lines})

    @property
    def blocking(self) -> str:
        """Why this municipality cannot be invoiced now ('' when it can)."""
        if self.invoice is not None:
            return _("Invoiced")
        if self.is_own:
            return _("Own municipality: hours statement instead of an invoice")
        if self.ean is None:
            return _("No EAN number")
        return ""

    @property
    def can_issue(self) -> bool:
        return not self.blocking and bool(self.lines)


def month_preview(month: datetime.date, *, municipality_ids=None) -> list[MunicipalityPreview]:
    """Each paying municipality with billable visits in the month: lines, totals and warnings.

    A line is one citizen, one method and one rate: a citizen whose month spans a rate change gets
    a line per rate. Visits are summed per day in the database; the rest is a handful of queries.
    """
    from agreements.models import Agreement
    from citizens.models import Citizen
    from interventions.models import Visit

    first, following = month_bounds(month)
    visits = Visit.objects.filter(billable=True, date__gte=first, date__lt=following)
    if municipality_ids is not None:
        visits = visits.filter(intervention__citizen__paying_municipality_id__in=municipality_ids)
    per_day = (
        visits.values("intervention_id", "intervention__citizen_id", "intervention__method", "date")
        .annotate(minutes=Sum("duration_minutes"), count=Count("id"))
        .order_by()
    )
    rates = RateTable()
    grouped: dict[tuple, PreviewLine] = {}
    interventions_by_citizen: dict[int, set[int]] = defaultdict(set)
    for row in per_day:
        citizen_id, method = row["intervention__citizen_id"], row["intervention__method"]
        rate = rates.on(row["date"])
        line = grouped.setdefault((citizen_id, method, rate), PreviewLine(citizen=citizen_id, method=method, rate=rate))
        line.minutes += row["minutes"]
        line.visits += row["count"]
        interventions_by_citizen[citizen_id].add(row["intervention_id"])
    if not grouped:
        return []

    citizens = Citizen.objects.only("pk", "first_name", "last_name", "birth_date", "paying_municipality_id").in_bulk(
        interventions_by_citizen.keys()
    )
    agreement_status: dict[int, set[str]] = defaultdict(set)
    intervention_ids = set().union(*interventions_by_citizen.values())
    for intervention_id, status in Agreement.objects.filter(intervention_id__in=intervention_ids).values_list(
        "intervention_id", "status"
    ):
        agreement_status[intervention_id].add(status)

    municipality_ids = {citizen.paying_municipality_id for citizen in citizens.values()}
    municipalities = Municipality.objects.filter(pk__in=municipality_ids).prefetch_related(
        Prefetch("eans", queryset=MunicipalityEAN.objects.all())
    )
    invoices = {
        invoice.municipality_id: invoice
        for invoice in Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE, month=first, credited_at__isnull=True, municipality_id__in=municipality_ids
        )
        .exclude(number="")
        .defer("pdf", "xml")
    }
    provider = Provider.current()
    own_municipality_id = provider.municipality_id if provider else None
    previews = {
        municipality.pk: MunicipalityPreview(
            municipality=municipality,
            ean=municipality.default_ean,
            invoice=invoices.get(municipality.pk),
            is_own=municipality.pk == own_municipality_id,
        )
        for municipality in municipalities
    }
    # A citizen who changed paying municipality after the month was invoiced still has the month's
    # visits on the earlier municipality's invoice: grouping by the current one would bill them twice.
    invoiced_elsewhere = {
        citizen_id: (number, name)
        for citizen_id, municipality_id, number, name in InvoiceLine.objects.filter(
            citizen_id__in=citizens.keys(),
            invoice__kind=Invoice.Kind.INVOICE,
            invoice__month=first,
            invoice__credited_at__isnull=True,
        )
        .exclude(invoice__number="")
        .values_list("citizen_id", "invoice__municipality_id", "invoice__number", "invoice__municipality__name")
        .distinct()
        if municipality_id != citizens[citizen_id].paying_municipality_id
    }
    for line in grouped.values():
        line.citizen = citizens[line.citizen]
        if line.citizen.pk not in invoiced_elsewhere:
            previews[line.citizen.paying_municipality_id].lines.append(line)
    for citizen_id, (number, name) in invoiced_elsewhere.items():
        citizen = citizens[citizen_id]
        previews[citizen.paying_municipality_id].warnings.append(
            _(
                "%(citizen)s: the month's visits are already on invoice %(number)s to %(municipality)s and are "
                "left out. Credit that invoice to invoice them here."
            )
            % {"citizen": citizen.full_name, "number": number, "municipality": name}
        )

    for preview in previews.values():
        preview.lines.sort(key=lambda line: (line.citizen.last_name, line.citizen.first_name, line.method, line.rate))
        if preview.ean is None and not preview.is_own:
            preview.warnings.append(_("The municipality has no EAN number: add one before invoicing."))
        seen = set()
        for line in preview.lines:
            citizen = line.citizen
            if citizen.pk in seen:
                continue
            seen.add(citizen.pk)
            statuses = set().union(*(agreement_status[i] for i in interventions_by_citizen[citizen.pk]))
            if not statuses:
                preview.warnings.append(_("%(citizen)s: visits without an agreement.") % {"citizen": citizen.full_name})
            elif not statuses & {Agreement.Status.SIGNED, Agreement.Status.ENDED}:
                preview.warnings.append(
                    _("%(citizen)s: the agreement is not signed yet.") % {"citizen": citizen.full_name}
                )
    return sorted(previews.values(), key=lambda preview: preview.municipality.name)


def invoice_list(*, status: str = "", municipality_id=None, month=None, kind: str = ""):
    """Issued invoices and credit notes for the list page (documents deferred: they are large)."""
    invoices = (
        Invoice.objects.exclude(number="")
        .select_related("municipality", "credits")
        .defer("pdf", "xml", "credits__pdf", "credits__xml")
        .annotate(line_count=Count("lines"))
        .order_by("-issued_at", "-pk")
    )
    if municipality_id:
        invoices = invoices.filter(municipality_id=municipality_id)
    if month:
        invoices = invoices.filter(month=month)
    if kind:
        invoices = invoices.filter(kind=kind)
    if status == Invoice.Status.CREDITED:
        invoices = invoices.filter(credited_at__isnull=False)
    elif status == Invoice.Status.PAID:
        invoices = invoices.filter(credited_at__isnull=True, paid_on__isnull=False)
    elif status == Invoice.Status.SENT:
        invoices = invoices.filter(credited_at__isnull=True, paid_on__isnull=True, sent_at__isnull=False)
    elif status == Invoice.Status.ISSUED:
        invoices = invoices.filter(credited_at__isnull=True, paid_on__isnull=True, sent_at__isnull=True)
    elif status == "overdue":
        invoices = overdue(invoices)
    return invoices


def overdue(invoices=None, *, today=None):
    from django.utils import timezone

    today = today or timezone.localdate()
    invoices = invoices if invoices is not None else Invoice.objects.exclude(number="")
    return invoices.filter(
        kind=Invoice.Kind.INVOICE, credited_at__isnull=True, paid_on__isnull=True, due_date__lt=today
    )


def invoice_with_lines(pk: int) -> Invoice:
    return (
        Invoice.objects.select_related("municipality", "credits", "issued_by", "paid_registered_by")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("position")),
            Prefetch("credit_notes", queryset=Invoice.objects.defer("pdf", "xml")),
        )
        .defer("pdf", "xml")
        .get(pk=pk)
    )


def municipality_filter_choices():
    return Municipality.objects.filter(Q(invoices__isnull=False)).distinct().order_by("name")
