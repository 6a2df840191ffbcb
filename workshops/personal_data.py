"""What the workshops app holds on a citizen: workshop hours (with corrections) and workshop places."""

from django.utils.translation import gettext_lazy as _

from housingfirst import personal_data
from workshops.models import Workshop, WorkshopHours

ERASED = "(slettet)"


@personal_data.section(order=45)
def workshop_sections(citizen) -> list[personal_data.Section]:
    return [
        personal_data.model_section(
            "workshop_hours",
            _("Workshop hours"),
            WorkshopHours.objects.filter(citizen=citizen)
            .select_related("workshop", "logged_by")
            .order_by("date", "pk"),
            exclude=("citizen",),
            shown=("workshop", "date", "hours", "bonus_month", "is_correction", "note"),
        ),
        personal_data.model_section(
            "workshops",
            _("Workshops"),
            Workshop.objects.filter(participants=citizen).select_related("leader"),
            exclude=("participants",),
            shown=("name", "leader"),
        ),
    ]


@personal_data.eraser(order=45)
def erase_workshop_notes(citizen) -> list:
    """The notes on corrections, also in their history, and the places on workshop lists. The hours
    stay: they are the payroll's record of a bonus paid (bookkeeping), like an issued invoice."""
    # A correction must say why (a database check), so its words are replaced, not emptied.
    WorkshopHours.objects.filter(citizen=citizen).exclude(note="").update(note=ERASED)
    WorkshopHours.history.filter(citizen_id=citizen.pk).exclude(note="").update(note=ERASED)
    for workshop in Workshop.objects.filter(participants=citizen):
        workshop.participants.remove(citizen)
    return []
