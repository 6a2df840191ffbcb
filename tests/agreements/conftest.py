import pytest

from tests.factories import ActionPlanFactory, InterventionFactory, MunicipalityEANFactory


@pytest.fixture
def intervention(db, provider, worker):
    """An active CTI intervention in the worker's team, with a §142 plan and a municipality with an EAN."""
    intervention = InterventionFactory(
        citizen__team=worker.team, citizen__first_name="Karen", citizen__last_name="Holm"
    )
    ActionPlanFactory(citizen=intervention.citizen)
    if not intervention.citizen.paying_municipality.eans.exists():
        MunicipalityEANFactory(municipality=intervention.citizen.paying_municipality)
    return intervention
