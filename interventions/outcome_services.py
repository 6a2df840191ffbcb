"""Recording what fidelity and outcomes are measured from: supervision meetings and housing statuses.

Kept beside `services.py` (already past the size where STYLE.md splits it) rather than inside it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from housingfirst.models import Method, Team, User
from interventions.models import HousingStatus, Intervention, PhaseTemplate, SupervisionMeeting
from interventions.phases import add_months

CHECKPOINT_MONTHS = {
    HousingStatus.Checkpoint.END: 0,
    HousingStatus.Checkpoint.MONTHS_3: 3,
    HousingStatus.Checkpoint.MONTHS_12: 12,
}


def checkpoint_date(intervention: Intervention, checkpoint: str) -> datetime.date | None:
    """When a housing status falls due: on the end day, and 3 and 12 calendar months after it."""
    if not intervention.end_date:
        return None
    return add_months(intervention.end_date, CHECKPOINT_MONTHS[checkpoint])


@transaction.atomic(durable=True)
def record_meeting(
    *, team: Team, date: datetime.date, kind: str, participants, minutes: str = "", by: User
) -> SupervisionMeeting:
    if date > timezone.localdate():
        raise ValidationError({"date": _("A meeting is recorded when it has taken place; the date is in the future.")})
    outsiders = [str(user) for user in participants if user.team_id != team.pk]
    if outsiders:
        raise ValidationError({"participants": _("Not in the team: %(names)s.") % {"names": ", ".join(outsiders)}})
    if not participants:
        raise ValidationError({"participants": _("Choose who took part.")})
    meeting = SupervisionMeeting.objects.create(team=team, date=date, kind=kind, minutes=minutes, recorded_by=by)
    meeting.participants.set(participants)
    return meeting


@transaction.atomic(durable=True)
def record_housing_status(
    *, intervention: Intervention, checkpoint: str, status: str, note: str = "", by: User, today=None
) -> HousingStatus:
    """The citizen's housing at a checkpoint after a CTI course; once per checkpoint (a second answer from
    a colleague at the same moment meets the unique constraint and is told so)."""
    today = today or timezone.localdate()
    intervention = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if intervention.method != Method.CTI or intervention.status != Intervention.Status.ENDED:
        raise ValidationError(_("A housing status is recorded for a CTI course that has ended."))
    due = checkpoint_date(intervention, checkpoint)
    if due > today:
        raise ValidationError(
            {"status": _("This follow-up falls due on %(date)s.") % {"date": date_format(due, "d.m.Y")}}
        )
    if HousingStatus.objects.filter(intervention=intervention, checkpoint=checkpoint).exists():
        raise ValidationError({"status": _("The housing status is already recorded for this time.")})
    try:
        with transaction.atomic():
            return HousingStatus.objects.create(
                intervention=intervention, checkpoint=checkpoint, status=status, note=note, recorded_by=by
            )
    except IntegrityError as error:
        raise ValidationError({"status": _("The housing status is already recorded for this time.")}) from error


# The expectations fidelity is measured against: the contact rhythm per phase and method, and how often
# each worker takes part in method supervision. Kept in the phase template, edited by administrators.
EXPECTATION_FIELDS = (
    "contact_every_days_phase_1",
    "contact_every_days_phase_2",
    "contact_every_days_phase_3",
    "icm_contact_every_days",
    "act_contact_every_days",
    "supervision_every_days",
)
MAX_EXPECTATION_DAYS = 92  # a quarter: a rhythm longer than the period a report covers measures nothing


@transaction.atomic(durable=True)
def set_expectations(*, by: User, **values) -> PhaseTemplate:
    """Change the fidelity expectations; the template's history keeps who changed what and when."""
    unknown = set(values) - set(EXPECTATION_FIELDS)
    if unknown:
        raise TypeError(f"Not an expectation: {', '.join(sorted(unknown))}")
    PhaseTemplate.current()
    template = PhaseTemplate.objects.select_for_update().get(singleton=True)
    for name, value in values.items():
        if value is None or not 1 <= value <= MAX_EXPECTATION_DAYS:
            raise ValidationError({name: _("Choose between 1 and %(max)s days.") % {"max": MAX_EXPECTATION_DAYS}})
        setattr(template, name, value)
    template.full_clean()
    template._history_user = by
    template.save()
    return template
