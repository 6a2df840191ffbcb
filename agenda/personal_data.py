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
