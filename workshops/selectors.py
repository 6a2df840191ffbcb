"""Read queries for workshops, their hours and the work-bonus statements."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from citizens.models import Citizen
from workshops import workbonus
from workshops.models import LabourMarketContributionRate, WorkBonusMonth, WorkBonusRate, Workshop, WorkshopHours

OPEN_COURSE = ["planned", "active", "paused"]


def visible_workshops(user) -> QuerySet[Workshop]:
    """With the permission: an administrator sees every workshop, a workshop leader the workshops they
    lead, and a citizen's own worker the workshops their citizens work in."""
    workshops = Workshop.objects.select_related("leader")
    if not user.has_perm("workshops.log_workshop_hours"):
        return workshops.none()
    if user.is_administrator:
        return workshops
    theirs = Workshop.objects.filter(
        participants__interventions__worker=user, participants__interventions__status__in=OPEN_COURSE
    )
    return workshops.filter(Q(leader=user) | Q(pk__in=theirs.values("pk")))


def own_citizen_ids(user, workshop: Workshop) -> set[int] | None:
    """The citizens a worker may log for on a workshop they do not lead: their own; None means all."""
    if user.is_administrator or workshop.leader_id == user.pk:
        return None
    return set(
        workshop.participants.filter(interventions__worker=user, interventions__status__in=OPEN_COURSE).values_list(
            "pk", flat=True
        )
    )


def get_visible_workshop(user, pk) -> Workshop:
    return get_object_or_404(visible_workshops(user), pk=pk)


def may_log_for(user, workshop: Workshop) -> bool:
    return visible_workshops(user).filter(pk=workshop.pk).exists()


def month_of(day: datetime.date) -> WorkBonusMonth | None:
    return WorkBonusMonth.objects.filter(month=day.replace(day=1)).first()


def month_is_paid(day: datetime.date) -> bool:
    return WorkBonusMonth.objects.filter(month=day.replace(day=1), paid_at__isnull=False).exists()


def first_open_month_after(day: datetime.date) -> datetime.date:
    """The first month after `day`'s month that is not paid: where a correction of `day` is booked."""
    month = workbonus.last_day_of(day.replace(day=1)) + datetime.timedelta(days=1)
    paid = set(WorkBonusMonth.objects.filter(month__gte=month, paid_at__isnull=False).values_list("month", flat=True))
    while month in paid:
        month = workbonus.last_day_of(month) + datetime.timedelta(days=1)
    return month


def latest_paid_month() -> datetime.date | None:
    return (
        WorkBonusMonth.objects.filter(paid_at__isnull=False).order_by("-month").values_list("month", flat=True).first()
    )


def bonus_rates() -> list[tuple[datetime.date, Decimal]]:
    return list(WorkBonusRate.objects.values_list("valid_from", "hourly_rate"))


def contribution_rates() -> list[tuple[datetime.date, Decimal]]:
    return list(LabourMarketContributionRate.objects.values_list("valid_from", "percent"))


def attendance(workshop: Workshop, day: datetime.date, user=None) -> list[tuple[Citizen, Decimal | None]]:
    """The workshop's participants (and anyone with hours that day) with their ordinary hours on `day`;
    for a citizen's worker who does not lead the workshop, only their own citizens."""
    logged = dict(
        WorkshopHours.objects.filter(workshop=workshop, date=day, is_correction=False).values_list(
            "citizen_id", "hours"
        )
    )
    citizens = Citizen.objects.filter(Q(pk__in=set(logged)) | Q(workshops=workshop)).distinct()
    own = own_citizen_ids(user, workshop) if user is not None else None
    if own is not None:
        citizens = citizens.filter(pk__in=own)
    return [(citizen, logged.get(citizen.pk)) for citizen in citizens.order_by("first_name", "last_name", "pk")]


@dataclass
class CitizenStatement:
    citizen: Citizen
    statement: workbonus.Statement | None
    missing_rate: workbonus.MissingRate | None = None


def _entries(rows) -> list[workbonus.Entry]:
    return [workbonus.Entry(row.date, row.hours, row.is_correction, row.note) for row in rows]


def month_statements(month: datetime.date, citizen_ids=None) -> list[CitizenStatement]:
    """Every citizen's statement for the month (a constant number of queries for any number)."""
    rows = WorkshopHours.objects.filter(bonus_month=month).select_related("citizen").order_by("citizen_id", "date")
    if citizen_ids is not None:
        rows = rows.filter(citizen_id__in=citizen_ids)
    by_citizen: dict[int, list[WorkshopHours]] = {}
    for row in rows:
        by_citizen.setdefault(row.citizen_id, []).append(row)
    rates, contributions = bonus_rates(), contribution_rates()
    result = []
    for entries in by_citizen.values():
        try:
            made = workbonus.statement(month, _entries(entries), rates, contributions)
            result.append(CitizenStatement(entries[0].citizen, made))
        except workbonus.MissingRate as missing:
            result.append(CitizenStatement(entries[0].citizen, None, missing))
    result.sort(key=lambda item: (item.citizen.first_name, item.citizen.last_name, item.citizen.pk))
    return result


def citizen_statement(citizen: Citizen, month: datetime.date) -> CitizenStatement:
    found = month_statements(month, citizen_ids=[citizen.pk])
    return found[0] if found else CitizenStatement(citizen, workbonus.Statement(month=month))


def citizen_month_hours(citizen: Citizen, month: datetime.date) -> list[dict]:
    """The citizen's workshop hours worked in the month, per workshop (for the citizen's page)."""
    following = workbonus.last_day_of(month) + datetime.timedelta(days=1)
    return list(
        WorkshopHours.objects.filter(citizen=citizen, date__gte=month, date__lt=following)
        .values("workshop__name")
        .annotate(total=Sum("hours"))
        .order_by("workshop__name")
    )
