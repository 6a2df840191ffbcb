"""Demo workshops: a bicycle workshop led by the demo login "vaerkstedsleder", with two months of hours.

The month before last is paid (so its payroll list can be made), with a correction of it booked in last
month; last month waits to be paid, and this month has its first days. Every step is get-or-create.
"""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from interventions.models import Intervention
from workshops import services
from workshops.models import WorkBonusMonth, Workshop, WorkshopHours
from workshops.workbonus import last_day_of

PARTICIPANTS = 6


def _weekdays(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        if day.weekday() < 5:
            yield day
        day += datetime.timedelta(days=1)


def seed(context, stdout=None):
    users = context["users"]
    leader, administrator = users["vaerkstedsleder"], users["admin"]
    workshop, _created = Workshop.objects.get_or_create(name="Cykelværkstedet", defaults={"leader": leader})
    Workshop.objects.get_or_create(name="Genbrugsbutikken", defaults={"leader": leader})
    if not workshop.participants.exists():
        # Citizens whose agreement involves the provider's employment department, then others.
        open_ones = Intervention.objects.exclude(status=Intervention.Status.ENDED).select_related("citizen")
        chosen = list(open_ones.filter(employment_department=True)[:PARTICIPANTS])
        chosen += list(open_ones.filter(employment_department=False)[: PARTICIPANTS - len(chosen)])
        workshop.participants.set([intervention.citizen for intervention in chosen])
    citizens = list(workshop.participants.order_by("pk"))
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    before_last = (last_month - datetime.timedelta(days=1)).replace(day=1)
    rng = random.Random(15)
    for day in _weekdays(before_last, today):
        paid = WorkBonusMonth.objects.filter(month=day.replace(day=1), paid_at__isnull=False).exists()
        for citizen in citizens:
            hours = Decimal(rng.choice([0, 3, 4, 4.5, 5, 5.5, 6, 6.5, 7]))
            if paid or not hours or day == today:
                continue
            if not WorkshopHours.objects.filter(workshop=workshop, citizen=citizen, date=day).exists():
                services.log_hours(workshop=workshop, citizen=citizen, date=day, hours=hours, by=leader)
    if not WorkBonusMonth.objects.filter(month=before_last, paid_at__isnull=False).exists():
        services.pay_month(month=before_last, by=administrator)
    if citizens and not WorkshopHours.objects.filter(is_correction=True).exists():
        worked = next(
            row
            for row in WorkshopHours.objects.filter(workshop=workshop, citizen=citizens[0], bonus_month=before_last)
            if row.hours >= 2
        )
        services.correct_hours(
            workshop=workshop,
            citizen=citizens[0],
            date=worked.date,
            hours=Decimal("-1.5"),
            note="Gik hjem kl. 12, talt som hel dag",
            by=leader,
        )
    if stdout is not None:
        stdout.write(
            f"Workshops: {workshop.name} with {len(citizens)} participants, "
            f"{before_last:%m.%Y} paid, {last_month:%m.%Y} open ({last_day_of(last_month):%d.%m.%Y})"
        )
