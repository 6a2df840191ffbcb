"""An agreed return to the shelter is invoiced per night at the shelter's day rate, beside the hours."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from lxml import etree
from pypdf import PdfReader

from interventions import services as intervention_services
from interventions.models import Pause
from invoicing import peppol, schematron, services, ubl
from invoicing.models import InvoiceLine, ShelterDayRate
from invoicing.selectors import month_preview
from tests.factories import CitizenFactory, InterventionFactory, PauseFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db
NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}
DAY_RATE = Decimal("1234.50")


@pytest.fixture
def months(month):
    """The month before last and last month: both ended, so both can be invoiced."""
    return (month - datetime.timedelta(days=1)).replace(day=1), month


@pytest.fixture
def day_rate(months):
    return ShelterDayRate.objects.create(day_rate=DAY_RATE, valid_from=months[0] - datetime.timedelta(days=400))


def stay(intervention, from_date, to_date, *, agreed=True):
    pause = PauseFactory(intervention=intervention, from_date=from_date, to_date=to_date, reason=Pause.Reason.SHELTER)
    if agreed:
        pause.agreed_on, pause.agreed_caseworker = from_date, "Lone Sørensen"
        pause.save()
    return pause


def citizen_in(haderslev, months, **kwargs):
    return InterventionFactory(
        citizen=CitizenFactory(paying_municipality=haderslev, **kwargs),
        start_date=months[0] - datetime.timedelta(days=90),
    )


def shelter_lines(invoice):
    return [line for line in invoice.lines.all() if line.kind == InvoiceLine.Kind.SHELTER_DAYS]


def test_a_five_day_return_across_a_month_end_is_two_and_three_days_on_two_invoices(
    provider, haderslev, months, day_rate
):
    first, second = months
    intervention = citizen_in(haderslev, months)
    log_visits(first, minutes=[60], intervention=intervention, day=2)
    log_visits(second, minutes=[30], intervention=intervention, day=10)
    last_day_of_first = second - datetime.timedelta(days=1)
    stay(intervention, last_day_of_first - datetime.timedelta(days=1), second + datetime.timedelta(days=3))

    (january,) = services.issue_month(month=first)
    (february,) = services.issue_month(month=second)

    (two,) = shelter_lines(january)
    (three,) = shelter_lines(february)
    night_before = last_day_of_first - datetime.timedelta(days=1)
    assert (two.days, two.first_day, two.last_day) == (2, night_before, last_day_of_first)
    assert (three.days, three.first_day, three.last_day) == (3, second, second + datetime.timedelta(days=2))
    assert two.amount == Decimal("2469.00") and three.amount == Decimal("3703.50")
    assert january.total == Decimal("450.00") + Decimal("2469.00")
    assert february.total == Decimal("225.00") + Decimal("3703.50")

    for invoice, days in ((january, "2"), (february, "3")):
        stored = services.store_documents(invoice=invoice)
        xml = bytes(stored.xml)
        assert peppol.schema_errors(xml) == []
        assert peppol.peppol_errors(xml) == []
        assert schematron.fatal_errors(xml) == []  # the official Peppol BIS 3.0 rules
        doc = etree.fromstring(xml)
        quantity = doc.find("cac:InvoiceLine/cbc:InvoicedQuantity[@unitCode='DAY']", NS)
        assert quantity is not None and quantity.text == days
        shelter = quantity.getparent()
        assert shelter.findtext("cac:Item/cac:SellersItemIdentification/cbc:ID", namespaces=NS) == ubl.SHELTER_DAY_ITEM
        assert shelter.findtext("cac:Price/cbc:PriceAmount", namespaces=NS) == "1234.50"
        assert shelter.find("cac:Price/cbc:BaseQuantity", NS).get("unitCode") == "DAY"


def test_the_pdf_shows_the_shelter_days_their_dates_and_the_day_rate(provider, haderslev, months, day_rate):
    first, second = months
    intervention = citizen_in(haderslev, months, first_name="Mona", last_name="Holm")
    stay(intervention, first + datetime.timedelta(days=4), first + datetime.timedelta(days=9))

    (invoice,) = services.issue_month(month=first)
    invoice = services.store_documents(invoice=invoice)

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(invoice.pdf))).pages)
    start, end = first + datetime.timedelta(days=4), first + datetime.timedelta(days=8)
    assert "forsorgshjem" in text
    assert f"{start:%d.%m.%Y}–{end:%d.%m.%Y}" in text
    assert "5 døgn" in text
    assert "1.234,50" in text and "6.172,50" in text
    assert "Støttetimer registreret under opholdet faktureres ikke." in text


def test_support_hours_during_the_stay_are_not_billed_unless_the_agreement_says_so(
    provider, haderslev, months, day_rate, settings
):
    first, _second = months
    intervention = citizen_in(haderslev, months)
    log_visits(first, minutes=[60, 45, 30], intervention=intervention, day=3)  # the 3rd, 4th and 5th
    stay(intervention, first + datetime.timedelta(days=3), first + datetime.timedelta(days=10))  # from the 4th

    (preview,) = month_preview(first)
    assert [(line.kind, line.minutes, line.days) for line in preview.lines] == [
        ("support", 60, 0),
        ("shelter_days", 0, 7),
    ]

    settings.BILL_SUPPORT_DURING_SHELTER_STAY = True
    (preview,) = month_preview(first)
    assert [(line.kind, line.minutes, line.days) for line in preview.lines] == [
        ("support", 135, 0),
        ("shelter_days", 0, 7),
    ]


def test_a_return_not_agreed_with_the_municipality_is_not_invoiced_and_says_so(provider, haderslev, months, day_rate):
    first, _second = months
    intervention = citizen_in(haderslev, months, first_name="Per", last_name="Kjær")
    log_visits(first, minutes=[60], intervention=intervention, day=2)
    stay(intervention, first + datetime.timedelta(days=3), first + datetime.timedelta(days=6), agreed=False)

    (preview,) = month_preview(first)

    assert [line.kind for line in preview.lines] == ["support"]
    assert any("Per Kjær" in w and "ikke aftalt med kommunen" in w for w in preview.warnings)


def test_without_a_day_rate_the_month_waits_for_one(provider, haderslev, months):
    first, _second = months
    intervention = citizen_in(haderslev, months)
    log_visits(first, minutes=[60], intervention=intervention, day=2)
    stay(intervention, first + datetime.timedelta(days=3), first + datetime.timedelta(days=6))

    (preview,) = month_preview(first)

    assert not preview.can_issue
    assert preview.blocking == "Ingen døgntakst"
    assert services.issue_month(month=first) == []


def test_a_day_rate_change_during_the_stay_gives_a_line_per_rate(provider, haderslev, months, day_rate):
    first, _second = months
    services.add_shelter_day_rate(day_rate=Decimal("1300.00"), valid_from=first + datetime.timedelta(days=5))
    intervention = citizen_in(haderslev, months)
    stay(intervention, first + datetime.timedelta(days=2), first + datetime.timedelta(days=8))  # 3rd to 8th

    (invoice,) = services.issue_month(month=first)

    assert [(line.days, line.rate, line.amount) for line in shelter_lines(invoice)] == [
        (3, DAY_RATE, Decimal("3703.50")),
        (3, Decimal("1300.00"), Decimal("3900.00")),
    ]
    services.store_documents(invoice=invoice)  # passes the official rules (the autouse fixture)


def test_a_day_rate_cannot_take_effect_in_an_invoiced_month(provider, haderslev, months, day_rate):
    first, second = months
    log_visits(first, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    services.issue_month(month=first)

    with pytest.raises(ValidationError) as refused:
        services.add_shelter_day_rate(day_rate=Decimal("1300.00"), valid_from=first + datetime.timedelta(days=3))

    assert f"tidligst gælde fra {second:%d.%m.%Y}" in refused.value.messages[0]
    with pytest.raises(ValidationError, match="mere end 0 kr."):
        services.add_shelter_day_rate(day_rate=Decimal("0"), valid_from=second)


def test_the_credit_note_credits_the_shelter_days_too(provider, haderslev, months, day_rate, administrator):
    first, _second = months
    intervention = citizen_in(haderslev, months)
    stay(intervention, first + datetime.timedelta(days=1), first + datetime.timedelta(days=4))
    (invoice,) = services.issue_month(month=first)
    services.store_documents(invoice=invoice)

    note = services.store_documents(
        invoice=services.credit_invoice(invoice=invoice, by=administrator, reason="Forkert døgntakst")
    )

    (line,) = shelter_lines(note)
    assert (line.days, line.amount) == (3, Decimal("3703.50"))
    xml = bytes(note.xml)
    assert schematron.fatal_errors(xml) == []
    assert etree.fromstring(xml).find("cac:CreditNoteLine/cbc:CreditedQuantity[@unitCode='DAY']", NS).text == "3"


def test_a_citizen_with_only_shelter_days_in_the_month_gets_a_line(provider, haderslev, months, day_rate):
    first, _second = months
    stay(citizen_in(haderslev, months), first, None)  # still at the shelter: every night of the month

    (invoice,) = services.issue_month(month=first)

    (line,) = invoice.lines.all()
    assert line.kind == InvoiceLine.Kind.SHELTER_DAYS
    assert line.days == (_second - first).days


class TestAgreeingTheReturn:
    def test_it_records_date_and_caseworker(self, worker, months):
        intervention = InterventionFactory(worker=worker, citizen__team=worker.team)
        pause = stay(intervention, months[1], None, agreed=False)

        agreed = intervention_services.agree_shelter_return(
            pause=pause, agreed_on=months[1], caseworker=" Lone Sørensen ", by=worker
        )

        assert (agreed.agreed_on, agreed.agreed_caseworker, agreed.agreed_by) == (months[1], "Lone Sørensen", worker)

    def test_refusals_say_what_is_wrong_on_the_field(self, worker, months):
        intervention = InterventionFactory(worker=worker, citizen__team=worker.team)
        pause = stay(intervention, months[1], None, agreed=False)
        tomorrow = datetime.date.today() + datetime.timedelta(days=1)

        with pytest.raises(ValidationError) as refused:
            intervention_services.agree_shelter_return(pause=pause, agreed_on=tomorrow, caseworker="", by=worker)

        assert refused.value.message_dict == {
            "agreed_on": ["Datoen ligger i fremtiden. Registrér aftalen, når den er indgået."],
            "caseworker": ["Skriv navnet på den sagsbehandler, det er aftalt med."],
        }

    def test_a_hospital_admission_is_not_agreed(self, worker, months):
        pause = PauseFactory(reason=Pause.Reason.HOSPITAL, from_date=months[1])

        with pytest.raises(ValidationError, match="Kun et midlertidigt ophold på forsorgshjemmet"):
            intervention_services.agree_shelter_return(pause=pause, agreed_on=months[1], caseworker="X", by=worker)

    def test_a_stay_in_an_invoiced_month_is_locked(self, provider, haderslev, months, day_rate, worker):
        first, second = months
        intervention = citizen_in(haderslev, months)
        log_visits(first, minutes=[60], intervention=intervention, day=1)
        services.issue_month(month=first)
        back = second + datetime.timedelta(days=2)
        pause = stay(intervention, first + datetime.timedelta(days=5), back, agreed=False)

        with pytest.raises(ValidationError, match="er faktureret"):
            intervention_services.agree_shelter_return(pause=pause, agreed_on=second, caseworker="X", by=worker)

    def test_ending_an_agreed_stay_inside_an_invoiced_month_is_refused(self, provider, haderslev, months, day_rate):
        first, second = months
        intervention = citizen_in(haderslev, months)
        stay(intervention, first + datetime.timedelta(days=20), None)
        intervention.status = intervention.Status.PAUSED
        intervention.save()
        services.issue_month(month=first)

        with pytest.raises(ValidationError, match="er faktureret"):
            intervention_services.end_pause(
                intervention=intervention, to_date=first + datetime.timedelta(days=25), by=intervention.worker
            )
        ended = intervention_services.end_pause(intervention=intervention, to_date=second, by=intervention.worker)
        assert ended.to_date == second


def test_the_agreement_form_records_it_and_another_teams_return_is_404(worker_client, worker, months):
    intervention = InterventionFactory(worker=worker, citizen__team=worker.team)
    pause = stay(intervention, months[1], months[1] + datetime.timedelta(days=3), agreed=False)
    url = intervention.get_absolute_url() + f"pause/{pause.pk}/aftalt/"

    page = worker_client.get(intervention.get_absolute_url())
    assert "Registrér, at det er aftalt med kommunen" in page.content.decode()
    response = worker_client.post(url, {"agreed_on": f"{months[1]:%d.%m.%Y}", "caseworker": "Lone Sørensen"})

    assert response.status_code == 302
    pause.refresh_from_db()
    assert pause.agreed_caseworker == "Lone Sørensen"
    other = stay(InterventionFactory(), months[1], None, agreed=False)
    assert worker_client.get(other.intervention.get_absolute_url() + f"pause/{other.pk}/aftalt/").status_code == 404


def test_the_demo_invoices_an_agreed_return_to_the_shelter(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")

    line = InvoiceLine.objects.filter(kind=InvoiceLine.Kind.SHELTER_DAYS).select_related("invoice").first()
    assert line is not None and line.days > 0 and line.rate == Decimal("1385.00")
    assert schematron.fatal_errors(bytes(line.invoice.xml)) == []


@pytest.mark.parametrize("count", [5, 30])
def test_the_month_preview_with_shelter_stays_runs_a_constant_number_of_queries(
    provider, haderslev, months, day_rate, count, django_assert_max_num_queries
):
    first, _second = months
    for n in range(count):
        intervention = citizen_in(haderslev, months)
        log_visits(first, minutes=[30], intervention=intervention, day=1)
        stay(intervention, first + datetime.timedelta(days=2 + n % 5), first + datetime.timedelta(days=12))

    with django_assert_max_num_queries(11):  # the same for 5 and 30 citizens
        (preview,) = month_preview(first)
        assert len(preview.lines) == 2 * count


def test_the_month_overview_counts_the_shelter_days_before_and_after_issuing(provider, haderslev, months, day_rate):
    from invoicing.selectors import month_overview

    first, _second = months
    stay(citizen_in(haderslev, months), first + datetime.timedelta(days=1), first + datetime.timedelta(days=4))

    (row,) = month_overview(first)
    assert (row.can_issue, row.total_shelter_days, row.total) == (True, 3, Decimal("3703.50"))
    services.issue_month(month=first)
    (row,) = month_overview(first)
    assert (row.invoice is not None, row.total_shelter_days, row.total) == (True, 3, Decimal("3703.50"))
