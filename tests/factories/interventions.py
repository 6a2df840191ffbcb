import datetime

import factory

from housingfirst.models import Method
from interventions.models import Intervention, Visit
from tests.factories.citizens import CitizenFactory
from tests.factories.core import WorkerFactory

__all__ = ["InterventionFactory", "VisitFactory"]


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    citizen = factory.SubFactory(CitizenFactory)
    method = Method.CTI
    worker = factory.SubFactory(WorkerFactory, team=factory.SelfAttribute("..citizen.team"))
    coordinator = factory.SelfAttribute("worker")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    status = Intervention.Status.ACTIVE


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    intervention = factory.SubFactory(InterventionFactory)
    worker = factory.SelfAttribute("intervention.worker")
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    start_time = datetime.time(10, 0)
    duration_minutes = 45
    kind = Visit.Kind.HOME_VISIT
