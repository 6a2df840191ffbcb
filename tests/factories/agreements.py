import factory

from agreements.models import Agreement
from tests.factories.interventions import InterventionFactory

__all__ = ["AgreementFactory"]


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    intervention = factory.SubFactory(InterventionFactory)
    citizen = factory.SelfAttribute("intervention.citizen")
    method = factory.SelfAttribute("intervention.method")
    start_date = factory.SelfAttribute("intervention.start_date")
    paying_municipality = factory.SelfAttribute("citizen.paying_municipality")
    caseworker = factory.SelfAttribute("citizen.caseworker")
    coordinator = factory.SelfAttribute("intervention.coordinator")
