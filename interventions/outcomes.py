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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from housingfirst.models import Method
from interventions.fidelity import Period, attach_pauses, heavy_reads, rows_built, share
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


@dataclass(slots=True, eq=False)
class OutcomeCourse:
    """A course as the outcomes read it: plain values rather than an intervention with its citizen, team,
    municipality, statuses and pauses (14,000 of those at national scale cost seconds). The page, the
    exports and the tests read the same attributes as on an intervention."""

    pk: int
    citizen_id: int
    team_id: int
    team: str  # the team's name
    municipality_id: int | None
    municipality: str | None  # the paying municipality's name
    method: str
    status: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    citizen: str  # the citizen's full name
    shelter_stay_to: datetime.date | None
    first_contact: datetime.date | None
    statuses: dict = field(default_factory=dict)  # checkpoint -> status, in checkpoint order
    pauses: list = field(default_factory=list)  # PauseRow, in date order

    def get_absolute_url(self) -> str:
        return reverse("interventions:detail", args=[self.pk])

    def get_end_reason_display(self) -> str:
        return str(END_REASONS.get(self.end_reason, self.end_reason))


END_REASONS = dict(Intervention.EndReason.choices)


def add_course(summary: OutcomeSummary, course: OutcomeCourse, period: Period, today: datetime.date) -> None:
    """Count one course's outcomes into the summary (no queries: a plain row)."""
    statuses = course.statuses
    ended = course.status == Intervention.Status.ENDED and course.end_date
    if ended and period.start <= course.end_date <= period.end:
        summary.ended += 1
        summary.end_reasons[course.end_reason] = summary.end_reasons.get(course.end_reason, 0) + 1
        if course.method == Method.CTI:
            summary.at_end.count(statuses.get(HousingStatus.Checkpoint.END))
    if ended and course.method == Method.CTI:
        due = checkpoint_date(course, HousingStatus.Checkpoint.MONTHS_12)
        if period.start <= due <= min(period.end, today):
            summary.after_12.count(statuses.get(HousingStatus.Checkpoint.MONTHS_12))
    for pause in course.pauses:
        if pause.reason == Pause.Reason.SHELTER and period.start <= pause.from_date <= period.end:
            summary.returns += 1
            summary.return_citizens.add(course.citizen_id)
            summary.return_days.append(pause.length_days(today))
    if period.start <= course.start_date <= period.end:
        summary.started += 1
        left = course.shelter_stay_to
        first = course.first_contact
        if left and first:
            summary.shelter_days.append((first - left).days)
        else:
            summary.shelter_unknown += 1


GROUPINGS = {
    "team": (lambda c: c.team_id, lambda c: c.team),
    "method": (lambda c: c.method, lambda c: c.method),
    "municipality": (lambda c: c.municipality_id, lambda c: c.municipality),
}


@dataclass
class OutcomeMeasurement:
    period: Period
    total: OutcomeSummary
    groups: list  # (name, OutcomeSummary), by the chosen grouping
    courses: list  # the courses read (OutcomeCourse), for the list of courses behind a figure


def outcome_courses(interventions: QuerySet[Intervention], period: Period) -> QuerySet[Intervention]:
    """The courses the period's figures may count: running in it, or ended in the 12 months before it (a
    course that ended then has its 12-month follow-up in the period)."""
    since = add_months(period.start, -12)
    return (
        interventions.exclude(status=Intervention.Status.PLANNED)
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
    )


def course_rows(scoped: QuerySet[Intervention]) -> list[OutcomeCourse]:
    """One plain row per course with its first contact (an index lookup per course, not a join over every
    visit ever logged), then the housing statuses and the pauses of all of them: 3 queries, whatever the
    number of courses; the CPR number is never read."""
    first_contact = (
        Visit.objects.filter(intervention=OuterRef("pk"))
        .exclude(kind=Visit.Kind.ATTEMPTED_CONTACT)
        .order_by("date")
        .values("date")[:1]
    )
    rows = (
        scoped.annotate(first_contact=Subquery(first_contact, output_field=DateField()))
        .order_by("citizen__last_name", "citizen__first_name", "pk")
        .values_list(
            "pk",
            "citizen_id",
            "citizen__team_id",
            "citizen__team__name",
            "citizen__paying_municipality_id",
            "citizen__paying_municipality__name",
            "method",
            "status",
            "start_date",
            "end_date",
            "end_reason",
            "citizen__first_name",
            "citizen__last_name",
            "citizen__shelter_stay_to",
            "first_contact",
        )
    )
    courses = []
    by_pk = {}
    for (pk, citizen_id, team_id, team, municipality_id, municipality, method, status, start, end, reason, first,
         last, shelter_to, contact) in rows:  # fmt: skip
        course = OutcomeCourse(pk, citizen_id, team_id, team, municipality_id, municipality, method, status, start,
                               end, reason, f"{first} {last}", shelter_to, contact)  # fmt: skip
        courses.append(course)
        by_pk[pk] = course
    ids = scoped.order_by().values("pk")
    for pk, checkpoint, value in (
        HousingStatus.objects.filter(intervention__in=ids)
        .order_by("intervention", "checkpoint")
        .values_list("intervention_id", "checkpoint", "status")
    ):
        by_pk[pk].statuses[checkpoint] = value
    attach_pauses(by_pk, ids)
    return courses


def measure_outcomes(
    interventions: QuerySet[Intervention], period: Period, *, by: str = "team", today=None
) -> OutcomeMeasurement:
    """Every outcome figure, in total and per group, in 3 queries (4 with the transaction's settings)."""
    today = today or timezone.localdate()
    key_of, name_of = GROUPINGS[by]
    total = OutcomeSummary()
    groups = {}
    names = {}
    with heavy_reads(), rows_built():
        courses = course_rows(outcome_courses(interventions, period))
    with rows_built():
        for course in courses:
            add_course(total, course, period, today)
            key = key_of(course)
            names[key] = name_of(course)
            add_course(groups.setdefault(key, OutcomeSummary()), course, period, today)
    ordered = sorted(groups.items(), key=lambda item: str(names[item[0]]))
    return OutcomeMeasurement(period, total, [(names[key], summary) for key, summary in ordered], courses)


def courses_behind(measurement: OutcomeMeasurement, figure: str, today=None) -> list[OutcomeCourse]:
    """The courses a figure counts (the page's links from each figure)."""
    today = today or timezone.localdate()
    period = measurement.period
    chosen = []
    for course in measurement.courses:
        probe = OutcomeSummary()
        add_course(probe, course, period, today)
        counted = {
            "at_end": probe.at_end.n,
            "after_12": probe.after_12.n,
            "returns": probe.returns,
            "ended": probe.ended,
            "shelter": probe.started,
        }.get(figure, 0)
        if counted:
            chosen.append(course)
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


def outcome_group_table(measurement: OutcomeMeasurement):
    """The figures with one column per group and one for all (the page shows this one)."""
    from interventions.reporting import Table

    columns = [outcome_rows(summary) for _name, summary in measurement.groups]
    total = outcome_rows(measurement.total)
    header = [_("Figure")] + [str(name) for name, _summary in measurement.groups] + [_("All")]
    rows = [
        [label] + [column[index][1] for column in columns] + [value]
        for index, (label, value, _link) in enumerate(total)
    ]
    return Table(_("Outcomes"), header, rows)


def outcome_tables(measurement: OutcomeMeasurement) -> list:
    """The figures with one column per group and one for all, then the courses counted (the files)."""
    from interventions.reporting import Table

    checkpoints = dict(HousingStatus.Checkpoint.choices)
    labels = dict(HousingStatus.Status.choices)
    courses = [
        [
            course.citizen,
            course.method,
            course.team,
            course.municipality,
            course.start_date.strftime("%d.%m.%Y"),
            course.end_date.strftime("%d.%m.%Y") if course.end_date else "",
            course.get_end_reason_display(),
            ", ".join(f"{checkpoints[point]}: {labels.get(value, value)}" for point, value in course.statuses.items()),
        ]
        for course in measurement.courses
    ]
    return [
        outcome_group_table(measurement),
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
