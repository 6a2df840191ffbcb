"""Template filters for Danish money, hours and dates; loaded as a builtin in every template."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

register = template.Library()

ORE = Decimal("0.01")


def format_danish_number(value, places: int = 2) -> str:
    """1234.5 → '1.234,50' (always, whatever the active language: documents are Danish)."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    quantum = Decimal(1).scaleb(-places)
    number = number.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _sep, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join(groups) or "0"
    return f"{sign}{text},{fraction}" if places else f"{sign}{text}"


@register.filter
def kr(value) -> str:
    """Money as '1.234,50 kr.'"""
    if value in (None, ""):
        return ""
    return f"{format_danish_number(value)} kr."


@register.filter
def amount(value) -> str:
    """Money without the currency: '1.234,50'."""
    if value in (None, ""):
        return ""
    return format_danish_number(value)


@register.filter
def hours(minutes) -> str:
    """Minutes as hours: 765 → '12,75 t' in Danish, '12,75 h' in English.

    A plain space, so invoices and statements (always rendered in Danish) read '12,75 t' as they always have;
    on a page, the cell that shows it carries text-nowrap so the unit never wraps away from its number.
    """
    if minutes in (None, ""):
        return ""
    unit = pgettext("unit after a number of hours", "h")
    return f"{format_danish_number(Decimal(minutes) / 60)} {unit}"


@register.filter
def dkdate(value) -> str:
    """A date as 23.11.2026."""
    if not value:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "d.m.Y H:i")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


@register.filter
def yesno_da(value) -> str:
    return _("Yes") if value else _("No")
