"""Read queries for invoicing."""

import datetime
from decimal import Decimal

from invoicing.models import DEFAULT_HOURLY_RATE, Rate


def rate_in_force(on: datetime.date) -> Decimal:
    """The hourly rate in force on a day (450 kr. when no rate is registered yet)."""
    rate = Rate.objects.filter(valid_from__lte=on).order_by("-valid_from").values_list("hourly_rate", flat=True).first()
    return rate if rate is not None else DEFAULT_HOURLY_RATE
