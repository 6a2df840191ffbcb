"""Reads for the agenda, the team's week and the feed, shaped so a page costs a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Min, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Booking, Notification
from citizens.selectors import citizens_with_expired_consent
from housingfirst.models import Method, User
from interventions.models import Intervention, PhaseTemplate
from interventions.phases import contact_rhythm_days, cti_timeline, icm_follow_ups
from interventions.selectors import OPEN, visible_interventions, with_timeline_data

WEEK = datetime.timedelta(days=7)


def visible_bookings(user) -> QuerySet[Booking]:
    """Bookings on the citizens the user may see (another team's answer 404)."""
    return Booking.objects.filter(intervention__in=visible_interventions(user)).select_related(
        "intervention__citizen", "worker"
    )


def bookings_between(worker: User, start: datetime.date, end: datetime.date) -> QuerySet[Booking]:
    """The worker's planned bookings from `start` to `end` (both included), in time order."""
    return (
        Booking.objects.filter(worker=worker, status=Booking.Status.PLANNED, date__range=(start, end))
        .select_related("intervention__citizen")
        .defer("intervention__citizen__cpr")  # the agenda names the citizen; it never needs the number
        .order_by("date", "start_time", "pk")
    )


@dataclass
class Day:
    date: datetime.date
    bookings: list = field(default_factory=list)


@dataclass
class Due:
    """Something to act on: what, since or by when, and the one tap that acts on it."""

    intervention: Intervention
    text: str
    date: datetime.date | None
    warning: bool
    action_url: str
    action_label: str

    @property
    def citizen(self):
        return self.intervention.citizen


def _book_url(intervention) -> str:
    return f"{reverse('agenda:booking_create')}?intervention={intervention.pk}"


def _visit_url(intervention) -> str:
    return f"{reverse('interventions:visit_create')}?intervention={intervention.pk}&next={reverse('agenda:agenda')}"


def _due_for(intervention, template, today, horizon, next_booking) -> list[Due]:
    items = []
    running = intervention.status in (Intervention.Status.ACTIVE, Intervention.Status.PLANNED)
    last = getattr(intervention, "last_contact", None)
    since = last or intervention.start_date
    rhythm = contact_rhythm_days(intervention, on=today, template=template)
    if running and intervention.start_date <= today and (today - since).days >= rhythm:
        if next_booking is not None and next_booking <= today:
            pass  # booked for today: the booking is on the agenda already
        else:
            if last:
                text = _("No contact for %(days)s days; the rhythm is every %(rhythm)s days") % {
                    "days": (today - last).days,
                    "rhythm": rhythm,
                }
            else:
                text = _("No contact since the start; the rhythm is every %(rhythm)s days") % {"rhythm": rhythm}
            if next_booking is None:
                items.append(Due(intervention, text, since, True, _book_url(intervention), _("Book visit")))
            else:
                items.append(Due(intervention, text, since, True, _visit_url(intervention), _("Log visit")))
    elif running and next_booking is None:
        due_on = (last or today) + datetime.timedelta(days=rhythm)
        if due_on <= horizon:
            items.append(
                Due(
                    intervention,
                    _("Next contact due, no visit booked"),
                    due_on,
                    False,
                    _book_url(intervention),
                    _("Book visit"),
                )
            )
    detail = intervention.get_absolute_url()
    if intervention.method == Method.CTI and intervention.status != Intervention.Status.PAUSED:
        timeline = cti_timeline(intervention, template, today)
        stage = next((s for s in timeline.stages if s.actual_start is None), None)
        if stage is not None and stage.planned_start <= horizon:
            overdue = stage.overdue(today)
            text = (_("%(phase)s overdue") if overdue else _("%(phase)s planned")) % {"phase": stage.label}
            items.append(Due(intervention, text, stage.planned_start, overdue, detail, _("Record phase")))
    elif intervention.method == Method.ICM:
        upcoming = [item for item in icm_follow_ups(intervention, template, today) if not item["past"]]
        if upcoming and upcoming[0]["date"] <= horizon:
            items.append(Due(intervention, _("ICM follow-up"), upcoming[0]["date"], False, detail, _("Open")))
    if intervention.follow_up_date and intervention.follow_up_date <= horizon:
        passed = intervention.follow_up_date < today
        text = _("Follow-up date passed") if passed else _("Follow-up")
        items.append(Due(intervention, text, intervention.follow_up_date, passed, detail, _("Open")))
    return items


@dataclass
class Agenda:
    today: datetime.date
    days: list[Day]
    due: list[Due]

    @property
    def booking_count(self) -> int:
        return sum(len(day.bookings) for day in self.days)


def agenda_for(user: User, today: datetime.date | None = None) -> Agenda:
    """Today and the next six days' bookings, then what is due in the worker's caseload this week."""
    today = today or timezone.localdate()
    horizon = today + WEEK - datetime.timedelta(days=1)
    days = {today + datetime.timedelta(days=n): Day(today + datetime.timedelta(days=n)) for n in range(7)}
    for booking in bookings_between(user, today, horizon):
        days[booking.date].bookings.append(booking)
    template = PhaseTemplate.current()
    interventions = list(
        with_timeline_data(visible_interventions(user).filter(OPEN, worker=user)).order_by(
            "citizen__first_name", "citizen__last_name", "pk"
        )
    )
    next_booking = dict(
        Booking.objects.filter(intervention__in=interventions, status=Booking.Status.PLANNED, date__gte=today)
        .values("intervention_id")
        .annotate(first=Min("date"))
        .values_list("intervention_id", "first")
    )
    due = []
    for intervention in interventions:
        due.extend(_due_for(intervention, template, today, horizon, next_booking.get(intervention.pk)))
    by_citizen = {intervention.citizen_id: intervention for intervention in interventions}
    expired = citizens_with_expired_consent(user).filter(pk__in=list(by_citizen)).values_list("pk", flat=True)
    for citizen_id in expired:
        intervention = by_citizen[citizen_id]
        due.append(
            Due(
                intervention,
                _("The consent has expired"),
                None,
                True,
                intervention.citizen.get_absolute_url(),
                _("Open citizen"),
            )
        )
    due.sort(key=lambda item: (not item.warning, item.date or today, item.citizen.first_name))
    return Agenda(today=today, days=list(days.values()), due=due)


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def team_week(team_id: int, monday: datetime.date) -> tuple[list[datetime.date], list[dict]]:
    """The team's planned bookings Monday to Sunday, one row per worker with a list per day (2 queries)."""
    dates = [monday + datetime.timedelta(days=n) for n in range(7)]
    workers = list(User.objects.filter(team_id=team_id, is_active=True).order_by("first_name", "last_name"))
    rows = {worker.pk: {"worker": worker, "days": [[] for _day in dates]} for worker in workers}
    bookings = (
        Booking.objects.filter(
            status=Booking.Status.PLANNED, date__range=(dates[0], dates[-1]), intervention__citizen__team_id=team_id
        )
        .select_related("intervention__citizen", "worker")
        .defer("intervention__citizen__cpr")  # the week names citizens; it never needs the number
        .order_by("date", "start_time", "pk")
    )
    for booking in bookings:
        row = rows.setdefault(booking.worker_id, {"worker": booking.worker, "days": [[] for _day in dates]})
        row["days"][(booking.date - monday).days].append(booking)
    return dates, list(rows.values())


def feed_bookings(user: User, today: datetime.date | None = None) -> QuerySet[Booking]:
    """What the calendar feed holds: the last month and every planned booking ahead."""
    today = today or timezone.localdate()
    return (
        Booking.objects.filter(worker=user, date__gte=today - datetime.timedelta(days=31))
        .exclude(status=Booking.Status.CANCELLED)
        .select_related("intervention__citizen")
        .defer("intervention__citizen__cpr")  # the feed holds no CPR number, so it never decrypts one
        .order_by("date", "start_time")
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
