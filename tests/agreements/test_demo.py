import pytest

from agreements import demo
from agreements.models import Agreement
from tests.factories import ActionPlanFactory, AdministratorFactory, InterventionFactory, MunicipalityEANFactory

pytestmark = pytest.mark.django_db


def test_demo_makes_agreements_in_every_state_once(provider):
    admin = AdministratorFactory()
    for _ in range(len(demo.STATES)):
        intervention = InterventionFactory()
        ActionPlanFactory(citizen=intervention.citizen)
    if not intervention.citizen.paying_municipality.eans.exists():
        MunicipalityEANFactory(municipality=intervention.citizen.paying_municipality)
    context = {"users": {"admin": admin}}

    demo.seed(context)
    states = set(Agreement.objects.values_list("status", flat=True))
    count = Agreement.objects.count()
    demo.seed(context)

    assert states == {"draft", "issued", "signed", "ended"}
    assert Agreement.objects.count() == count == len(demo.STATES) + 1  # the new version is a draft of its own
    assert Agreement.objects.filter(previous_version__isnull=False).count() == 1
    assert all(a.pdf_sha256 for a in Agreement.objects.exclude(status="draft"))


def test_demo_with_no_interventions_does_nothing(provider):
    demo.seed({"users": {"admin": AdministratorFactory()}})
    assert not Agreement.objects.exists()
