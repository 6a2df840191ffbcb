"""What the agenda holds on a citizen: booked visits."""

from django.utils.translation import gettext_lazy as _

from agenda.models import Booking
from housingfirst import personal_data


@personal_data.section(order=30)
def booking_sections(citizen) -> list[personal_data.Section]:
    bookings = Booking.objects.filter(intervention__citizen=citizen).select_related(
        "intervention", "worker", "visit", "created_by"
    )
    return [
        personal_data.model_section(
            "bookings",
            _("Bookings"),
            bookings,
            exclude=("visit",),
            shown=("date", "start_time", "duration_minutes", "place", "status", "worker", "note"),
        )
    ]


@personal_data.eraser(order=30)
def erase_bookings(citizen) -> list:
    """The bookings' notes, and the notifications that name the citizen or link to their pages."""
    from django.db.models import Q

    from agenda.models import Notification

    Booking.objects.filter(intervention__citizen=citizen).update(note="")
    urls = [citizen.get_absolute_url(), *(i.get_absolute_url() for i in citizen.interventions.all())]
    Notification.objects.filter(Q(url__in=urls) | Q(text__contains=citizen.full_name)).delete()
    return []
