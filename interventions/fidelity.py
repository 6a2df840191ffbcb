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
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateField, F, Func, Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housingfirst import roles
from housingfirst.models import Method, User
from interventions.caseload import Load
from interventions.models import Intervention, Phase, PhaseTemplate, SupervisionMeeting, Visit
from interventions.phases import add_months, contact_rhythm_days, cti_timeline, phase_on

ONE_DAY = datetime.timedelta(days=1)
# "Support from the first day in the new home" (DOMAIN.md): the worker is there on the day or the next.
FIRST_CONTACT_WITHIN_DAYS = 1
FIRST_MONTH_CONTACTS = 2
# Ending for one of these is the course doing its work, not a drop-out.
NOT_DROP_OUT = (Intervention.EndReason.GOALS_MET, Intervention.EndReason.METHOD_CHANGE)
CTI_PHASES = [Phase.CONTACT, Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3]


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


@dataclass
class DayRow:
    date: datetime.date
    contacts: int
    attempts: int
    minutes: int


@dataclass
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


@dataclass
class CourseFidelity:
    intervention: Intervention
    phases: dict = field(default_factory=dict)  # phase (or method) -> PhaseFigures
    started_in_period: bool = False
    days_to_first_contact: int | None = None
    first_month_contacts: int = 0
    transitions: list = field(default_factory=list)  # (phase, label, planned, actual, days late)
    planned_end: datetime.date | None = None
    past_planned_end: bool = False
    ended_in_period: bool = False
    drop_out: bool = False
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

    @property
    def rising_intensity(self) -> bool:
        """A later CTI phase had more minutes per week than an earlier one."""
        rates = [
            self.phases[p].minutes_per_week for p in (Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3) if p in self.phases
        ]
        rates = [rate for rate in rates if rate is not None]
        return any(later > earlier for index, earlier in enumerate(rates) for later in rates[index + 1 :])


def _paused_on(pauses, day: datetime.date, today: datetime.date) -> bool:
    return any(p.from_date <= day < (p.to_date or today + ONE_DAY) for p in pauses)


def segments(
    intervention: Intervention, window_start, window_end, today
) -> list[tuple[str, datetime.date, datetime.date]]:
    """(phase, first day, day after) runs of days inside the window, not paused, one phase each."""
    pauses = list(intervention.pauses.all())
    stop = window_end + ONE_DAY
    cuts = {window_start, stop}
    for transition in intervention.transitions.all():
        cuts.add(transition.date)
    for pause in pauses:
        cuts.add(pause.from_date)
        cuts.add(pause.to_date or today + ONE_DAY)
    cuts = sorted(day for day in cuts if window_start <= day <= stop)
    runs = []
    for first, after in zip(cuts, cuts[1:], strict=False):
        if _paused_on(pauses, first, today):
            continue
        phase = phase_on(intervention, first) if intervention.method == Method.CTI else intervention.method
        if runs and runs[-1][0] == phase and runs[-1][2] == first:
            runs[-1] = (phase, runs[-1][1], after)
        else:
            runs.append((phase, first, after))
    return runs


def segment_figures(rows: list[DayRow], first: datetime.date, after: datetime.date, rhythm: int) -> PhaseFigures:
    inside = [row for row in rows if first <= row.date < after]
    contact_days = sorted(row.date for row in inside if row.contacts)
    days = (after - first).days
    windows = days // rhythm
    met = {(day - first).days // rhythm for day in contact_days if (day - first).days < windows * rhythm}
    marks = [first - ONE_DAY, *contact_days, after]
    longest = max((later - earlier).days - 1 for earlier, later in zip(marks, marks[1:], strict=False))
    return PhaseFigures(
        rhythm_days=rhythm,
        days=days,
        windows=windows,
        windows_met=len(met),
        longest_gap=longest,
        contacts=sum(row.contacts for row in inside),
        attempts=sum(row.attempts for row in inside),
        minutes=sum(row.minutes for row in inside),
    )


def course_fidelity(
    intervention: Intervention, rows: list[DayRow], period: Period, template: PhaseTemplate, today: datetime.date
) -> CourseFidelity:
    """Every fidelity figure of one course in the period (no queries: transitions and pauses prefetched,
    `first_contact` and `first_month_contacts` annotated, as `measure` does)."""
    result = CourseFidelity(intervention=intervention)
    window_start = max(intervention.start_date, period.start)
    window_end = min(intervention.end_date or today, period.end, today)
    if window_start <= window_end:
        for phase, first, after in segments(intervention, window_start, window_end, today):
            rhythm = contact_rhythm_days(intervention, on=first, template=template)
            figures = result.phases.setdefault(phase, PhaseFigures(rhythm_days=rhythm))
            figures.add(segment_figures(rows, first, after, rhythm))
    if any(f.windows_met < f.windows or not f.gap_met for f in result.phases.values()):
        result.flags.add("contact")

    result.started_in_period = period.start <= intervention.start_date <= min(period.end, today)
    first_contact = getattr(intervention, "first_contact", None)
    result.days_to_first_contact = (first_contact - intervention.start_date).days if first_contact else None
    result.first_month_contacts = getattr(intervention, "first_month_contacts", 0) or 0
    if result.started_in_period:
        if not result.first_contact_met:
            result.flags.add("first_contact")
        if not result.first_month_met and add_months(intervention.start_date, 1) <= today:
            result.flags.add("first_month")

    if intervention.method == Method.CTI:
        if result.rising_intensity:
            result.flags.add("intensity")
        timeline = cti_timeline(intervention, template, today)
        for stage in timeline.stages:
            if stage.phase == Phase.CONTACT or stage.actual_start is None:
                continue
            late = (stage.actual_start - stage.planned_start).days
            result.transitions.append((stage.phase, stage.label, stage.planned_start, stage.actual_start, late))
            if late > 0:
                result.flags.add("timing")
        result.planned_end = timeline.planned_end
        result.past_planned_end = (intervention.end_date or today) > timeline.planned_end
        if result.past_planned_end:
            result.flags.add("past_end")
        ended = intervention.status == Intervention.Status.ENDED and intervention.end_date
        result.ended_in_period = bool(ended and period.start <= intervention.end_date <= period.end)
        result.drop_out = bool(
            result.ended_in_period
            and intervention.end_date < timeline.planned_end
            and intervention.end_reason not in NOT_DROP_OUT
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

    @property
    def over(self) -> bool:
        return self.load.over


def worker_months(interventions, period: Period, today: datetime.date) -> list[WorkerMonth]:
    """A course counts in a month when it ran on any day of it, with the worker it has now (the record
    keeps no assignment history to read): the month's load is all the citizens the worker carried."""
    counts = defaultdict(lambda: {Method.CTI: 0, Method.ICM: 0, Method.ACT: 0})
    for month in period.months():
        month_end = min(add_months(month, 1) - ONE_DAY, period.end)
        for intervention in interventions:
            if intervention.worker_id is None or intervention.start_date > month_end:
                continue
            if intervention.end_date and intervention.end_date < max(month, period.start):
                continue
            counts[(intervention.worker_id, month)][intervention.method] += 1
    return [
        WorkerMonth(worker_id, month, Load(cti=n[Method.CTI], icm=n[Method.ICM], act=n[Method.ACT]))
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


def summarise(courses: list[CourseFidelity], months: list[WorkerMonth], attendance: list[dict]) -> Summary:
    summary = Summary(courses=len(courses))
    summary.worker_months = len(months)
    summary.worker_months_over = sum(1 for month in months if month.over)
    for course in courses:
        if course.started_in_period:
            summary.started += 1
            summary.first_contact_met += course.first_contact_met
            summary.first_month_met += course.first_month_met
            if course.days_to_first_contact is None:
                summary.no_contact_yet += 1
            else:
                summary.days_to_first.append(course.days_to_first_contact)
        for key, figures in course.phases.items():
            summary.phases.setdefault(key, PhaseFigures(rhythm_days=figures.rhythm_days)).add(figures)
        if course.intervention.method != Method.CTI:
            continue
        summary.cti_courses += 1
        summary.rising += course.rising_intensity
        for _phase, _label, _planned, _actual, late in course.transitions:
            summary.transitions += 1
            summary.transitions_late += late > 0
            summary.days_late_total += late
        summary.past_end += course.past_planned_end
        if course.ended_in_period:
            summary.ended += 1
            reason = course.intervention.end_reason
            summary.end_reasons[reason] = summary.end_reasons.get(reason, 0) + 1
            summary.drop_outs += course.drop_out
    for row in attendance:
        summary.supervision_workers += 1
        summary.supervision_expected += row["expected"]
        summary.supervision_attended += row["attended"]
        summary.supervision_workers_met += row["attended"] >= row["expected"]
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


def courses_in(interventions: QuerySet[Intervention], period: Period) -> QuerySet[Intervention]:
    contact = ~Q(visits__kind=Visit.Kind.ATTEMPTED_CONTACT)
    return (
        interventions.exclude(status=Intervention.Status.PLANNED)
        .filter(start_date__lte=period.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start))
        .select_related("citizen", "citizen__team", "worker")
        .defer("citizen__cpr")  # never shown here: 13,000 decryptions saved at national scale
        .prefetch_related("transitions", "pauses")
        .annotate(
            first_contact=Min("visits__date", filter=contact),
            first_month_contacts=Count("visits", filter=contact & Q(visits__date__lt=_PlusOneMonth(F("start_date")))),
        )
        .order_by("citizen__last_name", "citizen__first_name", "pk")
    )


def day_rows(interventions: QuerySet[Intervention], period: Period) -> dict[int, list[DayRow]]:
    """The period's visits summed per course and day: one query, and rows per day rather than per visit."""
    rows = (
        Visit.objects.filter(
            intervention__in=interventions.order_by().values("pk"), date__range=(period.start, period.end)
        )
        .values("intervention_id", "date")
        .annotate(
            contacts=Count("pk", filter=CONTACT_Q),
            attempts=Count("pk", filter=~CONTACT_Q),
            minutes=Sum("duration_minutes", filter=CONTACT_Q),
        )
        .order_by()
    )
    by_course = defaultdict(list)
    for row in rows:
        by_course[row["intervention_id"]].append(
            DayRow(row["date"], row["contacts"], row["attempts"], row["minutes"] or 0)
        )
    return by_course


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

    def summary(self, *, team_id=None, worker_id=None) -> Summary:
        courses = [
            course
            for course in self.courses
            if (team_id is None or course.intervention.citizen.team_id == team_id)
            and (worker_id is None or course.intervention.worker_id == worker_id)
        ]
        course_workers = {course.intervention.worker_id for course in courses}
        months = [m for m in self.months if m.worker_id in course_workers] if team_id or worker_id else self.months
        attendance = [
            row
            for row in self.attendance
            if (team_id is None or row["team_id"] == team_id) and (worker_id is None or row["worker"].pk == worker_id)
        ]
        return summarise(courses, months, attendance)

    def worker_rows(self, team_id=None) -> list[dict]:
        """Per worker: the caseload months over the cap, supervision attended and the course figures."""
        workers = {row["worker"].pk: row["worker"] for row in self.attendance}
        for course in self.courses:
            if course.intervention.worker_id:
                workers.setdefault(course.intervention.worker_id, course.intervention.worker)
        rows = []
        for worker in sorted(workers.values(), key=lambda w: (w.first_name, w.last_name, w.username)):
            if team_id is not None and worker.team_id != team_id:
                continue
            months = [m for m in self.months if m.worker_id == worker.pk]
            rows.append(
                {
                    "worker": worker,
                    "months": months,
                    "max_load": max((m.load for m in months), key=lambda load: load.units, default=None),
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


def measure(interventions: QuerySet[Intervention], period: Period, *, team_ids, today=None) -> Measurement:
    """All fidelity figures for the courses of `interventions` (already limited to what the user may
    see) in the period: a fixed number of queries."""
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    scoped = courses_in(interventions, period)
    rows = day_rows(scoped, period)
    listed = list(scoped)
    courses = [course_fidelity(i, rows.get(i.pk, []), period, template, today) for i in listed]
    return Measurement(
        period=period,
        template=template,
        courses=courses,
        months=worker_months(listed, period, today),
        attendance=supervision_attendance(team_ids, period, template, today),
        today=today,
    )
