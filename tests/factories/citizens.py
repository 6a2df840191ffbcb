import datetime

import factory

from citizens.models import ActionPlan, Citizen, Consent, Goal, LifeArea
from tests.factories.core import CaseworkerFactory, TeamFactory, municipality

__all__ = ["CitizenFactory", "ActionPlanFactory", "GoalFactory", "ConsentFactory", "life_area", "fictional_cpr"]


def fictional_cpr(n: int) -> str:
    """A valid CPR (real date, 1900s century digit) that differs for each n."""
    birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=(n * 37) % 14000)
    return f"{birth:%d%m%y}{(1000 + n) % 4000:04d}"


def life_area(name="Bolig") -> LifeArea:
    return LifeArea.objects.get(name=name)


class CitizenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Citizen

    first_name = factory.Faker("first_name", locale="da_DK")
    last_name = factory.Faker("last_name", locale="da_DK")
    cpr = factory.Sequence(fictional_cpr)
    address = "Storegade 1, 1. tv."
    postal_code = "6100"
    city = "Haderslev"
    move_in_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    paying_municipality = factory.LazyFunction(municipality)
    acting_municipality = factory.LazyFunction(municipality)
    caseworker = factory.SubFactory(CaseworkerFactory)
    team = factory.SubFactory(TeamFactory)
    status = Citizen.Status.SUPPORTED


class ActionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionPlan

    citizen = factory.SubFactory(CitizenFactory)
    kind = ActionPlan.Kind.SEL_142
    received_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=70))
    municipality = factory.LazyAttribute(lambda plan: plan.citizen.paying_municipality)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(ActionPlanFactory)
    life_area = factory.LazyFunction(life_area)
    description = "Få møbler og indrette boligen"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    citizen = factory.SubFactory(CitizenFactory)
    covers = "Indhente oplysninger fra jobcenter og egen læge"
    obtain_from = "Jobcenter, egen læge"
    given_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=60))
    expires_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=300))
