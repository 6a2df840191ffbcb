"""The agenda's panel on the citizen page: the visits booked with the citizen, and the button to book one."""

from django.utils import timezone

from agenda.models import Booking
from interventions.selectors import OPEN


def citizen_panel(request, citizen):
    if not request.user.has_perm("agenda.view_booking"):
        return None
    intervention = citizen.interventions.filter(OPEN).only("pk").first()
    if intervention is None:
        return None
    bookings = (
        Booking.objects.filter(intervention=intervention, status=Booking.Status.PLANNED, date__gte=timezone.localdate())
        .select_related("worker")
        .order_by("date", "start_time")[:5]
    )
    context = {"citizen": citizen, "intervention": intervention, "bookings": bookings}
    return "agenda/panel_citizen.html", context
