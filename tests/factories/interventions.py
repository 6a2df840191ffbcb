import datetime

import factory

from housingfirst.models import Method
from interventions.models import Intervention, LockedMonth, Pause, Phase, PhaseTransition, Visit
from tests.factories.citizens import CitizenFactory
from tests.factories.core import WorkerFactory, municipality

__all__ = ["InterventionFactory", "VisitFactory", "PhaseTransitionFactory", "PauseFactory", "LockedMonthFactory"]


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    citizen = factory.SubFactory(CitizenFactory)
    method = Method.CTI
    worker = factory.SubFactory(WorkerFactory, team=factory.SelfAttribute("..citizen.team"))
    coordinator = factory.SelfAttribute("worker")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    # The agreed follow-up, three months in; never in the past, which would be a fidelity warning.
    follow_up_date = factory.LazyAttribute(
        lambda o: max(o.start_date + datetime.timedelta(days=90), datetime.date.today() + datetime.timedelta(days=1))
    )
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


class PhaseTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhaseTransition

    intervention = factory.SubFactory(InterventionFactory)
    phase = Phase.PHASE_1
    date = factory.SelfAttribute("intervention.start_date")
    recorded_by = factory.SelfAttribute("intervention.worker")


class PauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pause

    intervention = factory.SubFactory(InterventionFactory)
    from_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=10))
    to_date = None
    reason = Pause.Reason.HOSPITAL
    recorded_by = factory.SelfAttribute("intervention.worker")


class LockedMonthFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LockedMonth
        django_get_or_create = ["municipality", "month"]

    municipality = factory.LazyFunction(municipality)
    month = factory.LazyFunction(lambda: datetime.date.today().replace(day=1))
    reference = "2026-0001"
