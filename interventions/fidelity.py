"""Method fidelity measured from the record: every figure of the fidelity page, report and command.

One place computes each figure. `measure()` reads what it needs in a fixed number of queries (the
courses with their transitions and pauses, the visits of the period summed per course and day, the
supervision attendance, the workers), whatever the number of courses; the rest are plain functions
over those rows, so the tests can assert each figure exactly.

Definitions (the method's expectation is beside each figure on the page):
- A course is in the period when it ran on at least one day of it; planned courses have not started.
- Contact is a visit or call of any kind but "attempted contact"; attempts are counted apart.
- Days in a pause (from its first day up to, not including, its end day) are left out of the contact
  windows, the gaps and the minutes per week: the citizen was at the shelter, in hospital or in prison.
- The contact rhythm is the phase template's (`phases.contact_rhythm_days`): a phase's days in the
  period are cut into windows of that many days from the phase's first day; a window is met when it
  holds a contact. A last window shorter than the rhythm is not counted: it has not had its chance yet.
- The longest gap is the longest run of days without contact inside a phase (pauses cut the run).
"""

import datetime
import gc
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, Count, DateField, Func, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housingfirst import roles
from housingfirst.models import Method, User
from interventions.caseload import Load
from interventions.models import (
    Intervention,
    Pause,
    Phase,
    PhaseTemplate,
    PhaseTransition,
    SupervisionMeeting,
    Visit,
    pause_length_days,
)
from interventions.phases import add_months, planned_starts

ONE_DAY = datetime.timedelta(days=1)
# "Support from the first day in the new home" (DOMAIN.md): the worker is there on the day or the next.
FIRST_CONTACT_WITHIN_DAYS = 1
FIRST_MONTH_CONTACTS = 2
# Ending for one of these is the course doing its work, not a drop-out.
NOT_DROP_OUT = (Intervention.EndReason.GOALS_MET, Intervention.EndReason.METHOD_CHANGE)
CTI_PHASES = [Phase.CONTACT, Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3]
PHASE_LABELS = dict(Phase.choices)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    def months(self) -> list[datetime.date]:
        """First days of the calendar months the period touches."""
        month = self.start.replace(day=1)
        months = []
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def quarter_of(day: datetime.date) -> Period:
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_months(first, 3) - ONE_DAY)


def share(part: int, whole: int) -> Decimal | None:
    """Per cent with one decimal, or None when there is nothing to divide (never a bare 0 %)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- One course ---------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class PauseRow:
    from_date: datetime.date
    to_date: datetime.date | None
    reason: str

    def length_days(self, today) -> int:
        return pause_length_days(self.from_date, self.to_date, today)


@dataclass(slots=True, eq=False)
class Course:
    """A course as fidelity reads it: plain values rather than a model instance with its citizen, team and
    worker (13,000 of those at national scale would cost more than the page may). The page, the exports and
    the tests read the same attributes as on an intervention."""

    pk: int
    citizen_id: int
    team_id: int
    worker_id: int | None
    method: str
    status: str
    start_date: datetime.date
    end_date: datetime.date | None
    end_reason: str
    citizen: str  # the citizen's full name
    worker: str | None  # the worker's name as the app shows a user
    first_contact: datetime.date | None
    first_month_contacts: int
    transitions: dict = field(default_factory=dict)  # phase -> the day it was recorded
    pauses: list = field(default_factory=list)  # PauseRow, in date order
    # (from the day, worker id) each time the course got another worker, from its history; empty: the worker
    # it has now carried it from its start (a course written in bulk has no history)
    assignments: list = field(default_factory=list)

    def get_absolute_url(self) -> str:
        return reverse("interventions:detail", args=[self.pk])

    def carried(self) -> list[tuple[int, datetime.date, datetime.date]]:
        """(worker id, first day, last day) of each stretch a worker carried the course."""
        assignments = self.assignments or [(self.start_date, self.worker_id)]
        stretches = []
        for index, (day, worker_id) in enumerate(assignments):
            first = max(day, self.start_date) if index else self.start_date
            last = assignments[index + 1][0] - ONE_DAY if index + 1 < len(assignments) else datetime.date.max
            if worker_id is not None and first <= last:
                stretches.append((worker_id, first, last))
        return stretches

    def get_end_reason_display(self) -> str:
        return str(Intervention.EndReason(self.end_reason).label) if self.end_reason else ""


@dataclass(slots=True)
class PhaseFigures:
    """Contact frequency and intensity in one CTI phase (or the whole ICM/ACT course) within the period."""

    rhythm_days: int = 0
    days: int = 0
    windows: int = 0
    windows_met: int = 0
    longest_gap: int = 0
    contacts: int = 0
    attempts: int = 0
    minutes: int = 0

    @property
    def minutes_per_week(self) -> Decimal | None:
        if self.days < 7:
            return None  # less than a week says nothing about intensity
        return (Decimal(self.minutes) * 7 / Decimal(self.days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def gap_met(self) -> bool:
        return self.longest_gap < self.rhythm_days

    def add(self, other: "PhaseFigures") -> None:
        self.rhythm_days = other.rhythm_days or self.rhythm_days
        self.days += other.days
        self.windows += other.windows
        self.windows_met += other.windows_met
        self.longest_gap = max(self.longest_gap, other.longest_gap)
        self.contacts += other.contacts
        self.attempts += other.attempts
        self.minutes += other.minutes


@dataclass(slots=True)
class CourseFidelity:
    intervention: Course
    phases: dict = field(default_factory=dict)  # phase (or method) -> PhaseFigures
    started_in_period: bool = False
    days_to_first_contact: int | None = None
    first_month_contacts: int = 0
    transitions: list = field(default_factory=list)  # (phase, label, planned, actual, days late)
    planned_end: datetime.date | None = None
    past_planned_end: bool = False
    ended_in_period: bool = False
    drop_out: bool = False
    rising_intensity: bool = False
    flags: set = field(default_factory=set)

    @property
    def first_contact_met(self) -> bool:
        return self.days_to_first_contact is not None and self.days_to_first_contact <= FIRST_CONTACT_WITHIN_DAYS

    @property
    def first_month_met(self) -> bool:
        return self.first_month_contacts >= FIRST_MONTH_CONTACTS

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAGS[flag]) for flag in FLAGS if flag in self.flags]

    def _rising_intensity(self) -> bool:
        """A later CTI phase had more minutes per week (to the tenth, as shown) than an earlier one."""
        rates = []
        for phase in (Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3):
            figures = self.phases.get(phase)
            if figures is not None and figures.days >= 7:
                # Minutes per week in tenths, rounded half up: the shown figure, in integers.
                rates.append((figures.minutes * 140 + figures.days) // (2 * figures.days))
        return any(later > earlier for index, earlier in enumerate(rates) for later in rates[index + 1 :])


def course_fidelity(
    course: Course, phases: dict, period: Period, template: PhaseTemplate, today: datetime.date
) -> CourseFidelity:
    """Every fidelity figure of one course in the period, from its row and its contact figures per phase
    (computed in the database by `contact_figures`); no queries."""
    result = CourseFidelity(intervention=course, phases=phases)
    if any(f.windows_met < f.windows or not f.gap_met for f in phases.values()):
        result.flags.add("contact")

    last_day = min(period.end, today)
    result.started_in_period = period.start <= course.start_date <= last_day
    first_contact = course.first_contact
    result.days_to_first_contact = (first_contact - course.start_date).days if first_contact else None
    result.first_month_contacts = course.first_month_contacts
    if result.started_in_period:
        if not result.first_contact_met:
            result.flags.add("first_contact")
        if not result.first_month_met and add_months(course.start_date, 1) <= today:
            result.flags.add("first_month")

    if course.method == Method.CTI:
        result.rising_intensity = result._rising_intensity()
        if result.rising_intensity:
            result.flags.add("intensity")
        planned = planned_starts(course.start_date, template, course.pauses, today)
        # A transition counts in the period it was recorded in, so each is counted in one quarter.
        for phase, planned_start in zip((Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3), planned, strict=False):
            actual = course.transitions.get(phase)
            if actual is None or not period.start <= actual <= last_day:
                continue
            late = (actual - planned_start).days
            result.transitions.append((phase, PHASE_LABELS[phase], planned_start, actual, late))
            if late > 0:
                result.flags.add("timing")
        result.planned_end = planned[3]
        # Judged on the period's last day (or the end): a course cannot be late in a quarter before its end.
        result.past_planned_end = min(course.end_date or today, last_day) > result.planned_end
        if result.past_planned_end:
            result.flags.add("past_end")
        ended = course.status == Intervention.Status.ENDED and course.end_date
        result.ended_in_period = bool(ended and period.start <= course.end_date <= period.end)
        result.drop_out = bool(
            result.ended_in_period and course.end_date < result.planned_end and course.end_reason not in NOT_DROP_OUT
        )
        if result.drop_out:
            result.flags.add("drop_out")
    return result


# --- Caseload per worker-month -------------------------------------------------------------------


@dataclass
class WorkerMonth:
    worker_id: int
    month: datetime.date
    load: Load
    units: Fraction | None = None  # the load's, when not given
    over: bool = False

    def __post_init__(self):
        # Read thousands of times over a national page: the exact fraction once.
        if self.units is None:
            self.units = self.load.units
        self.over = self.units > 1


def worker_months(courses: list[Course], period: Period, today: datetime.date) -> list[WorkerMonth]:
    """A course counts in a month for each worker who carried it on a day of that month while it ran
    (`Course.carried`, from the course's history): the month's load is all the citizens the worker carried.
    A course handed over mid-month counts for both workers that month."""
    counts = defaultdict(lambda: {Method.CTI: 0, Method.ICM: 0, Method.ACT: 0})
    months = [
        (month, max(month, period.start), min(add_months(month, 1) - ONE_DAY, period.end)) for month in period.months()
    ]
    for course in courses:
        ran_until = course.end_date or datetime.date.max
        carried = course.carried()
        for month, first, last in months:
            if course.start_date > last or ran_until < first:
                continue
            counted = set()
            for worker_id, carried_from, carried_until in carried:
                if worker_id not in counted and carried_from <= last and carried_until >= first:
                    counted.add(worker_id)
                    counts[(worker_id, month)][course.method] += 1
    loads = {}  # a few dozen different loads among thousands of worker-months: each one's fraction once

    def load_of(n: dict) -> tuple[Load, Fraction]:
        key = (n[Method.CTI], n[Method.ICM], n[Method.ACT])
        if key not in loads:
            load = Load(cti=key[0], icm=key[1], act=key[2])
            loads[key] = (load, load.units)
        return loads[key]

    return [
        WorkerMonth(worker_id, month, *load_of(n))
        for (worker_id, month), n in sorted(counts.items(), key=lambda item: (item[0][1], item[0][0]))
    ]


# --- Summaries --------------------------------------------------------------------------------------


@dataclass
class Summary:
    """The figures of a group of courses (a team, a worker, everything) in the period."""

    courses: int = 0
    worker_months: int = 0
    worker_months_over: int = 0
    started: int = 0
    first_contact_met: int = 0
    first_month_met: int = 0
    no_contact_yet: int = 0
    days_to_first: list = field(default_factory=list)
    phases: dict = field(default_factory=dict)
    rising: int = 0
    cti_courses: int = 0
    transitions: int = 0
    transitions_late: int = 0
    days_late_total: int = 0
    past_end: int = 0
    ended: int = 0
    end_reasons: dict = field(default_factory=dict)
    drop_outs: int = 0
    supervision_expected: int = 0
    supervision_attended: int = 0
    supervision_workers: int = 0
    supervision_workers_met: int = 0

    @property
    def worker_months_over_share(self):
        return share(self.worker_months_over, self.worker_months)

    @property
    def first_contact_share(self):
        return share(self.first_contact_met, self.started)

    @property
    def first_month_share(self):
        return share(self.first_month_met, self.started)

    @property
    def median_days_to_first(self):
        values = sorted(self.days_to_first)
        if not values:
            return None
        middle = len(values) // 2
        return Decimal(values[middle]) if len(values) % 2 else Decimal(values[middle - 1] + values[middle]) / 2

    @property
    def transitions_late_share(self):
        return share(self.transitions_late, self.transitions)

    @property
    def mean_days_late(self):
        if not self.transitions:
            return None
        return (Decimal(self.days_late_total) / self.transitions).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def drop_out_share(self):
        return share(self.drop_outs, self.ended)

    @property
    def supervision_share(self):
        return share(self.supervision_workers_met, self.supervision_workers)

    def add_course(self, course: CourseFidelity) -> None:
        self.courses += 1
        if course.started_in_period:
            self.started += 1
            self.first_contact_met += course.first_contact_met
            self.first_month_met += course.first_month_met
            if course.days_to_first_contact is None:
                self.no_contact_yet += 1
            else:
                self.days_to_first.append(course.days_to_first_contact)
        for key, figures in course.phases.items():
            mine = self.phases.get(key)
            if mine is None:
                mine = self.phases[key] = PhaseFigures(rhythm_days=figures.rhythm_days)
            mine.add(figures)
        intervention = course.intervention
        if intervention.method != Method.CTI:
            return
        self.cti_courses += 1
        self.rising += course.rising_intensity
        for _phase, _label, _planned, _actual, late in course.transitions:
            self.transitions += 1
            self.transitions_late += late > 0
            self.days_late_total += late
        self.past_end += course.past_planned_end
        if course.ended_in_period:
            self.ended += 1
            self.end_reasons[intervention.end_reason] = self.end_reasons.get(intervention.end_reason, 0) + 1
            self.drop_outs += course.drop_out

    def merge(self, other: "Summary") -> None:
        """Add another group's figures: the same as adding its courses, months and attendance one by one
        (the national page sums a summary per team and worker into the teams, the workers and all)."""
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_to_first += other.days_to_first
        for key, figures in other.phases.items():
            mine = self.phases.get(key)
            if mine is None:
                mine = self.phases[key] = PhaseFigures(rhythm_days=figures.rhythm_days)
            mine.add(figures)
        for reason, n in other.end_reasons.items():
            self.end_reasons[reason] = self.end_reasons.get(reason, 0) + n

    def add_month(self, month: "WorkerMonth") -> None:
        self.worker_months += 1
        self.worker_months_over += month.over

    def add_attendance(self, row: dict) -> None:
        self.supervision_workers += 1
        self.supervision_expected += row["expected"]
        self.supervision_attended += row["attended"]
        self.supervision_workers_met += row["attended"] >= row["expected"]

    def phase_rows(self):
        """Phases in method order, with their share of windows met and expectation."""
        order = {**{p: i for i, p in enumerate(CTI_PHASES)}, Method.ICM: 10, Method.ACT: 11}
        rows = []
        for key in sorted(self.phases, key=lambda key: order.get(key, 99)):
            figures = self.phases[key]
            label = Phase(key).label if key in Phase.values else key
            rows.append(
                {"key": key, "label": label, "figures": figures, "share": share(figures.windows_met, figures.windows)}
            )
        return rows

    def end_reason_rows(self):
        return [
            {"reason": reason, "label": label, "count": self.end_reasons.get(reason, 0)}
            for reason, label in Intervention.EndReason.choices
        ]


# The Summary fields that are counts: merged by adding.
_SUMMED = [f.name for f in fields(Summary) if f.type is int]


def summarise(courses: list[CourseFidelity], months: list[WorkerMonth], attendance: list[dict]) -> Summary:
    summary = Summary()
    for course in courses:
        summary.add_course(course)
    for month in months:
        summary.add_month(month)
    for row in attendance:
        summary.add_attendance(row)
    return summary


# --- Reading the record ---------------------------------------------------------------------------


CONTACT_Q = ~Q(kind=Visit.Kind.ATTEMPTED_CONTACT)


class _PlusOneMonth(Func):
    """PostgreSQL's `date + interval '1 month'` clamps to the month's end, as `phases.add_months` does."""

    template = "((%(expressions)s) + interval '1 month')::date"
    output_field = DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite's '+1 month' runs over (31.01 → 02.03); the month's last day caps it, as on PostgreSQL.
        return self.as_sql(
            compiler,
            connection,
            template=(
                "min(date(%(expressions)s, '+1 month'), date(%(expressions)s, 'start of month', '+2 months', '-1 day'))"
            ),
            **extra_context,
        )


def scope(interventions: QuerySet[Intervention], period: Period) -> QuerySet[Intervention]:
    """The courses that ran in the period: started by its end, not ended before it, not planned."""
    return (
        interventions.exclude(status=Intervention.Status.PLANNED)
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
    )


def attach_pauses(by_pk: dict, ids) -> None:
    """Each course's pauses as PauseRow, in date order, onto the plain rows of `by_pk` (one query)."""
    for pk, start, end, reason in (
        Pause.objects.filter(intervention__in=ids)
        .order_by("from_date", "pk")
        .values_list("intervention_id", "from_date", "to_date", "reason")
    ):
        by_pk[pk].pauses.append(PauseRow(start, end, reason))


def course_rows(scoped: QuerySet[Intervention], period: Period | None = None) -> list[Course]:
    """One row per course with its first contact and its contacts in the first month (an index lookup per
    course rather than a join over every visit ever logged), then its transitions, pauses and changes of
    worker: 4 queries.

    Given the period, the first month's contacts are counted only for the courses that started in it (the
    only ones the figure and the flag read; the others show 0): a lookup saved for seven courses in eight."""
    visits = Visit.objects.filter(CONTACT_Q, intervention=OuterRef("pk"))
    first_contact = visits.order_by("date").values("date")[:1]
    first_month = (
        visits.filter(date__lt=_PlusOneMonth(OuterRef("start_date")))
        .order_by()
        .values("intervention")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        scoped.annotate(
            first_contact=Subquery(first_contact, output_field=DateField()),
            first_month_contacts=(
                Coalesce(Subquery(first_month), 0)
                if period is None
                else Case(
                    When(start_date__range=(period.start, period.end), then=Coalesce(Subquery(first_month), 0)),
                    default=Value(0),
                )
            ),
        )
        .order_by("citizen__last_name", "citizen__first_name", "pk")
        .values_list(
            "pk",
            "citizen_id",
            "citizen__team_id",
            "worker_id",
            "method",
            "status",
            "start_date",
            "end_date",
            "end_reason",
            "citizen__first_name",
            "citizen__last_name",
            "worker__first_name",
            "worker__last_name",
            "worker__username",
            "first_contact",
            "first_month_contacts",
        )
    )
    courses = []
    by_pk = {}
    for (pk, citizen_id, team_id, worker_id, method, status, start, end, reason, first, last, w_first, w_last,
         w_user, contact, month) in rows:  # fmt: skip
        worker = (f"{w_first} {w_last}".strip() or w_user) if worker_id else None
        course = Course(pk, citizen_id, team_id, worker_id, method, status, start, end, reason, f"{first} {last}",
                        worker, contact, month)  # fmt: skip
        courses.append(course)
        by_pk[pk] = course
    ids = scoped.order_by().values("pk")
    for pk, phase, day in PhaseTransition.objects.filter(intervention__in=ids).values_list(
        "intervention_id", "phase", "date"
    ):
        by_pk[pk].transitions[phase] = day
    attach_pauses(by_pk, ids)
    # Who carried the course when: its history rows, kept where the worker changed. The worker it had at the
    # end of the day it was registered carried it from its start (a course is registered, then assigned, in
    # two saves; a late registration backdates both). A course with no history keeps its worker from its start.
    for pk, day, worker_id in (
        Intervention.history.filter(id__in=ids)
        .annotate(day=TruncDate("history_date"))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "day", "worker_id")
    ):
        assignments = by_pk[pk].assignments
        if not assignments or (len(assignments) == 1 and assignments[0][0] == day):
            assignments[:] = [(day, worker_id)]
        elif assignments[-1][1] != worker_id:
            assignments.append((day, worker_id))
    return courses


# The contact windows of every course, in the database (one query): each course's days in the period are
# cut at its phase transitions and pauses into runs of one phase, paused days left out; each run is cut
# into windows of the phase's rhythm from its first day (a last window shorter than the rhythm is not
# counted); the visits are summed per day, and per run come the windows with a contact, the longest run
# of days without contact, and the contacts, attempts and minutes. The same rules as the module's
# docstring; {placeholders} are the few spellings where PostgreSQL and SQLite differ.
# The gap and the new window of a contact are read from the latest contact before it in the run (the
# running maximum of the contacts' dates and windows, the rows in date order): one sort of the run's visits,
# attempts in place, where a window per kind sorted them by kind too.
# A course with no transition inside its days and no pause touching them ("plain", most of them) is one run
# from its first day to its last, in the phase it was in on the first day: it skips the cutting (0.1 s of
# the national page when every course went through it).
CONTACT_SQL = """
WITH c AS (
    SELECT i.id, i.method, {greatest}(i.start_date, :ps) AS ws,
           {next}({least}(COALESCE(i.end_date, :today), :pe, :today)) AS stop
    FROM interventions_intervention i
    WHERE {courses}
),
c1 AS (SELECT id, method, ws, stop FROM c WHERE ws < stop),
busy AS (
    SELECT t.intervention_id AS id FROM c1 JOIN interventions_phasetransition t ON t.intervention_id = c1.id
          WHERE t.date > c1.ws AND t.date < c1.stop
    UNION SELECT p.intervention_id FROM c1 JOIN interventions_pause p ON p.intervention_id = c1.id
          WHERE p.from_date < c1.stop AND COALESCE(p.to_date, {next}(:today)) > c1.ws
),
c2 AS (SELECT id, method, ws, stop FROM c1 WHERE id IN (SELECT id FROM busy)),
cuts AS (
    SELECT id, ws AS d FROM c2
    UNION SELECT id, stop FROM c2
    UNION SELECT c2.id, t.date FROM c2 JOIN interventions_phasetransition t ON t.intervention_id = c2.id
          WHERE t.date > c2.ws AND t.date < c2.stop
    UNION SELECT c2.id, p.from_date FROM c2 JOIN interventions_pause p ON p.intervention_id = c2.id
          WHERE p.from_date > c2.ws AND p.from_date < c2.stop
    UNION SELECT c2.id, COALESCE(p.to_date, {next}(:today)) FROM c2
          JOIN interventions_pause p ON p.intervention_id = c2.id
          WHERE COALESCE(p.to_date, {next}(:today)) > c2.ws AND COALESCE(p.to_date, {next}(:today)) < c2.stop
),
pieces AS (SELECT id, d AS first, LEAD(d) OVER (PARTITION BY id ORDER BY d) AS after FROM cuts),
live AS (
    SELECT pc.id, pc.first, pc.after,
           CASE WHEN c2.method = 'CTI' THEN COALESCE((
               SELECT t.phase FROM interventions_phasetransition t
               WHERE t.intervention_id = pc.id AND t.date <= pc.first
               ORDER BY t.date DESC, CASE t.phase WHEN 'contact' THEN 0 WHEN '1' THEN 1 WHEN '2' THEN 2 ELSE 3 END DESC
               LIMIT 1), 'contact') ELSE c2.method END AS phase
    FROM pieces pc JOIN c2 ON c2.id = pc.id
    WHERE pc.after IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM interventions_pause p WHERE p.intervention_id = pc.id
        AND p.from_date <= pc.first AND pc.first < COALESCE(p.to_date, {next}(:today)))
),
marked AS (
    SELECT id, first, after, phase,
           CASE WHEN LAG(phase) OVER w = phase AND LAG(after) OVER w = first THEN 0 ELSE 1 END AS brk
    FROM live WINDOW w AS (PARTITION BY id ORDER BY first)
),
runs AS (
    SELECT id, phase, first, after,
           SUM(brk) OVER (PARTITION BY id ORDER BY first ROWS UNBOUNDED PRECEDING) AS run
    FROM marked
),
seg AS (
    SELECT id, phase, MIN(first) AS first, MAX(after) AS after FROM runs GROUP BY id, phase, run
    UNION ALL
    SELECT c1.id, CASE WHEN c1.method = 'CTI' THEN COALESCE((
               SELECT t.phase FROM interventions_phasetransition t
               WHERE t.intervention_id = c1.id AND t.date <= c1.ws
               ORDER BY t.date DESC, CASE t.phase WHEN 'contact' THEN 0 WHEN '1' THEN 1 WHEN '2' THEN 2 ELSE 3 END DESC
               LIMIT 1), 'contact') ELSE c1.method END, c1.ws, c1.stop
    FROM c1 WHERE c1.id NOT IN (SELECT id FROM busy)
),
seg2 AS (
    SELECT id, phase, first, after,
           CASE phase WHEN 'ICM' THEN :icm WHEN 'ACT' THEN :act WHEN '2' THEN :r2 WHEN '3' THEN :r3 ELSE :r1 END
           AS rhythm,
           {days}(after, first) AS days
    FROM seg
),
hit AS (
    SELECT s.id, s.first, s.rhythm, s.days, v.date,
           CASE WHEN v.kind <> 'attempted_contact' THEN 1 ELSE 0 END AS contact, v.duration_minutes AS minutes,
           {days}(v.date, s.first) / s.rhythm AS win
    FROM seg2 s JOIN interventions_visit v ON v.intervention_id = s.id AND v.date >= s.first AND v.date < s.after
    WHERE v.date >= :ps AND v.date <= :pe
),
marks AS (
    SELECT id, first, date, contact, minutes,
           {days}(date, COALESCE(MAX(CASE WHEN contact = 1 THEN date END) OVER c, {prev}(first))) - 1 AS gap,
           CASE WHEN win < days / rhythm AND COALESCE(MAX(CASE WHEN contact = 1 THEN win END) OVER c, -1) <> win
                THEN 1 ELSE 0 END AS new_window
    FROM hit WINDOW c AS (PARTITION BY id, first ORDER BY date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
per_run AS (
    SELECT id, first, SUM(contact) AS contacts, SUM(1 - contact) AS attempts, SUM(contact * minutes) AS minutes,
           SUM(contact * new_window) AS met, MAX(CASE WHEN contact = 1 THEN gap END) AS gap,
           MAX(CASE WHEN contact = 1 THEN date END) AS last_contact
    FROM marks GROUP BY id, first
)
SELECT s.id, s.phase, MAX(s.rhythm), SUM(s.days), SUM(s.days / s.rhythm), SUM(COALESCE(r.met, 0)),
       MAX({greatest}(COALESCE(r.gap, 0), {days}(s.after, COALESCE(r.last_contact, {prev}(s.first))) - 1)),
       SUM(COALESCE(r.contacts, 0)), SUM(COALESCE(r.attempts, 0)), SUM(COALESCE(r.minutes, 0))
FROM seg2 s
LEFT JOIN per_run r ON r.id = s.id AND r.first = s.first
GROUP BY s.id, s.phase
"""


def _dialect_sql(vendor: str) -> str:
    """CONTACT_SQL in the database's spelling: date arithmetic and the two-argument min/max."""
    sql = CONTACT_SQL
    if vendor == "postgresql":
        sql = re.sub(r"\{next\}\(", "(1 + ", sql)
        sql = re.sub(r"\{prev\}\(", "(-1 + ", sql)
        sql = sql.replace("{greatest}", "GREATEST").replace("{least}", "LEAST")
        return _days(sql, lambda a, b: f"(({a}) - ({b}))")
    sql = sql.replace("{greatest}", "MAX").replace("{least}", "MIN")
    sql = _calls(sql, "{next}", lambda a: f"date({a}, '+1 day')")
    sql = _calls(sql, "{prev}", lambda a: f"date({a}, '-1 day')")
    return _days(sql, lambda a, b: f"CAST(julianday({a}) - julianday({b}) AS INTEGER)")


def _arguments(sql: str, open_at: int) -> tuple[list[str], int]:
    """The comma-separated arguments of the call whose "(" is at `open_at`, and the index after its ")"."""
    depth, start, args = 0, open_at + 1, []
    for index in range(open_at, len(sql)):
        char = sql[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                args.append(sql[start:index].strip())
                return args, index + 1
        elif char == "," and depth == 1:
            args.append(sql[start:index].strip())
            start = index + 1
    raise ValueError("unbalanced parentheses")


def _calls(sql: str, name: str, spell) -> str:
    while name + "(" in sql:
        at = sql.index(name + "(")
        args, after = _arguments(sql, at + len(name))
        sql = sql[:at] + spell(*args) + sql[after:]
    return sql


def _days(sql: str, spell) -> str:
    return _calls(sql, "{days}", spell)


def contact_figures(
    scoped: QuerySet[Intervention], period: Period, template: PhaseTemplate, today, pks: list | None = None
) -> dict:
    """{course pk: {phase (or ICM/ACT): PhaseFigures}} for the period, from one query. `pks`, the courses of
    `scoped` already read: on PostgreSQL they are passed as an array instead of running `scoped` again
    inside (its joins to the citizens cost 30 ms at national scale)."""
    sql = _dialect_sql(connection.vendor)
    values = {
        "ps": period.start,
        "pe": period.end,
        "today": today,
        "r1": template.contact_every_days_phase_1,
        "r2": template.contact_every_days_phase_2,
        "r3": template.contact_every_days_phase_3,
        "icm": template.icm_contact_every_days,
        "act": template.act_contact_every_days,
    }
    if pks is not None and connection.vendor == "postgresql":
        if not pks:
            return {}
        inner_sql, inner_params = "i.id = ANY(%s)", [list(pks)]
    else:
        try:
            inner_sql, inner_params = scoped.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # no team to read: nothing to measure
            return {}
        inner_sql = f"i.id IN ({inner_sql})"
    head, tail = sql.split("{courses}")
    params = []

    def bind(text: str) -> str:
        def one(match):
            params.append(values[match.group(1)])
            return "%s"

        return re.sub(r":(ps|pe|today|r1|r2|r3|icm|act)\b", one, text)

    head = bind(head)
    params += list(inner_params)
    tail = bind(tail)
    figures = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(head + inner_sql + tail, params)
        for pk, phase, rhythm, days, windows, met, gap, contacts, attempts, minutes in cursor.fetchall():
            figures[pk][phase] = PhaseFigures(
                rhythm_days=rhythm,
                days=days,
                windows=windows,
                windows_met=met,
                longest_gap=gap,
                contacts=contacts,
                attempts=attempts,
                minutes=minutes,
            )
    return figures


def supervision_attendance(team_ids, period: Period, template: PhaseTemplate, today: datetime.date) -> list[dict]:
    """Per support worker of the teams: method supervisions attended against the expected number."""
    end = min(period.end, today)
    expected = max((end - period.start).days + 1, 0) // template.supervision_every_days
    workers = (
        User.objects.filter(team_id__in=team_ids, is_active=True, groups__name=roles.SUPPORT_WORKER)
        .annotate(
            attended=Count(
                "meetings_attended",
                filter=Q(
                    meetings_attended__kind=SupervisionMeeting.Kind.SUPERVISION,
                    meetings_attended__date__range=(period.start, end),
                ),
                distinct=True,
            )
        )
        .order_by("first_name", "last_name", "username")
        .distinct()
    )
    return [
        {"worker": worker, "team_id": worker.team_id, "attended": worker.attended, "expected": expected}
        for worker in workers
    ]


@dataclass
class Measurement:
    period: Period
    template: PhaseTemplate
    courses: list[CourseFidelity]
    months: list[WorkerMonth]
    attendance: list[dict]
    today: datetime.date
    workers: dict = field(default_factory=dict)  # pk -> User, every worker of a course or of the teams
    _summaries: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        """Every summary the pages read (all, per team, per worker) in one pass over the courses."""
        # Each course is added once, to its team and worker's summary; those are then merged into the team,
        # the worker and all (a thousand merges instead of adding 13,000 courses three times).
        pairs = defaultdict(Summary)
        for course in self.courses:
            row = course.intervention
            pairs[(row.team_id, row.worker_id)].add_course(course)
        everything = Summary()
        teams, workers = defaultdict(Summary), defaultdict(Summary)
        team_workers = defaultdict(set)
        for (team_id, worker_id), pair in pairs.items():
            everything.merge(pair)
            teams[team_id].merge(pair)
            workers[worker_id].merge(pair)
            team_workers[team_id].add(worker_id)
        months = defaultdict(list)
        for month in self.months:
            months[month.worker_id].append(month)
            everything.add_month(month)
            workers[month.worker_id].add_month(month)
        for team_id, members in team_workers.items():
            for worker_id in members:
                for month in months.get(worker_id, ()):
                    teams[team_id].add_month(month)
        for row in self.attendance:
            everything.add_attendance(row)
            teams[row["team_id"]].add_attendance(row)
            workers[row["worker"].pk].add_attendance(row)
        self._summaries = {"all": everything, "team": teams, "worker": workers, "months": months}
        self._attendance = {row["worker"].pk: row for row in self.attendance}

    def summary(self, *, team_id=None, worker_id=None) -> Summary:
        if team_id is not None and worker_id is not None:
            courses = [
                c for c in self.courses if c.intervention.team_id == team_id and c.intervention.worker_id == worker_id
            ]
            return summarise(courses, self._summaries["months"].get(worker_id, []), [])
        if team_id is not None:
            return self._summaries["team"].get(team_id) or Summary()
        if worker_id is not None:
            return self._summaries["worker"].get(worker_id) or Summary()
        return self._summaries["all"]

    def attendance_of(self, worker_id) -> dict | None:
        return self._attendance.get(worker_id)

    def worker_rows(self, team_id=None) -> list[dict]:
        """Per worker: the caseload months over the cap, supervision attended and the course figures."""
        rows = []
        for worker in sorted(self.workers.values(), key=lambda w: (w.first_name, w.last_name, w.username)):
            if team_id is not None and worker.team_id != team_id:
                continue
            months = self._summaries["months"].get(worker.pk, [])
            rows.append(
                {
                    "worker": worker,
                    "months": months,
                    "max_load": max(months, key=lambda m: m.units).load if months else None,
                    "summary": self.summary(worker_id=worker.pk),
                }
            )
        return rows

    def flagged(self, flag: str | None) -> list[CourseFidelity]:
        if not flag:
            return self.courses
        return [course for course in self.courses if flag in course.flags]


FLAGS = {
    "first_contact": _("First contact later than the day after the start"),
    "first_month": _("Fewer than 2 contacts in the first month"),
    "contact": _("Contact windows missed or a gap longer than the rhythm"),
    "intensity": _("More minutes per week in a later phase"),
    "timing": _("Phase transition later than planned"),
    "past_end": _("Running past the planned end"),
    "drop_out": _("Ended before the planned end"),
}


@contextmanager
def heavy_reads():
    """PostgreSQL's JIT compiles the course query for longer than it runs (0.8 s of 1.2 s at national
    scale), and the contact query's sorts spill past the default working memory: both set for this
    transaction only."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


@contextmanager
def rows_built():
    """Python's cycle collector paused while tens of thousands of plain rows are built: none of them is part
    of a cycle, yet each full collection walks every object alive (0.1-0.2 s of a national page, at random
    points). Turned back on after, where it was on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def measure(interventions: QuerySet[Intervention], period: Period, *, team_ids, today=None) -> Measurement:
    """All fidelity figures for the courses of `interventions` (already limited to what the user may
    see) in the period: a fixed number of queries (8 or 9), whatever the number of courses."""
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    scoped = scope(interventions, period)
    with heavy_reads(), rows_built():
        rows = course_rows(scoped, period)
        figures = contact_figures(scoped, period, template, today, pks=[row.pk for row in rows])
    with rows_built():
        courses = [course_fidelity(row, figures.get(row.pk, {}), period, template, today) for row in rows]
        months = worker_months(rows, period, today)
    attendance = supervision_attendance(team_ids, period, template, today)
    workers = {row["worker"].pk: row["worker"] for row in attendance}
    missing = {row.worker_id for row in rows if row.worker_id and row.worker_id not in workers}
    if missing:
        workers.update({user.pk: user for user in User.objects.filter(pk__in=missing)})
    with rows_built():
        return Measurement(
            period=period,
            template=template,
            courses=courses,
            months=months,
            attendance=attendance,
            today=today,
            workers=workers,
        )
