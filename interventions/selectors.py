"""Read queries for interventions and visits, shaped for the pages that show them.

Everything starts from `citizens.selectors.visible_citizens`, so another team's intervention or visit
is simply not in the queryset (404), and the pages prefetch what they draw, so 50 rows cost the same
number of queries as 5.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import Citizen
from citizens.selectors import visible_citizens
from housingfirst import roles
from housingfirst.models import Method, Team, User
from interventions.caseload import Load
from interventions.models import Intervention, LockedMonth, PhaseTemplate, Visit
from interventions.phases import cti_timeline, icm_follow_ups

NO_CONTACT_DAYS = 14
RECENTLY_ENDED_DAYS = 31
OPEN = ~Q(status=Intervention.Status.ENDED)
# An attempted contact is documented work, but it is not contact with the citizen.
CONTACT = ~Q(visits__kind=Visit.Kind.ATTEMPTED_CONTACT)


def month_is_locked(municipality_id, day: datetime.date) -> bool:
    """True when the month of `day` is invoiced for this paying municipality."""
    return LockedMonth.objects.filter(municipality_id=municipality_id, month=day.replace(day=1)).exists()


def visits_are_locked(citizen, day: datetime.date) -> bool:
    """True when the citizen's visits in the month of `day` may not be added, changed or deleted.

    That is when the month is invoiced for the citizen's current paying municipality, or when the
    citizen's month is on an issued invoice that is not credited, whichever municipality it went to:
    after a change of paying municipality the earlier invoice still holds the visits.
    """
    month = day.replace(day=1)
    locked = LockedMonth.objects.filter(municipality_id=citizen.paying_municipality_id, month=month)
    # The one read of invoicing's records here, by relation name (interventions never imports it):
    # the invoice line is the only record of where a citizen's month was billed.
    billed = Citizen.objects.filter(
        pk=OuterRef("pk"),
        invoice_lines__invoice__kind="invoice",
        invoice_lines__invoice__month=month,
        invoice_lines__invoice__number__gt="",
        invoice_lines__invoice__credited_at__isnull=True,
    )
    # One query for both (every visit logged asks this).
    return Citizen.objects.filter(Q(Exists(locked)) | Q(Exists(billed)), pk=citizen.pk).exists()


def visible_interventions(user) -> QuerySet[Intervention]:
    return Intervention.objects.filter(citizen__in=visible_citizens(user))


def last_contact():
    """The date of the intervention's newest visit that reached the citizen (not an attempted contact).

    A subquery read backwards on the (intervention, date) index, one row per intervention, instead of
    joining every visit and grouping by every selected column: at national scale (a team's 150 courses,
    5,800 visits) the join sorted all of them to keep one date each."""
    return Subquery(
        Visit.objects.filter(intervention=OuterRef("pk"))
        .exclude(kind=Visit.Kind.ATTEMPTED_CONTACT)
        .order_by("-date")
        .values("date")[:1]
    )


def with_timeline_data(interventions: QuerySet[Intervention]) -> QuerySet[Intervention]:
    """What the timeline, the due list and the warnings need, in a fixed number of queries."""
    return (
        interventions.select_related("citizen", "worker", "coordinator")
        .defer("citizen__cpr")  # shown masked from the birth date: lists never decrypt
        .prefetch_related("transitions", "pauses")
        .annotate(last_contact=last_contact())
    )


def get_visible_intervention(user, pk) -> Intervention:
    return get_object_or_404(with_timeline_data(visible_interventions(user)), pk=pk)


def open_intervention_of(citizen) -> Intervention | None:
    return with_timeline_data(citizen.interventions.filter(OPEN)).first()


def visible_visits(user) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(intervention__citizen__in=visible_citizens(user))
        .select_related("intervention__citizen", "worker")
        .defer("intervention__citizen__cpr")  # shown masked from the birth date: lists never decrypt
    )


def get_visible_visit(user, pk) -> Visit:
    return get_object_or_404(visible_visits(user).prefetch_related("life_areas"), pk=pk)


def month_totals(visits: QuerySet[Visit], limit: int = 12) -> list[dict]:
    """Minutes per month (all and billable) of the `limit` newest months, newest first.

    The limit is in the query: a worker's whole history must not be grouped and sent here to show a year.
    """
    return list(
        visits.order_by()
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            minutes=Sum("duration_minutes"),
            billable_minutes=Sum("duration_minutes", filter=Q(billable=True)),
            count=Count("pk"),
        )
        .order_by("-month")[:limit]
    )


# --- Caseload and capacity ---------------------------------------------------------------------


def _load_counts(prefix: str = "caseload__") -> dict:
    open_ = ~Q(**{f"{prefix}status": Intervention.Status.ENDED}) & Q(**{f"{prefix}isnull": False})
    return {
        f"n_{method.lower()}": Count("caseload", filter=open_ & Q(**{f"{prefix}method": method}))
        for method in (Method.CTI, Method.ICM, Method.ACT)
    }


def load_of(user: User) -> Load:
    counts = (
        Intervention.objects.filter(OPEN, worker=user)
        .values("method")
        .annotate(n=Count("pk"))
        .values_list("method", "n")
    )
    by_method = dict(counts)
    return Load(cti=by_method.get("CTI", 0), icm=by_method.get("ICM", 0), act=by_method.get("ACT", 0))


def team_workers(team_id) -> list[User]:
    """The team's support workers, each with `.load` (one query). Team leads are listed only while they
    carry a caseload themselves."""
    workers = (
        User.objects.filter(team_id=team_id, is_active=True)
        .filter(
            Q(pk__in=User.objects.filter(groups__name=roles.SUPPORT_WORKER).values("pk"))
            | Q(pk__in=Intervention.objects.filter(OPEN).values("worker_id"))
        )
        .annotate(**_load_counts())
        .order_by("first_name", "last_name", "username")
    )
    result = []
    for worker in workers:
        worker.load = Load(cti=worker.n_cti, icm=worker.n_icm, act=worker.n_act)
        result.append(worker)
    return result


def workers_with_room(team_id, method: str, exclude=None) -> list[User]:
    return [
        worker
        for worker in team_workers(team_id)
        if worker.is_qualified_for(method)
        and worker.pk != getattr(exclude, "pk", exclude)
        and (method == Method.ACT or worker.load.has_room_for(method))
    ]


def team_act_count(team_id, exclude=None) -> int:
    """ACT citizens the team supports now: open ACT interventions with a worker."""
    interventions = Intervention.objects.filter(OPEN, method=Method.ACT, citizen__team_id=team_id, worker__isnull=False)
    return interventions.exclude(pk=getattr(exclude, "pk", exclude)).count()


def unassigned(team_id) -> QuerySet[Intervention]:
    return (
        Intervention.objects.filter(OPEN, worker__isnull=True, citizen__team_id=team_id)
        .select_related("citizen")
        .defer("citizen__cpr")  # the capacity board names citizens; it never decrypts
        .order_by("start_date", "pk")
    )


def teams_for(user) -> QuerySet[Team]:
    if user.sees_all_teams:
        return Team.objects.all()
    return Team.objects.filter(pk=user.team_id)


# --- What is due, and the fidelity warnings ----------------------------------------------------


@dataclass
class Row:
    intervention: Intervention
    phase_label: str = ""
    days_since_contact: int | None = None
    due: list = field(default_factory=list)  # (text, date, warning: bool)

    @property
    def citizen(self):
        return self.intervention.citizen

    @property
    def warnings(self):
        return [item for item in self.due if item[2]]


def describe(intervention: Intervention, template: PhaseTemplate, today: datetime.date) -> Row:
    """The phase, the days since contact and what is due for one intervention (no queries)."""
    row = Row(intervention=intervention)
    last = getattr(intervention, "last_contact", None)
    since = last or intervention.start_date
    row.days_since_contact = (today - last).days if last else None
    running = intervention.status in (Intervention.Status.ACTIVE, Intervention.Status.PLANNED)
    if running and intervention.start_date <= today and (today - since).days >= NO_CONTACT_DAYS:
        if last:
            text = _("No contact for %(days)s days") % {"days": (today - last).days}
        else:
            text = _("No contact since the start")
        row.due.append((text, since, True))
    if intervention.method == Method.CTI:
        timeline = cti_timeline(intervention, template, today)
        current = timeline.current
        row.phase_label = str(current.label) if current else str(_("Not started"))
        if intervention.status != Intervention.Status.PAUSED:
            for stage in timeline.stages:
                if stage.actual_start is None:
                    overdue = stage.overdue(today)
                    text = (_("%(phase)s overdue") if overdue else _("%(phase)s planned")) % {"phase": stage.label}
                    row.due.append((text, stage.planned_start, overdue))
                    break
            else:
                if timeline.end_overdue:
                    row.due.append((_("CTI course past its planned end"), timeline.planned_end, True))
    elif intervention.method == Method.ICM:
        upcoming = [item for item in icm_follow_ups(intervention, template, today) if not item["past"]]
        if upcoming:
            row.due.append((_("ICM follow-up"), upcoming[0]["date"], False))
    if intervention.status == Intervention.Status.PAUSED:
        row.phase_label = _("Paused")
    if intervention.follow_up_date:
        passed = intervention.follow_up_date < today
        text = _("Follow-up date passed") if passed else _("Follow-up")
        row.due.append((text, intervention.follow_up_date, passed))
    row.due.sort(key=lambda item: (not item[2], item[1]))
    return row


def my_caseload(user, today=None) -> list[Row]:
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    interventions = with_timeline_data(visible_interventions(user).filter(OPEN, worker=user)).order_by(
        "citizen__last_name", "citizen__first_name", "pk"
    )
    return [describe(intervention, template, today) for intervention in interventions]


def _fidelity_candidates(user, team_id=None) -> QuerySet[Intervention]:
    interventions = visible_interventions(user).filter(OPEN)
    if team_id:
        interventions = interventions.filter(citizen__team_id=team_id)
    return interventions


def fidelity_rows(user, team_id=None, today=None) -> list[Row]:
    """Open interventions with at least one warning, worst first."""
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    interventions = with_timeline_data(_fidelity_candidates(user, team_id))
    rows = [describe(intervention, template, today) for intervention in interventions]
    rows = [row for row in rows if row.warnings]
    rows.sort(key=lambda row: (-len(row.warnings), row.citizen.last_name, row.citizen.first_name))
    return rows


def fidelity_warning_count(user, team_id=None, today=None) -> int:
    """How many rows `fidelity_rows` has (the team lead's overview shows the number, not the page).

    The same rule (`describe`), on only what it reads: no citizen, worker or coordinator rows, no
    sorting, no ordering in the query."""
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    interventions = (
        _fidelity_candidates(user, team_id)
        .order_by()
        .only("pk", "method", "status", "start_date", "end_date", "follow_up_date", "citizen_id")
        .prefetch_related("transitions", "pauses")
        .annotate(last_contact=last_contact())
    )
    return sum(1 for intervention in interventions if describe(intervention, template, today).warnings)


def takes_visits(intervention: Intervention, today=None) -> bool:
    """Open, or ended in the last month (a visit forgotten before the end can still be logged)."""
    if intervention.status != Intervention.Status.ENDED:
        return True
    today = today or timezone.localdate()
    return bool(intervention.end_date and intervention.end_date >= today - datetime.timedelta(days=RECENTLY_ENDED_DAYS))


def visit_citizen_choices(user, today=None) -> QuerySet[Intervention]:
    """The interventions a visit can be logged on: the user's team, open ones with the own caseload first,
    then those ended in the last month, so a visit forgotten before the ending can still be logged."""
    today = today or timezone.localdate()
    recently_ended = Q(
        status=Intervention.Status.ENDED, end_date__gte=today - datetime.timedelta(days=RECENTLY_ENDED_DAYS)
    )
    return (
        visible_interventions(user)
        .filter(OPEN | recently_ended)
        .select_related("citizen")
        .defer("citizen__cpr")  # a choice names the citizen; decrypting every one would cost a caseload's worth
        .annotate(
            ended=Case(When(status=Intervention.Status.ENDED, then=Value(1)), default=Value(0)),
            mine=Case(When(worker=user, then=Value(0)), default=Value(1)),
        )
        .order_by("ended", "mine", "citizen__first_name", "citizen__last_name", "pk")
    )
