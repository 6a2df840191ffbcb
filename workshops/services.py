"""Every change to workshop hours, the work-bonus rates and paid months goes through here.

Refusals are `ValidationError`s with a Danish-facing message the views show in the form.

The lock: logging hours and paying a month both lock the month's `WorkBonusMonth` row (made on first
use), so hours saved while the month is being paid wait for the payment and are then refused, and a
payment waits for a save in progress and includes it. Adding a rate locks the months it would reach.
"""

import datetime
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from citizens.models import Citizen
from housingfirst.templatetags.hf import format_danish_number
from workshops import selectors, workbonus
from workshops.models import LabourMarketContributionRate, WorkBonusMonth, WorkBonusRate, Workshop, WorkshopHours

MAX_HOURS_PER_DAY = Decimal("24")
HUNDREDTH = Decimal("0.01")


def _month_name(month: datetime.date) -> str:
    return date_format(month, "F Y")


def _locked_month(day: datetime.date) -> WorkBonusMonth:
    month = day.replace(day=1)
    WorkBonusMonth.objects.get_or_create(month=month)
    return WorkBonusMonth.objects.select_for_update().get(month=month)


def _refuse_paid(month_row: WorkBonusMonth) -> None:
    if month_row.is_paid:
        following = selectors.first_open_month_after(month_row.month)
        raise ValidationError(
            _(
                "The work bonus for %(month)s is paid, so its hours are locked. "
                "Register the change as a correction in %(next)s, with a note saying why."
            )
            % {"month": _month_name(month_row.month), "next": _month_name(following)}
        )


def _check_hours(hours, *, correction: bool = False) -> Decimal:
    if hours is None:
        raise ValidationError(_("Write the hours, e.g. 7,5."))
    hours = Decimal(hours)
    if hours != hours.quantize(HUNDREDTH):
        raise ValidationError(_("Write the hours with at most two decimals, e.g. 7,25."))
    if abs(hours) > MAX_HOURS_PER_DAY:
        raise ValidationError(_("A day has at most 24 hours."))
    if correction and hours == 0:
        raise ValidationError(_("A correction must add or take away hours."))
    if not correction and hours < 0:
        raise ValidationError(_("Hours cannot be negative. To take away paid hours, register a correction."))
    return hours


def _check_may_log(*, workshop: Workshop, by, citizens=()) -> None:
    if not selectors.may_log_for(by, workshop):
        raise ValidationError(_("You may not log hours for this workshop."))
    own = selectors.own_citizen_ids(by, workshop)
    if own is not None and any(citizen.pk not in own for citizen in citizens):
        raise ValidationError(_("You may log workshop hours only for the citizens you support."))


def _check_day(day: datetime.date) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("Hours can only be logged for today or earlier."))


def _set_hours(*, workshop: Workshop, citizen: Citizen, day: datetime.date, hours: Decimal, by) -> WorkshopHours | None:
    existing = WorkshopHours.objects.filter(workshop=workshop, citizen=citizen, date=day, is_correction=False).first()
    if not hours:
        if existing is not None:
            existing._history_user = by
            existing.delete()
        return None
    if existing is None:
        existing = WorkshopHours(workshop=workshop, citizen=citizen, date=day, is_correction=False)
    if existing.pk and existing.hours == hours:
        return existing  # saving the list again leaves an unchanged row (and its history) alone
    existing.hours, existing.bonus_month, existing.logged_by = hours, day.replace(day=1), by
    existing._history_user = by
    existing.save()
    return existing


@transaction.atomic
def log_hours(*, workshop: Workshop, citizen: Citizen, date: datetime.date, hours, by) -> WorkshopHours | None:
    """Set a citizen's hours in a workshop on a day (0 removes them). Refused in a paid month."""
    _check_may_log(workshop=workshop, by=by, citizens=[citizen])
    _check_day(date)
    hours = _check_hours(hours)
    _refuse_paid(_locked_month(date))
    return _set_hours(workshop=workshop, citizen=citizen, day=date, hours=hours, by=by)


@transaction.atomic
def save_attendance(
    *, workshop: Workshop, date: datetime.date, hours_by_citizen: Mapping[int, Decimal | None], by
) -> int:
    """A day's attendance list for a whole workshop in one save: hours per citizen (None or 0 removes).

    All or nothing: one refused row (a paid month) saves none. Returns how many citizens have hours.
    """
    _check_day(date)
    checked = {pk: _check_hours(hours or Decimal(0)) for pk, hours in hours_by_citizen.items()}
    citizens = Citizen.objects.in_bulk(checked)
    _check_may_log(workshop=workshop, by=by, citizens=citizens.values())
    _refuse_paid(_locked_month(date))
    saved = 0
    for pk, hours in checked.items():
        if _set_hours(workshop=workshop, citizen=citizens[pk], day=date, hours=hours, by=by) is not None:
            saved += 1
    return saved


@transaction.atomic
def correct_hours(*, workshop: Workshop, citizen: Citizen, date: datetime.date, hours, note: str, by) -> WorkshopHours:
    """A correction of hours in a paid month, booked in the first open month after it, with a note.

    It earns (or takes back) the rate of the day worked; the day's hours may not end below zero.
    """
    _check_may_log(workshop=workshop, by=by, citizens=[citizen])
    hours = _check_hours(hours, correction=True)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say why the paid hours are corrected."))
    worked = _locked_month(date)
    if not worked.is_paid:
        raise ValidationError(
            _("%(month)s is not paid yet: change the hours on the day's attendance list instead.")
            % {"month": _month_name(worked.month).capitalize()}
        )
    booked_in = _locked_month(selectors.first_open_month_after(date))
    _refuse_paid(booked_in)  # paid in the meantime (the lock above waited for it)
    day_total = sum(
        WorkshopHours.objects.filter(workshop=workshop, citizen=citizen, date=date).values_list("hours", flat=True),
        Decimal(0),
    )
    if day_total + hours < 0:
        raise ValidationError(
            _("%(citizen)s has %(hours)s hours on that day; a correction cannot take away more.")
            % {"citizen": citizen, "hours": format_danish_number(day_total)}
        )
    return WorkshopHours.objects.create(
        workshop=workshop,
        citizen=citizen,
        date=date,
        hours=hours,
        bonus_month=booked_in.month,
        is_correction=True,
        note=note[:200],
        logged_by=by,
    )


@transaction.atomic
def pay_month(*, month: datetime.date, by) -> WorkBonusMonth:
    """Pay the month's work bonus: its statements are final and its hours locked from now on."""
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(_("%(month)s has not ended yet.") % {"month": _month_name(month).capitalize()})
    row = _locked_month(month)
    if row.is_paid:
        raise ValidationError(_("%(month)s is already paid.") % {"month": _month_name(month).capitalize()})
    statements = selectors.month_statements(month)
    missing = [item for item in statements if item.missing_rate is not None]
    if missing:
        first = missing[0].missing_rate
        raise ValidationError(
            _("No %(kind)s rate is in force on %(date)s. Add one on the rates page first.")
            % {
                "kind": _("work bonus") if first.kind == "work bonus" else _("AM contribution"),
                "date": f"{first.day:%d.%m.%Y}",
            }
        )
    row.paid_at, row.paid_by = timezone.now(), by
    row.citizens = len(statements)
    row.total_gross = sum((item.statement.gross for item in statements), Decimal(0))
    row.total_contribution = sum((item.statement.contribution for item in statements), Decimal(0))
    row.save()
    return row


def _refuse_rate_in_paid_month(valid_from: datetime.date) -> None:
    """A paid month's statements never change, so a rate may not take effect in or before one."""
    months = WorkBonusMonth.objects.select_for_update().filter(month__gte=valid_from.replace(day=1))
    paid = [row.month for row in months if row.is_paid]
    if paid:
        latest = max(paid)
        raise ValidationError(
            _("The work bonus for %(month)s is paid. A new rate can take effect from %(date)s at the earliest.")
            % {
                "month": _month_name(latest),
                "date": f"{workbonus.last_day_of(latest) + datetime.timedelta(days=1):%d.%m.%Y}",
            }
        )


@transaction.atomic
def add_work_bonus_rate(*, hourly_rate, valid_from: datetime.date, note: str = "", by=None) -> WorkBonusRate:
    _refuse_rate_in_paid_month(valid_from)
    if WorkBonusRate.objects.filter(valid_from=valid_from).exists():
        raise ValidationError(_("A work bonus rate already takes effect on that date."))
    if hourly_rate is None or hourly_rate <= 0:
        raise ValidationError(_("The work bonus must be more than 0 kr. per hour."))
    return WorkBonusRate.objects.create(hourly_rate=hourly_rate, valid_from=valid_from, note=note)


@transaction.atomic
def add_contribution_rate(
    *, percent, valid_from: datetime.date, note: str = "", by=None
) -> LabourMarketContributionRate:
    _refuse_rate_in_paid_month(valid_from)
    if LabourMarketContributionRate.objects.filter(valid_from=valid_from).exists():
        raise ValidationError(_("An AM contribution rate already takes effect on that date."))
    if percent is None or not (0 <= percent < 100):
        raise ValidationError(_("The AM contribution is a percentage from 0 to 100."))
    return LabourMarketContributionRate.objects.create(percent=percent, valid_from=valid_from, note=note)


@transaction.atomic
def save_workshop(*, workshop: Workshop, participants=None, by=None) -> Workshop:
    workshop.full_clean()
    workshop.save()
    if participants is not None:
        workshop.participants.set(participants)
    return workshop
