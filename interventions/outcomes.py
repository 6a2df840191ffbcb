"""Outcomes measured from the record: did the citizen keep a home, returns to the shelter, how soon the
support began after the shelter. One place computes each figure; `measure_outcomes` reads in a fixed
number of queries.

Which courses a figure counts, for a period:
- housing at the end: CTI courses that ended in the period;
- housing after 12 months: CTI courses whose 12-month follow-up fell due in the period;
- returns to the shelter: pauses for a return to the shelter that began in the period;
- shelter to first contact: courses that started in the period, from the citizen's last shelter day.
A figure without a recorded answer counts as unknown, beside the answers, never left out.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import CharField, Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from housingfirst.models import Method
from interventions.fidelity import Period, heavy_reads, share
from interventions.models import HousingStatus, Intervention, Pause, Visit
from interventions.outcome_services import CHECKPOINT_MONTHS, checkpoint_date
from interventions.phases import add_months

OWN_HOME = set(HousingStatus.OWN_HOME)


@dataclass
class HomeFigure:
    n: int = 0
    own_home: int = 0
    unknown: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def known(self) -> int:
        return self.n - self.unknown

    @property
    def share(self) -> Decimal | None:
        """Of the answers known: unknowns are shown beside, not counted as lost homes."""
        return share(self.own_home, self.known)

    def count(self, status: str | None) -> None:
        self.n += 1
        if status in (None, HousingStatus.Status.UNKNOWN):
            self.unknown += 1
        elif status in OWN_HOME:
            self.own_home += 1
        key = status or "not_recorded"
        self.by_status[key] = self.by_status.get(key, 0) + 1


@dataclass
class OutcomeSummary:
    at_end: HomeFigure = field(default_factory=HomeFigure)
    after_12: HomeFigure = field(default_factory=HomeFigure)
    returns: int = 0
    return_citizens: set = field(default_factory=set)
    return_days: list = field(default_factory=list)
    ended: int = 0
    end_reasons: dict = field(default_factory=dict)
    started: int = 0
    shelter_days: list = field(default_factory=list)
    shelter_unknown: int = 0

    @property
    def mean_return_days(self) -> Decimal | None:
        if not self.return_days:
            return None
        return (Decimal(sum(self.return_days)) / len(self.return_days)).quantize(Decimal("0.1"))

    @property
    def median_shelter_days(self):
        values = sorted(self.shelter_days)
        if not values:
            return None
        middle = len(values) // 2
        return Decimal(values[middle]) if len(values) % 2 else Decimal(values[middle - 1] + values[middle]) / 2


def _recorded(intervention: Intervention) -> tuple[dict, list]:
    """The course's housing statuses by checkpoint and its pauses, read once from the prefetch (a course is
    counted into the total and into its group: each read of a related manager costs a queryset)."""
    cached = getattr(intervention, "_outcome_records", None)
    if cached is None:
        cached = (
            {status.checkpoint: status.status for status in intervention.housing_statuses.all()},
            list(intervention.pauses.all()),
        )
        intervention._outcome_records = cached
    return cached


def add_course(summary: OutcomeSummary, intervention: Intervention, period: Period, today: datetime.date) -> None:
    """Count one course's outcomes into the summary (no queries: statuses and pauses prefetched)."""
    statuses, pauses = _recorded(intervention)
    ended = intervention.status == Intervention.Status.ENDED and intervention.end_date
    if ended and period.start <= intervention.end_date <= period.end:
        summary.ended += 1
        summary.end_reasons[intervention.end_reason] = summary.end_reasons.get(intervention.end_reason, 0) + 1
        if intervention.method == Method.CTI:
            summary.at_end.count(statuses.get(HousingStatus.Checkpoint.END))
    if ended and intervention.method == Method.CTI:
        due = checkpoint_date(intervention, HousingStatus.Checkpoint.MONTHS_12)
        if period.start <= due <= min(period.end, today):
            summary.after_12.count(statuses.get(HousingStatus.Checkpoint.MONTHS_12))
    for pause in pauses:
        if pause.reason == Pause.Reason.SHELTER and period.start <= pause.from_date <= period.end:
            summary.returns += 1
            summary.return_citizens.add(intervention.citizen_id)
            summary.return_days.append(pause.length_days(today))
    if period.start <= intervention.start_date <= period.end:
        summary.started += 1
        left = intervention.citizen.shelter_stay_to
        first = getattr(intervention, "first_contact", None)
        if left and first:
            summary.shelter_days.append((first - left).days)
        else:
            summary.shelter_unknown += 1


GROUPINGS = {
    "team": (lambda i: i.citizen.team_id, lambda i: i.citizen.team.name),
    "method": (lambda i: i.method, lambda i: i.method),
    "municipality": (lambda i: i.citizen.paying_municipality_id, lambda i: i.citizen.paying_municipality.name),
}


@dataclass
class OutcomeMeasurement:
    period: Period
    total: OutcomeSummary
    groups: list  # (name, OutcomeSummary), by the chosen grouping
    courses: list  # the interventions read, for the list of courses behind a figure


def outcome_courses(interventions: QuerySet[Intervention], period: Period) -> QuerySet[Intervention]:
    # From 12 months before the period: a course that ended then has its 12-month follow-up in it.
    since = add_months(period.start, -12)
    first_contact = (
        Visit.objects.filter(intervention=OuterRef("pk"))
        .exclude(kind=Visit.Kind.ATTEMPTED_CONTACT)
        .order_by("date")
        .values("date")[:1]
    )
    return (
        interventions.exclude(status=Intervention.Status.PLANNED)
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .select_related("citizen", "citizen__team", "citizen__paying_municipality", "worker")
        .defer("citizen__cpr")  # never shown here: 13,000 decryptions saved at national scale
        .prefetch_related("housing_statuses", "pauses")
        # An index lookup per course, not a join over every visit ever logged.
        .annotate(first_contact=Subquery(first_contact, output_field=DateField()))
        .order_by("citizen__last_name", "citizen__first_name", "pk")
    )


def measure_outcomes(
    interventions: QuerySet[Intervention], period: Period, *, by: str = "team", today=None
) -> OutcomeMeasurement:
    today = today or timezone.localdate()
    key_of, name_of = GROUPINGS[by]
    total = OutcomeSummary()
    groups = {}
    names = {}
    with heavy_reads():
        courses = list(outcome_courses(interventions, period))
    for intervention in courses:
        add_course(total, intervention, period, today)
        key = key_of(intervention)
        names[key] = name_of(intervention)
        add_course(groups.setdefault(key, OutcomeSummary()), intervention, period, today)
    ordered = sorted(groups.items(), key=lambda item: str(names[item[0]]))
    return OutcomeMeasurement(period, total, [(names[key], summary) for key, summary in ordered], courses)


def courses_behind(measurement: OutcomeMeasurement, figure: str, today=None) -> list[Intervention]:
    """The courses a figure counts (the page's links from each figure)."""
    today = today or timezone.localdate()
    period = measurement.period
    chosen = []
    for intervention in measurement.courses:
        probe = OutcomeSummary()
        add_course(probe, intervention, period, today)
        counted = {
            "at_end": probe.at_end.n,
            "after_12": probe.after_12.n,
            "returns": probe.returns,
            "ended": probe.ended,
            "shelter": probe.started,
        }.get(figure, 0)
        if counted:
            chosen.append(intervention)
    return chosen


def due_housing_statuses(interventions: QuerySet[Intervention], today=None) -> list[dict]:
    """Housing statuses due and not recorded, oldest first: for the worker's and the team lead's pages."""
    today = today or timezone.localdate()
    since = add_months(today, -13)  # a 12-month follow-up a month overdue is still asked for
    ended = (
        interventions.filter(method=Method.CTI, status=Intervention.Status.ENDED, end_date__gte=since)
        .select_related("citizen", "worker")
        .defer("citizen__cpr")
        .prefetch_related("housing_statuses")
    )
    due = []
    for intervention in ended:
        recorded = {status.checkpoint for status in intervention.housing_statuses.all()}
        for checkpoint, label in HousingStatus.Checkpoint.choices:
            day = checkpoint_date(intervention, checkpoint)
            if checkpoint not in recorded and day <= today:
                due.append({"intervention": intervention, "checkpoint": checkpoint, "label": label, "date": day})
    due.sort(key=lambda item: (item["date"], item["intervention"].pk))
    return due


def _last_end_due(today: datetime.date, months: int) -> datetime.date:
    """The latest end date whose checkpoint `months` after falls on or before today (add_months clamps,
    so 29-31 January + 1 month all fall on 28 February)."""
    day = add_months(today, -months)
    while add_months(day + datetime.timedelta(days=1), months) <= today:
        day += datetime.timedelta(days=1)
    return day


def due_housing_statuses_shown(interventions: QuerySet[Intervention], limit: int, today=None) -> tuple[list, int]:
    """The `limit` oldest housing statuses due (as `due_housing_statuses`) and how many are due in all.

    For the start page, which shows a few: counted and picked in the database (three queries, whatever the
    number of courses) instead of loading every ended course of the country with its statuses."""
    today = today or timezone.localdate()
    since = add_months(today, -13)
    ended = interventions.filter(method=Method.CTI, status=Intervention.Status.ENDED, end_date__gte=since).order_by()
    missing = {}
    for checkpoint, _label in HousingStatus.Checkpoint.choices:
        recorded = HousingStatus.objects.filter(intervention=OuterRef("pk"), checkpoint=checkpoint)
        missing[checkpoint] = Q(end_date__lte=_last_end_due(today, CHECKPOINT_MONTHS[checkpoint])) & ~Exists(recorded)
    counts = ended.aggregate(**{checkpoint: Count("pk", filter=due) for checkpoint, due in missing.items()})
    total = sum(counts.values())
    if not total:
        return [], 0
    # The oldest `limit` of each checkpoint (their dates follow the end dates), in one query.
    picks = [
        ended.filter(due)
        .annotate(checkpoint=Value(checkpoint, output_field=CharField()))
        .order_by("end_date", "pk")
        .values_list("pk", "checkpoint")[:limit]
        for checkpoint, due in missing.items()
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        chosen = list(picks[0].union(*picks[1:], all=True).order_by())
    else:  # SQLite (the demo's database) takes no LIMIT inside a UNION: a query per checkpoint there
        chosen = [row for pick in picks for row in pick]
    courses = (
        interventions.model.objects.select_related("citizen", "worker")
        .defer("citizen__cpr")  # shown masked from the birth date: the start page never decrypts
        .in_bulk({pk for pk, _ in chosen})
    )
    labels = dict(HousingStatus.Checkpoint.choices)
    due = [
        {
            "intervention": courses[pk],
            "checkpoint": checkpoint,
            "label": labels[checkpoint],
            "date": checkpoint_date(courses[pk], checkpoint),
        }
        for pk, checkpoint in chosen
    ]
    due.sort(key=lambda item: (item["date"], item["intervention"].pk))
    return due[:limit], total


def outcome_rows(summary: OutcomeSummary) -> list[tuple[str, str, str]]:
    """(figure, value, the page's link key) with counts and unknowns, for the page, CSV, XLSX, PDF and the
    command."""
    from interventions.reporting import number, part_of

    def home(figure: HomeFigure) -> str:
        return ngettext(
            "%(part)s in their own home · %(unknown)s unknown of %(n)s",
            "%(part)s in their own home · %(unknown)s unknown of %(n)s",
            figure.unknown,
        ) % {
            "part": part_of(figure.own_home, figure.known),
            "unknown": figure.unknown,
            "n": figure.n,
        }

    return [
        (_("In their own home at the end of CTI"), home(summary.at_end), "at_end"),
        (_("In their own home 12 months after CTI"), home(summary.after_12), "after_12"),
        (
            _("Temporary returns to the shelter during support"),
            _("%(returns)s returns by %(citizens)s citizens · mean %(days)s days")
            % {
                "returns": summary.returns,
                "citizens": len(summary.return_citizens),
                "days": number(summary.mean_return_days),
            },
            "returns",
        ),
        (
            _("Days from shelter move-out to first contact"),
            ngettext(
                "median %(days)s days (n = %(n)s) · %(unknown)s unknown",
                "median %(days)s days (n = %(n)s) · %(unknown)s unknown",
                summary.shelter_unknown,
            )
            % {
                "days": number(summary.median_shelter_days),
                "n": len(summary.shelter_days),
                "unknown": summary.shelter_unknown,
            },
            "shelter",
        ),
        (_("Courses ended"), str(summary.ended), "ended"),
    ] + [
        (_("Ended: %(reason)s") % {"reason": label}, str(summary.end_reasons.get(reason, 0)), "")
        for reason, label in Intervention.EndReason.choices
    ]


def outcome_tables(measurement: OutcomeMeasurement) -> list:
    """The figures with one column per group and one for all, then the courses counted."""
    from interventions.reporting import Table

    columns = [outcome_rows(summary) for _name, summary in measurement.groups]
    total = outcome_rows(measurement.total)
    header = [_("Figure")] + [str(name) for name, _summary in measurement.groups] + [_("All")]
    rows = [
        [label] + [column[index][1] for column in columns] + [value]
        for index, (label, value, _link) in enumerate(total)
    ]
    courses = [
        [
            intervention.citizen.full_name,
            intervention.method,
            intervention.citizen.team.name,
            intervention.citizen.paying_municipality.name,
            intervention.start_date.strftime("%d.%m.%Y"),
            intervention.end_date.strftime("%d.%m.%Y") if intervention.end_date else "",
            intervention.get_end_reason_display(),
            ", ".join(
                f"{s.get_checkpoint_display()}: {s.get_status_display()}" for s in intervention.housing_statuses.all()
            ),
        ]
        for intervention in measurement.courses
    ]
    return [
        Table(_("Outcomes"), header, rows),
        Table(
            _("Courses"),
            [
                _("Citizen"),
                _("Method"),
                _("Team"),
                _("Paying municipality"),
                _("Start date"),
                _("End date"),
                _("End reason"),
                _("Housing status"),
            ],
            courses,
        ),
    ]
