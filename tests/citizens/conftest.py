import datetime

import pytest
from django.core.files.base import ContentFile

from invoicing import services as invoicing
from tests.factories import (
    ActionPlanFactory,
    AgreementFactory,
    BookingFactory,
    CitizenFactory,
    ConsentFactory,
    GoalFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    VisitFactory,
    WorkshopFactory,
    last_month,
    municipality,
)
from workshops.models import WorkshopHours

SIGNED_PDF = b"%PDF-1.4\n% the signed consent\n%%EOF\n"


@pytest.fixture
def held_citizen(db, provider, administrator):
    """A citizen with something of every kind the app holds: a plan with a goal, a consent with its signed
    copy, an intervention with a visit (and its note) last month, a booking, an agreement, and an issued
    invoice with a line for the citizen."""
    place = municipality("510")
    MunicipalityEANFactory(municipality=place, ean="5798000015104", label="Socialafdelingen")
    citizen = CitizenFactory(
        first_name="Åse", last_name="Østergård", phone="20 30 40 50", email="aase@example.dk", cpr="0101901234"
    )
    plan = ActionPlanFactory(citizen=citizen, notes="Ønsker hjælp til økonomi")
    GoalFactory(plan=plan, description="Få styr på huslejen")
    consent = ConsentFactory(citizen=citizen)
    consent.document.save("samtykke.pdf", ContentFile(SIGNED_PDF))
    month = last_month()
    intervention = InterventionFactory(citizen=citizen, start_date=month - datetime.timedelta(days=30))
    VisitFactory(intervention=intervention, date=month + datetime.timedelta(days=2), note="Talte om gæld til Skat")
    BookingFactory(intervention=intervention, note="Tag nøglerne med")
    AgreementFactory(intervention=intervention)
    invoicing.issue_month(month=month, by=administrator)
    workshop = WorkshopFactory(name="Cykelværkstedet", participants=[citizen])
    WorkshopHours.objects.create(
        workshop=workshop, citizen=citizen, date=month, hours=3, bonus_month=month, logged_by=workshop.leader,
        note="Reparerede cykler",
    )  # fmt: skip
    return citizen
