"""Rates, invoices and credit notes to paying municipalities."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rate(models.Model):
    """Kroner per hour, valid from a date: a visit is priced at the rate in force on its date."""

    hourly_rate = models.DecimalField(_("hourly rate (kr.)"), max_digits=8, decimal_places=2)
    valid_from = models.DateField(_("valid from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        constraints = [models.CheckConstraint(condition=models.Q(hourly_rate__gt=0), name="rate_is_positive")]

    def __str__(self):
        return f"{self.hourly_rate} kr./t fra {self.valid_from:%d.%m.%Y}"


DEFAULT_HOURLY_RATE = Decimal("450.00")
