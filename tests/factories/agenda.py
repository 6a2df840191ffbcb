import datetime

import factory

from agenda.models import Booking
from tests.factories.interventions import InterventionFactory

__all__ = ["BookingFactory"]


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    intervention = factory.SubFactory(InterventionFactory)
    worker = factory.SelfAttribute("intervention.worker")
    created_by = factory.SelfAttribute("worker")
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=1))
    start_time = datetime.time(10, 0)
    duration_minutes = 60
    place = Booking.Place.HOME
