"""Invoicing's files made on the task queue for one user: the monthly hours statement."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from housingfirst import exports


@exports.maker("hours_statement")
def hours_statement(params: dict, user) -> exports.Made:
    """The hours statement (Timeopgørelse) of a municipality's own team for a month, as PDF."""
    from invoicing import services

    # Rights are checked again here: they can change between the request and the work.
    if not user.has_perm("invoicing.view_invoice"):
        raise ValidationError(_("You may no longer see invoicing."))
    month = datetime.date.fromisoformat(params["month"])
    statement = services.hours_statement(month=month)
    return exports.Made(
        filename=f"timeopgoerelse-{month:%Y-%m}.pdf",
        content=statement.pdf.content,
        content_type="application/pdf",
        citizen_ids=statement.citizen_ids,
    )
