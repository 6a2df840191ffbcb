"""The daily anonymisation of citizens past the retention period (`settings.DAILY_JOBS`)."""

import datetime

from django.utils.translation import gettext_lazy as _

from housingfirst.tasks import retried_task


@retried_task(label=_("Daily: anonymise citizens past the retention period"))
def anonymise_due_citizens(day: str) -> int:
    from citizens.erasure import anonymise_due

    return len(anonymise_due(today=datetime.date.fromisoformat(day)))
