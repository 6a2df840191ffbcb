import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from invoicing.models import Rate

__all__ = ["RateFactory", "last_month"]


def last_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of the month before today's (a month that has ended, so it can be invoiced).

    Today in Copenhagen, as the app counts it: on the 1st just after midnight the machine's UTC date is still
    in the month before, and "last month" would be one month too early.
    """
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate
        django_get_or_create = ["valid_from"]

    valid_from = datetime.date(2025, 1, 1)
    hourly_rate = Decimal("455.00")
