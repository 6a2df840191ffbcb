"""Workshops (Serviceloven §103), the hours citizens work in them, and the work bonus (arbejdsdusør).

A citizen employed in one of the provider's workshops earns a bonus per hour at the rate in force on
the day worked; labour-market contribution (AM-bidrag) is withheld of it. Paying a month locks its
hours, the way invoicing a month locks its visits: a correction after that is booked in a later month.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.models import Citizen


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


class Workshop(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("workshop leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_workshops",
    )
    participants = models.ManyToManyField(Citizen, verbose_name=_("participants"), blank=True, related_name="workshops")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        permissions = [
            ("log_workshop_hours", _("Can log workshop hours")),
            ("pay_work_bonus", _("Can pay the work bonus")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workshops:attendance", args=[self.pk])


class WorkshopHours(models.Model):
    """Hours a citizen worked in a workshop on a day, paid in `bonus_month`.

    An ordinary entry is paid in the month it was worked. A correction of a month already paid is
    booked in a later, open month (`is_correction`), may be negative, and says why.
    """

    workshop = models.ForeignKey(Workshop, verbose_name=_("workshop"), on_delete=models.PROTECT, related_name="hours")
    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="workshop_hours"
    )
    date = models.DateField(_("date worked"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    bonus_month = models.DateField(_("paid in month"), help_text=_("The first day of the month."))
    is_correction = models.BooleanField(_("correction of a paid month"), default=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), auto_now=True)

    # Hours are money: every change and removal is kept, with who made it, for the audit trail.
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("workshop hours")
        verbose_name_plural = _("workshop hours")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "citizen", "date"],
                condition=models.Q(is_correction=False),
                name="one_entry_per_workshop_citizen_day",
            ),
            models.CheckConstraint(condition=models.Q(bonus_month__day=1), name="bonus_month_is_first_day"),
            models.CheckConstraint(
                condition=models.Q(hours__lte=24, hours__gte=-24) & ~models.Q(hours=0), name="workshop_hours_in_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(is_correction=True) | models.Q(hours__gt=0), name="ordinary_hours_are_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(is_correction=False)
                | (~models.Q(note="") & models.Q(bonus_month__gt=models.F("date"))),
                name="correction_is_later_and_says_why",
            ),
        ]
        indexes = [models.Index(fields=["bonus_month", "citizen"]), models.Index(fields=["workshop", "date"])]

    def __str__(self):
        return f"{self.citizen} {self.date:%d.%m.%Y}: {self.hours} t"


class WorkBonusRate(models.Model):
    """Kroner per workshop hour, valid from a date (30 kr. in 2024): an hour earns the rate of its day."""

    hourly_rate = models.DecimalField(_("work bonus per hour (kr.)"), max_digits=6, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("work bonus rate")
        verbose_name_plural = _("work bonus rates")
        constraints = [
            models.CheckConstraint(condition=models.Q(hourly_rate__gt=0), name="work_bonus_rate_is_positive")
        ]

    def __str__(self):
        return f"{self.hourly_rate} kr./t fra {self.valid_from:%d.%m.%Y}"


class LabourMarketContributionRate(models.Model):
    """The labour-market contribution (AM-bidrag) in per cent, valid from a date (8 % today)."""

    percent = models.DecimalField(_("AM contribution (%)"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("AM contribution rate")
        verbose_name_plural = _("AM contribution rates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lt=100), name="am_contribution_is_a_percentage"
            )
        ]

    def __str__(self):
        return f"{self.percent} % fra {self.valid_from:%d.%m.%Y}"


class WorkBonusMonth(models.Model):
    """A month of work bonus. Its row is what logging and paying lock, so no hour slips into a month
    while it is being paid; once paid, its hours never change."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    citizens = models.PositiveIntegerField(_("citizens paid"), default=0)
    total_gross = models.DecimalField(_("gross work bonus (kr.)"), max_digits=12, decimal_places=2, default=0)
    total_contribution = models.DecimalField(_("AM contribution (kr.)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("work bonus month")
        verbose_name_plural = _("work bonus months")
        constraints = [models.CheckConstraint(condition=models.Q(month__day=1), name="work_bonus_month_is_first_day")]

    def __str__(self):
        return f"{self.month:%m.%Y}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None
