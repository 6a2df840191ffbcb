import factory

from housingfirst import roles
from tests.factories.core import UserFactory, _role
from workshops.models import Workshop

__all__ = ["WorkshopLeaderFactory", "WorkshopFactory"]


class WorkshopLeaderFactory(UserFactory):
    team = None
    role = _role(roles.WORKSHOP_LEADER)


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop
        django_get_or_create = ["name"]
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Værksted {n}")
    leader = factory.SubFactory(WorkshopLeaderFactory)

    @factory.post_generation
    def participants(workshop, create, extracted, **kwargs):
        if create and extracted:
            workshop.participants.set(extracted)
