"""An invoiced visit stays locked when the citizen changes paying municipality, until its invoice is credited."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from interventions import services as visit_services
from interventions.models import Visit
from invoicing import services
from tests.factories import CitizenFactory, MunicipalityEANFactory, municipality
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db
CREDIT_NOTE_MESSAGE = "Bed administrationen om en kreditnota for at rette det."


@pytest.fixture
def moved(provider, haderslev, month):
    """A citizen whose month is invoiced to Haderslev, who then moves to Copenhagen (no lock there)."""
    citizen = CitizenFactory(paying_municipality=haderslev)
    intervention = log_visits(month, minutes=[60], citizen=citizen)
    (invoice,) = services.issue_month(month=month)
    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    citizen.paying_municipality = copenhagen
    citizen.save()
    return intervention, invoice


def refused(call, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return " ".join(error.value.messages)


def test_an_invoiced_visit_cannot_be_changed_or_deleted_after_the_citizen_moves(moved):
    intervention, _invoice = moved
    visit = intervention.visits.get()
    worker = intervention.worker

    assert CREDIT_NOTE_MESSAGE in refused(visit_services.change_visit, visit=visit, by=worker, duration_minutes=90)
    assert CREDIT_NOTE_MESSAGE in refused(visit_services.delete_visit, visit=visit, by=worker)
    assert Visit.objects.filter(pk=visit.pk, duration_minutes=60).exists()


def test_no_visit_is_added_to_the_invoiced_month_after_the_citizen_moves(moved, month):
    intervention, _invoice = moved

    message = refused(
        visit_services.log_visit,
        intervention=intervention,
        by=intervention.worker,
        date=month + datetime.timedelta(days=9),
        start_time=datetime.time(9, 0),
        duration_minutes=30,
    )

    assert CREDIT_NOTE_MESSAGE in message
    assert intervention.visits.count() == 1


def test_the_visit_page_says_locked_after_the_citizen_moves(moved, client):
    intervention, _invoice = moved
    client.force_login(intervention.worker)

    html = client.get(intervention.visits.get().get_absolute_url()).content.decode()

    assert "Låst: faktureret" in html


def test_the_visit_can_be_corrected_once_the_invoice_is_credited(moved):
    intervention, invoice = moved
    services.credit_invoice(invoice=invoice, reason="Borgeren skiftede betalingskommune")

    visit = visit_services.change_visit(visit=intervention.visits.get(), by=intervention.worker, duration_minutes=90)

    assert visit.duration_minutes == 90
