"""Read queries for invoicing: rates, the month preview per paying municipality, invoice lists."""

import bisect
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Case, Count, DecimalField, Exists, F, Max, OuterRef, Prefetch, Q, Sum, Value, When
from django.utils.translation import gettext as _

from housingfirst.models import Municipality, MunicipalityEAN, Provider
from invoicing.models import DEFAULT_HOURLY_RATE, Invoice, InvoiceLine, Rate, ShelterDayRate

ORE = Decimal("0.01")
RATE_FIELD = DecimalField(max_digits=8, decimal_places=2)
# What the month's lines need of a citizen: the name, the masked CPR (from the birth date), who pays.
CITIZEN_FIELDS = ["id", "first_name", "last_name", "birth_date", "paying_municipality_id"]


class RateTable:
    """All rates, read once, so pricing a month of visits costs one query."""

    def __init__(self):
        rows = list(Rate.objects.order_by("valid_from").values_list("valid_from", "hourly_rate"))
        self._dates = [valid_from for valid_from, _rate in rows]
        self._rates = [rate for _valid_from, rate in rows]

    def on(self, day: datetime.date) -> Decimal:
        index = bisect.bisect_right(self._dates, day) - 1
        return self._rates[index] if index >= 0 else DEFAULT_HOURLY_RATE

    def expression(self, first: datetime.date, following: datetime.date):
        """The rate in force on a visit's `date`, as SQL: a CASE over the rates that change in [first, following)."""
        branches = [
            When(date__gte=valid_from, then=Value(rate))
            for valid_from, rate in reversed(list(zip(self._dates, self._rates, strict=True)))
            if first < valid_from < following
        ]
        at_start = Value(self.on(first), output_field=RATE_FIELD)
        return Case(*branches, default=at_start, output_field=RATE_FIELD) if branches else at_start


class ShelterDayRateTable:
    """All shelter day rates, read once; `on` is None before the first one takes effect."""

    def __init__(self):
        rows = list(ShelterDayRate.objects.order_by("valid_from").values_list("valid_from", "day_rate"))
        self._dates = [valid_from for valid_from, _rate in rows]
        self._rates = [rate for _valid_from, rate in rows]

    def on(self, day: datetime.date) -> Decimal | None:
        index = bisect.bisect_right(self._dates, day) - 1
        return self._rates[index] if index >= 0 else None


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
    days: int = 0
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None
    kind: str = InvoiceLine.Kind.SUPPORT
    is_shelter_days: bool = False

    @property
    def amount(self) -> Decimal:
        return line_amount(self.minutes, self.rate)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60


@dataclass
class ShelterDaysLine:
    """Nights of an agreed return to the shelter in the month, at one day rate: days × rate."""

    citizen: object
    method: str
    rate: Decimal
    first_day: datetime.date
    last_day: datetime.date
    days: int = 0
    minutes: int = 0
    visits: int = 0
    kind: str = InvoiceLine.Kind.SHELTER_DAYS

    @property
    def amount(self) -> Decimal:
        return (self.days * self.rate).quantize(ORE, rounding=ROUND_HALF_UP)

    @property
    def is_shelter_days(self) -> bool:
        return True


def shelter_day_lines(pause, first: datetime.date, following: datetime.date, rates: ShelterDayRateTable):
    """The lines of one agreed return for the month [first, following): a line per day rate in force.

    A night is priced at the rate in force on the day it begins, as a visit is at the rate on its date."""
    start, count = pause.shelter_nights(first, following)
    lines: list[ShelterDaysLine] = []
    for offset in range(count):
        night = start + datetime.timedelta(days=offset)
        rate = rates.on(night)
        if rate is None:
            raise LookupError(night)
        if lines and lines[-1].rate == rate:
            lines[-1].days += 1
            lines[-1].last_day = night
        else:
            lines.append(
                ShelterDaysLine(
                    citizen=pause.intervention.citizen_id,
                    method=pause.intervention.method,
                    rate=rate,
                    first_day=night,
                    last_day=night,
                    days=1,
                )
            )
    return lines


def _agreed_stay_on_visit_date():
    """The agreed return to the shelter whose nights include the visit's date (for Exists)."""
    from interventions.models import Pause

    return Pause.objects.filter(
        intervention_id=OuterRef("intervention_id"),
        reason=Pause.Reason.SHELTER,
        agreed_on__isnull=False,
        from_date__lte=OuterRef("date"),
    ).filter(Q(to_date__isnull=True) | Q(to_date__gt=OuterRef("date")))


def _shelter_stays(first, following, municipality_ids, exclude_municipality_ids=()):
    """The month's returns to the shelter, agreed or not, with their intervention (one query)."""
    from interventions.models import Pause

    pauses = (
        Pause.objects.filter(reason=Pause.Reason.SHELTER, from_date__lt=following)
        .filter(Q(to_date__isnull=True) | Q(to_date__gt=first))
        .select_related("intervention")
        .order_by("from_date", "pk")
    )
    if municipality_ids is not None:
        pauses = pauses.filter(intervention__citizen__paying_municipality_id__in=municipality_ids)
    if exclude_municipality_ids:
        pauses = pauses.exclude(intervention__citizen__paying_municipality_id__in=exclude_municipality_ids)
    return list(pauses)


@dataclass
class MunicipalityPreview:
    municipality: Municipality
    ean: MunicipalityEAN | None
    lines: list[PreviewLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    invoice: Invoice | None = None
    is_own: bool = False
    missing_day_rate: bool = False

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def total_minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def total_shelter_days(self) -> int:
        return sum(line.days for line in self.lines if line.is_shelter_days)

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
        if self.missing_day_rate:
            return _("No shelter day rate")
        return ""

    @property
    def can_issue(self) -> bool:
        return not self.blocking and bool(self.lines)


def month_preview(
    month: datetime.date, *, municipality_ids=None, exclude_municipality_ids=()
) -> list[MunicipalityPreview]:
    """Each paying municipality with billable visits in the month: lines, totals and warnings.

    A line is one citizen, one method and one rate: a citizen whose month spans a rate change gets
    a line per rate. The visits are summed per line in the database (one aggregate query, the rate
    a CASE on the date); the rest is a handful of queries.

    A return to the shelter agreed with the municipality adds a shelter-days line (nights × the
    shelter's day rate), and the support hours logged on its nights are left out unless
    BILL_SUPPORT_DURING_SHELTER_STAY says the agreement bills them too. A return not yet agreed is
    not invoiced, and says so.
    """
    from agreements.models import Agreement
    from citizens.models import Citizen
    from interventions.models import Visit

    first, following = month_bounds(month)
    visits = Visit.objects.filter(billable=True, date__gte=first, date__lt=following)
    if municipality_ids is not None:
        visits = visits.filter(intervention__citizen__paying_municipality_id__in=municipality_ids)
    if exclude_municipality_ids:
        visits = visits.exclude(intervention__citizen__paying_municipality_id__in=exclude_municipality_ids)
    stays = _shelter_stays(first, following, municipality_ids, exclude_municipality_ids)
    agreed = [pause for pause in stays if pause.is_agreed_shelter_return]
    if agreed and not settings.BILL_SUPPORT_DURING_SHELTER_STAY:
        # A visit on a night of an agreed return to the shelter is paid by the day rate, not by the hour.
        visits = visits.exclude(Exists(_agreed_stay_on_visit_date()))
    rates = RateTable()
    # One aggregate query: a row per citizen, method and rate, summed in the database, so the month's
    # visits never travel to Python one by one (69,000 at national scale).
    # The citizen's few columns come with the sums (they depend on the citizen alone), so the
    # month's citizens are not read by a second scan of its visits.
    citizen_columns = [f"intervention__citizen__{name}" for name in CITIZEN_FIELDS]
    sums = (
        visits.annotate(rate=rates.expression(first, following))
        .values(*citizen_columns, "intervention__method", "rate")
        .annotate(minutes=Sum("duration_minutes"), count=Count("id"))
        .order_by()
    )
    citizens: dict = {}
    grouped = []
    for row in sums:
        citizen_id = row["intervention__citizen__id"]
        if citizen_id not in citizens:
            citizens[citizen_id] = Citizen.from_db("default", CITIZEN_FIELDS, [row[c] for c in citizen_columns])
        grouped.append(
            PreviewLine(
                citizen=citizen_id,
                method=row["intervention__method"],
                rate=Decimal(row["rate"]).quantize(ORE),
                minutes=row["minutes"],
                visits=row["count"],
            )
        )
    day_rates = ShelterDayRateTable() if agreed else None  # no query for a month without agreed returns
    shelter_lines: list[ShelterDaysLine] = []
    missing_rate_citizens: set[int] = set()
    # Interventions whose agreement decides a citizen's warning, beside those with billed visits.
    stay_interventions: set[int] = set()
    for pause in agreed:
        try:
            found = shelter_day_lines(pause, first, following, day_rates)
        except LookupError:
            missing_rate_citizens.add(pause.intervention.citizen_id)
            found = []
        shelter_lines.extend(found)
        if found or pause.intervention.citizen_id in missing_rate_citizens:
            stay_interventions.add(pause.intervention_id)
    not_agreed = [pause for pause in stays if not pause.is_agreed_shelter_return]
    if not grouped and not shelter_lines and not missing_rate_citizens and not not_agreed:
        return []

    # Subqueries on the month's visits, not IN lists of thousands of ids: at national scale the
    # lists cost more to send and parse than the rows they fetch. The few returns to the shelter are
    # added by id: a citizen can have shelter days and no visit in the month.
    month_citizens = visits.values("intervention__citizen_id")
    stay_citizen_ids = {pause.intervention.citizen_id for pause in stays}
    if stay_citizen_ids - citizens.keys():
        citizens.update(
            (citizen.pk, citizen)
            for citizen in Citizen.objects.only(*CITIZEN_FIELDS).filter(pk__in=stay_citizen_ids - citizens.keys())
        )
    # By citizen: the agreements of the interventions billed this month (their visits, their stays).
    agreement_status: dict[int, set[str]] = defaultdict(set)
    for citizen_id, status in Agreement.objects.filter(
        Q(intervention_id__in=visits.values("intervention_id")) | Q(intervention_id__in=stay_interventions)
    ).values_list("intervention__citizen_id", "status"):
        agreement_status[citizen_id].add(status)

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
            Q(citizen_id__in=month_citizens) | Q(citizen_id__in=stay_citizen_ids),
            invoice__kind=Invoice.Kind.INVOICE,
            invoice__month=first,
            invoice__credited_at__isnull=True,
        )
        .exclude(invoice__number="")
        .values_list("citizen_id", "invoice__municipality_id", "invoice__number", "invoice__municipality__name")
        .distinct()
        if municipality_id != citizens[citizen_id].paying_municipality_id
    }
    for line in [*grouped, *shelter_lines]:
        line.citizen = citizens[line.citizen]
        if line.citizen.pk not in invoiced_elsewhere:
            previews[line.citizen.paying_municipality_id].lines.append(line)
    for citizen_id in missing_rate_citizens:
        citizen = citizens[citizen_id]
        previews[citizen.paying_municipality_id].missing_day_rate = True
        previews[citizen.paying_municipality_id].warnings.append(
            _(
                "%(citizen)s: an agreed return to the shelter has nights before the first shelter day rate. "
                "Register the day rate before invoicing."
            )
            % {"citizen": citizen.full_name}
        )
    for pause in not_agreed:
        citizen = citizens[pause.intervention.citizen_id]
        previews[citizen.paying_municipality_id].warnings.append(
            _(
                "%(citizen)s: the return to the shelter from %(date)s is not agreed with the municipality, "
                "so its days are not invoiced."
            )
            % {"citizen": citizen.full_name, "date": f"{pause.from_date:%d.%m.%Y}"}
        )
    for citizen_id, (number, name) in invoiced_elsewhere.items():
        citizen = citizens[citizen_id]
        previews[citizen.paying_municipality_id].warnings.append(
            _(
                "%(citizen)s: the month's visits are already on invoice %(number)s to %(municipality)s and are "
                "left out. Credit that invoice to invoice them here."
            )
            % {"citizen": citizen.full_name, "number": number, "municipality": name}
        )

    # Translated once, not once a citizen: the month can hold 10,000 of them.
    without_agreement = _("%(citizen)s: visits without an agreement.")
    not_signed = _("%(citizen)s: the agreement is not signed yet.")
    for preview in previews.values():
        preview.lines.sort(
            key=lambda line: (
                line.citizen.last_name,
                line.citizen.first_name,
                line.is_shelter_days,
                line.method,
                line.first_day or first,
                line.rate,
            )
        )
        if preview.ean is None and not preview.is_own:
            preview.warnings.append(_("The municipality has no EAN number: add one before invoicing."))
        seen = set()
        for line in preview.lines:
            citizen = line.citizen
            if citizen.pk in seen:
                continue
            seen.add(citizen.pk)
            statuses = agreement_status[citizen.pk]
            if not statuses:
                preview.warnings.append(without_agreement % {"citizen": citizen.full_name})
            elif not statuses & {Agreement.Status.SIGNED, Agreement.Status.ENDED}:
                preview.warnings.append(not_signed % {"citizen": citizen.full_name})
    return sorted(previews.values(), key=lambda preview: preview.municipality.name)


@dataclass
class MonthRow:
    """One paying municipality's line on the month page: its totals, never its lines."""

    municipality: Municipality
    ean: MunicipalityEAN | None
    citizen_count: int
    total_minutes: int
    total: Decimal
    line_count: int
    total_shelter_days: int = 0
    warnings: list[str] = field(default_factory=list)
    invoice: Invoice | None = None
    blocking: str = ""
    can_issue: bool = False
    is_own: bool = False
    warning_count: int = 0


def _row_from_preview(preview: MunicipalityPreview) -> MonthRow:
    return MonthRow(
        municipality=preview.municipality,
        ean=preview.ean,
        citizen_count=preview.citizen_count,
        total_minutes=preview.total_minutes,
        total=preview.total,
        line_count=len(preview.lines),
        total_shelter_days=preview.total_shelter_days,
        warnings=preview.warnings,
        invoice=preview.invoice,
        blocking=preview.blocking,
        can_issue=preview.can_issue,
        is_own=preview.is_own,
        warning_count=len(preview.warnings),
    )


def _invoiced_rows(first: datetime.date) -> list[MonthRow]:
    """The month's invoiced municipalities, read from their invoices and stored lines (never priced again).

    The lines are summed per invoice in a query of their own: grouped with the invoice's wide row, the
    month's 9,000 lines were sorted on disk."""
    invoices = list(
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, month=first, credited_at__isnull=True)
        .exclude(number="")
        .select_related("municipality")
        # What a row shows: not the seller's JSON, the buyer's details and the documents of 98 invoices.
        .only("id", "kind", "number", "month", "total", "municipality__id", "municipality__code", "municipality__name")
    )
    sums = (
        {
            row["invoice_id"]: row
            for row in InvoiceLine.objects.filter(invoice__in=[invoice.pk for invoice in invoices])
            .values("invoice_id")
            .annotate(
                citizens=Count("citizen", distinct=True),
                minutes=Sum("minutes"),
                lines=Count("id"),
                shelter_days=Sum("days", filter=Q(kind=InvoiceLine.Kind.SHELTER_DAYS)),
            )
            .order_by()
        }
        if invoices
        else {}
    )
    empty = {"citizens": 0, "minutes": 0, "lines": 0, "shelter_days": 0}
    return [
        MonthRow(
            municipality=invoice.municipality,
            ean=None,
            citizen_count=sums.get(invoice.pk, empty)["citizens"],
            total_minutes=sums.get(invoice.pk, empty)["minutes"] or 0,
            total=invoice.total,
            line_count=sums.get(invoice.pk, empty)["lines"],
            total_shelter_days=sums.get(invoice.pk, empty)["shelter_days"] or 0,
            invoice=invoice,
            blocking=_("Invoiced"),
        )
        for invoice in invoices
    ]


def _rows_from_month_sums(first: datetime.date, leave_out: set[int]) -> list[MonthRow]:
    """A row per paying municipality from the stored month sums (VisitMonthSum), in one aggregate query.

    The same lines month_preview makes (a citizen, a method and a rate), each rounded to øre once in
    integer øre, then summed per citizen (with whether any of the citizen's courses billed this month
    has an agreement, and a signed or ended one: the two warnings) and per municipality, all in the
    database: 98 rows come back, not the month's 10,000 lines. Only for municipalities without shelter
    stays or citizens invoiced elsewhere in the month (`leave_out` has those, and the invoiced ones):
    their rows come from month_preview."""
    from django.db import connection

    from agreements.models import Agreement
    from invoicing.models import VisitMonthSum

    agreements = Agreement.objects.filter(intervention_id=OuterRef("intervention_id"))
    signed = agreements.filter(status__in=[Agreement.Status.SIGNED, Agreement.Status.ENDED])
    lines = (
        VisitMonthSum.objects.filter(month=first, visits__gt=0)
        .exclude(intervention__citizen__paying_municipality_id__in=leave_out)
        .values(
            municipality=F("intervention__citizen__paying_municipality_id"),
            citizen=F("intervention__citizen_id"),
            method=F("intervention__method"),
            rate=F("rate_ore"),
        )
        .annotate(
            line_minutes=Sum("minutes"),
            agreed=Max(Case(When(Exists(agreements), then=Value(1)), default=Value(0))),
            signed=Max(Case(When(Exists(signed), then=Value(1)), default=Value(0))),
        )
        .order_by()
    )
    inner, params = lines.query.sql_with_params()
    # Lines, then citizens, then municipalities. Both parts are SQL written here and by the ORM; the
    # values travel as parameters.
    sql = (
        "SELECT municipality, COUNT(*), SUM(minutes), SUM(ore), SUM(lines), SUM(1 - agreed), "  # noqa: S608
        "SUM(CASE WHEN agreed = 1 AND signed = 0 THEN 1 ELSE 0 END) FROM ("
        "SELECT municipality, citizen, SUM(line_minutes) AS minutes, SUM((line_minutes * rate + 30) / 60) AS ore, "
        f"COUNT(*) AS lines, MAX(agreed) AS agreed, MAX(signed) AS signed FROM ({inner}) line "
        "GROUP BY municipality, citizen) citizen GROUP BY municipality"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        totals = cursor.fetchall()
    if not totals:
        return []
    municipalities = Municipality.objects.prefetch_related("eans").in_bulk([row[0] for row in totals])
    provider = Provider.current()
    own_municipality_id = provider.municipality_id if provider else None
    rows = []
    for municipality_id, citizen_count, minutes, total_ore, line_count, without, unsigned in totals:
        # The preview's own rules for the EAN and what blocks the invoice, on a preview without lines.
        preview = MunicipalityPreview(
            municipality=municipalities[municipality_id],
            ean=municipalities[municipality_id].default_ean,
            is_own=municipality_id == own_municipality_id,
        )
        rows.append(
            MonthRow(
                municipality=preview.municipality,
                ean=preview.ean,
                citizen_count=citizen_count,
                total_minutes=int(minutes),
                total=(Decimal(int(total_ore)) / 100).quantize(ORE),
                line_count=line_count,
                blocking=preview.blocking,
                can_issue=not preview.blocking,
                is_own=preview.is_own,
                warning_count=int(without + unsigned) + (1 if preview.ean is None and not preview.is_own else 0),
            )
        )
    return rows


def month_overview(month: datetime.date, *, warnings: bool = False) -> list[MonthRow]:
    """The month page: a row per paying municipality, by name.

    An invoiced municipality's row is read from its invoice (a few sums over its stored lines): an
    issued month is never priced again. The others are read from the stored month sums, but for a
    municipality with a return to the shelter in the month or a citizen whose month is invoiced to
    another municipality: those few are previewed from the visits. With `warnings` every municipality
    not invoiced is previewed, with the text of its warnings (manage.py generate_invoices prints them)."""
    from citizens.models import Citizen

    first, following = month_bounds(month)
    rows = _invoiced_rows(first)
    invoiced = {row.municipality.pk for row in rows}
    if warnings:
        previewed = None
    else:
        from interventions.models import Pause

        # One query: the municipalities (not invoiced) of the citizens with a return to the shelter in the
        # month, and of those whose month is already on another municipality's invoice (they moved). Asked
        # of the citizens of the municipalities not invoiced, so an issued month reads none of its lines.
        stays = (
            Pause.objects.filter(reason=Pause.Reason.SHELTER, from_date__lt=following)
            .filter(Q(to_date__isnull=True) | Q(to_date__gt=first))
            .values("intervention__citizen_id")
        )
        candidates = Citizen.objects.exclude(paying_municipality_id__in=invoiced).order_by()
        previewed = candidates.filter(pk__in=stays).values_list("paying_municipality_id", flat=True)
        if invoiced:
            # A UNION, not an OR: each half is planned on its own (the OR of two subqueries was costed per
            # citizen, high enough for PostgreSQL to JIT-compile it for half a second).
            moved = (
                InvoiceLine.objects.filter(
                    citizen=OuterRef("pk"),
                    invoice__kind=Invoice.Kind.INVOICE,
                    invoice__month=first,
                    invoice__credited_at__isnull=True,
                )
                .exclude(invoice__number="")
                .exclude(invoice__municipality_id=OuterRef("paying_municipality_id"))
            )
            previewed = previewed.union(
                candidates.filter(Exists(moved)).values_list("paying_municipality_id", flat=True)
            ).order_by()
        previewed = set(previewed)
        rows += _rows_from_month_sums(first, invoiced | previewed)
    if previewed is None or previewed:
        rows += [
            _row_from_preview(preview)
            for preview in month_preview(month, municipality_ids=previewed, exclude_municipality_ids=invoiced)
            if preview.municipality.pk not in invoiced
        ]
    return sorted(rows, key=lambda row: row.municipality.name)


@dataclass
class DocumentsProgress:
    issued: int
    made: int
    failed: list

    @property
    def waiting(self) -> int:
        return self.issued - self.made - len(self.failed)

    @property
    def done(self) -> bool:
        return self.waiting <= 0


def documents_progress(month: datetime.date) -> DocumentsProgress:
    """How far the task queue has come with the PDF and XML of the month's invoices and credit notes."""
    from invoicing.models import DocumentFailure

    issued = Invoice.objects.filter(month=month.replace(day=1)).exclude(number="")
    counts = issued.aggregate(issued=Count("pk"), made=Count("pk", filter=~Q(pdf_sha256="") & ~Q(xml_sha256="")))
    failed = list(
        DocumentFailure.objects.filter(invoice__in=issued.filter(pdf_sha256=""))
        .select_related("invoice__municipality")
        .defer("invoice__pdf", "invoice__xml")
        .order_by("invoice__number")
    )
    return DocumentsProgress(issued=counts["issued"], made=counts["made"], failed=failed)


def invoice_list(*, status: str = "", municipality_id=None, month=None, kind: str = ""):
    """Issued invoices and credit notes for the list page (documents deferred: they are large)."""
    invoices = (
        Invoice.objects.exclude(number="")
        .select_related("municipality", "credits")
        .defer("pdf", "xml", "credits__pdf", "credits__xml")
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


def municipality_filter_choices() -> list[tuple[int, str]]:
    """(id, name) of every municipality with an invoice or credit note, by name (a semi-join, no DISTINCT)."""
    return list(
        Municipality.objects.filter(Exists(Invoice.objects.filter(municipality=OuterRef("pk"))))
        .order_by("name")
        .values_list("pk", "name")
    )


def latest_month_issue(month: datetime.date):
    """The month's latest issue run (waiting, running or finished), or None."""
    from invoicing.models import MonthIssue

    return MonthIssue.objects.filter(month=month.replace(day=1)).first()


def issued_so_far(run) -> int:
    """The invoices an open run has issued up to now (0 when no run is open)."""
    return issued_since(run) if run is not None and run.is_open else 0


def issued_since(run) -> int:
    """The month's invoices issued since the run was asked for."""
    return (
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, month=run.month, issued_at__gte=run.requested_at)
        .exclude(number="")
        .count()
    )
