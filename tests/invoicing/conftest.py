import datetime

import pytest

from tests.factories import InterventionFactory, MunicipalityEANFactory, VisitFactory, last_month, municipality


@pytest.fixture
def month():
    return last_month()


@pytest.fixture
def haderslev(db):
    """Haderslev (510) with an EAN for invoices and an invoice e-mail."""
    place = municipality("510")
    place.invoice_email = "faktura@haderslev.example"
    place.save()
    MunicipalityEANFactory(municipality=place, ean="5798000015104", label="Socialafdelingen")
    return place


def log_visits(month, *, minutes, intervention=None, day=3, **intervention_kwargs):
    """Billable visits of the given minutes on consecutive days of the month, for one intervention."""
    intervention = intervention or InterventionFactory(**intervention_kwargs)
    for offset, duration in enumerate(minutes):
        VisitFactory(
            intervention=intervention, date=month + datetime.timedelta(days=day - 1 + offset), duration_minutes=duration
        )
    return intervention
