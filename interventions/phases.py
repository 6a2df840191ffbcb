"""Calendar arithmetic, the planned CTI timeline and ICM follow-ups, as pure functions.

Nothing here queries the database: callers hand in the intervention with its transitions and pauses
prefetched, so a list of 50 citizens costs the same number of queries as a list of 5.
"""

import calendar
import datetime
import functools
from dataclasses import dataclass, field

from django.utils import timezone

from housingfirst.models import Method
from interventions.models import Intervention, Phase, PhaseTemplate


@functools.lru_cache(maxsize=4096)  # pure, and called for every course of a national fidelity page
def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months, clamped to the month's end: 31 Jan + 1 month = 28 Feb (29 in a leap year)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(day: datetime.date, pauses, today: datetime.date) -> datetime.date:
    """Move a planned date by every pause that began before it (pauses in date order)."""
    for pause in pauses:
        if pause.from_date < day:
            day += datetime.timedelta(days=pause.length_days(today))
    return day


@dataclass
class Stage:
    phase: str
    label: str
    planned_start: datetime.date
    planned_end: datetime.date  # the day after the stage (the next stage's start)
    actual_start: datetime.date | None = None
    current: bool = False
    is_overdue: bool = False
    width: str = "0"  # per cent of the bar, as CSS wants it (a dot, whatever the language)

    @property
    def late(self) -> bool:
        """Recorded after the planned day."""
        return self.actual_start is not None and self.actual_start > self.planned_start

    def overdue(self, today) -> bool:
        """The planned day has passed and nobody recorded the transition."""
        return self.actual_start is None and self.planned_start < today

    @property
    def days_late(self) -> int:
        return (self.actual_start - self.planned_start).days if self.late else 0


@dataclass
class Timeline:
    stages: list[Stage]
    planned_end: datetime.date
    today: datetime.date
    pauses: list = field(default_factory=list)

    @property
    def current(self) -> Stage | None:
        return next((stage for stage in self.stages if stage.current), None)

    def overdue_stages(self) -> list[Stage]:
        return [stage for stage in self.stages if stage.phase != Phase.CONTACT and stage.overdue(self.today)]

    @property
    def end_overdue(self) -> bool:
        return self.planned_end < self.today

    @property
    def today_css(self) -> str:
        return f"{self.today_percent:.1f}"

    @property
    def today_percent(self) -> float:
        """Where today falls on the bar, 0 to 100 (for drawing only)."""
        start = self.stages[0].planned_start
        span = max((self.planned_end - start).days, 1)
        return round(min(max((self.today - start).days / span, 0), 1) * 100, 1)

    def width_percent(self, stage: Stage) -> float:
        start = self.stages[0].planned_start
        span = max((self.planned_end - start).days, 1)
        return round((stage.planned_end - stage.planned_start).days / span * 100, 2)


def planned_starts(
    start: datetime.date, template: PhaseTemplate, pauses, today: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date, datetime.date]:
    """The planned first days of phase 1, 2 and 3 and the planned end (the day after phase 3), from the start
    date and the template, each moved by the pauses that began before it (`pauses` in date order)."""
    first = add_months(start, template.phase_1_months)
    second = add_months(start, template.phase_1_months + template.phase_2_months)
    end = add_months(start, template.total_months)
    contact_end = min(start + datetime.timedelta(weeks=template.contact_period_weeks), first)
    if not pauses:
        return contact_end, first, second, end
    return tuple(_shift(day, pauses, today) for day in (contact_end, first, second, end))


def cti_timeline(intervention: Intervention, template: PhaseTemplate, today: datetime.date) -> Timeline:
    """Planned phases from the start date and the template, moved by pauses; actual from transitions."""
    pauses = sorted(intervention.pauses.all(), key=lambda pause: pause.from_date)
    start = intervention.start_date
    phase_1, phase_2, phase_3, end = planned_starts(start, template, pauses, today)
    planned = [
        (Phase.CONTACT, start, phase_1),
        (Phase.PHASE_1, phase_1, phase_2),
        (Phase.PHASE_2, phase_2, phase_3),
        (Phase.PHASE_3, phase_3, end),
    ]
    actual = {transition.phase: transition.date for transition in intervention.transitions.all()}
    actual.setdefault(Phase.CONTACT, start)
    stages = []
    for phase, planned_start, planned_end in planned:
        stages.append(
            Stage(
                phase=phase,
                label=Phase(phase).label,
                planned_start=planned_start,
                planned_end=planned_end,
                actual_start=actual.get(phase),
            )
        )
    reached = [stage for stage in stages if stage.actual_start and stage.actual_start <= today]
    if reached and intervention.status != Intervention.Status.ENDED:
        reached[-1].current = True
    timeline = Timeline(stages=stages, planned_end=stages[-1].planned_end, today=today, pauses=pauses)
    for stage in stages:
        stage.is_overdue = stage.phase != Phase.CONTACT and stage.overdue(today)
        stage.width = f"{timeline.width_percent(stage):.2f}"
    return timeline


def icm_follow_ups(
    intervention: Intervention, template: PhaseTemplate, today: datetime.date, upcoming: int = 1
) -> list[dict]:
    """The periodic follow-ups of an ICM course: past ones and the next `upcoming`."""
    dates = []
    step = 1
    while True:
        day = _shift(add_months(intervention.start_date, step * template.icm_follow_up_months), [], today)
        if day > today:
            upcoming -= 1
            if upcoming < 0:
                break
        dates.append({"date": day, "past": day <= today})
        step += 1
        if step > 200:
            break
    return dates


PHASES = [Phase.CONTACT, Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3]


def phase_on(intervention: Intervention, on: datetime.date) -> str:
    """The CTI stage a course is in on a day, by the transitions the worker recorded (the record is the
    evidence): the latest recorded on or before the day, else the contact period. Needs `transitions`
    prefetched for a list."""
    reached = [t for t in intervention.transitions.all() if t.date <= on]
    if not reached:
        return Phase.CONTACT
    return max(reached, key=lambda transition: (transition.date, PHASES.index(transition.phase))).phase


def contact_rhythm_days(
    intervention: Intervention, on: datetime.date | None = None, template: PhaseTemplate | None = None
) -> int:
    """How many days may pass between two contacts, by the method and, for CTI, the phase on `on`.

    The one place the expected contact rhythm is read (the agenda, fidelity, "book the next visit").
    The contact period follows phase 1's rhythm. Pass `template` (PhaseTemplate.current()) when calling in a
    loop, and prefetch `transitions`, so a list costs no query per row.
    """
    template = template or PhaseTemplate.current()
    if intervention.method == Method.ICM:
        return template.icm_contact_every_days
    if intervention.method == Method.ACT:
        return template.act_contact_every_days
    phase = phase_on(intervention, on or timezone.localdate())
    return {
        Phase.CONTACT: template.contact_every_days_phase_1,
        Phase.PHASE_1: template.contact_every_days_phase_1,
        Phase.PHASE_2: template.contact_every_days_phase_2,
        Phase.PHASE_3: template.contact_every_days_phase_3,
    }[phase]
