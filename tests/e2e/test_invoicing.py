"""Journey: an administrator previews last month's invoices, issues them and downloads the PDF and the XML."""

import io
from decimal import Decimal

import pytest
from django.utils import dateformat, timezone, translation
from lxml import etree
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Agreement, AgreementText
from tests.e2e.helpers import ARTIFACTS, assert_accessible, assert_colour_not_alone, open_menu, shoot
from tests.factories import (
    AdministratorFactory,
    AgreementFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    ProviderFactory,
    VisitFactory,
    last_month,
    municipality,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

UBL = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def _citizen_with_visits(month, first, last, minutes):
    intervention = InterventionFactory(citizen__first_name=first, citizen__last_name=last)
    AgreementFactory(
        intervention=intervention,
        status=Agreement.Status.SIGNED,
        issued_at=timezone.now(),
        text=AgreementText.current(),
        provider_signed_on=month,
        municipality_signed_on=month,
    )
    for day, duration in enumerate(minutes, start=3):
        VisitFactory(intervention=intervention, date=month.replace(day=day), duration_minutes=duration)
    return intervention


def test_administrator_issues_last_months_invoices_and_downloads_them(pages, desktop):
    ProviderFactory()
    MunicipalityEANFactory(municipality=municipality("510"), ean="5798000015104")
    month = last_month()
    _citizen_with_visits(month, "Karen", "Holm", [60, 45, 30])  # 2,25 t × 450 = 1.012,50
    _citizen_with_visits(month, "Jens", "Madsen", [90])  # 1,50 t × 450 = 675,00
    with translation.override("da"):
        month_name = dateformat.format(month, "F Y")
    page = pages.log_in(desktop, AdministratorFactory())

    open_menu(page, "Fakturering")
    expect(page.get_by_role("heading", name=f"Fakturering · {month_name}")).to_be_visible()
    expect(page.get_by_text("1 faktura klar til udstedelse")).to_be_visible()
    # One row per municipality; its lines come on demand.
    page.get_by_role("link", name="2 linjer · Haderslev").click()
    hours = page.get_by_role("table", name="Timer for Haderslev")
    expect(hours.get_by_role("row", name="Holm")).to_contain_text("2,25 t")
    expect(hours.get_by_role("row").last).to_have_text("I alt3,75 t1.687,50 kr.")
    expect(page.get_by_text("Klar til udstedelse", exact=True)).to_be_visible()
    assert_accessible(page, "invoicing-month")
    assert_colour_not_alone(page, "invoicing-month")
    shoot(page, "invoicing-month")

    page.get_by_label("Jeg har gennemgået beløbene og advarslerne").check()
    page.get_by_role("button", name=f"Udsted fakturaerne for {month_name}").click()
    expect(page.get_by_text(f"Fakturaerne for {month:%m.%Y} bliver udstedt i opgavekøen.")).to_be_visible()
    # The tests' task backend runs the tasks at once; in production the boxes poll the queue.
    expect(page.get_by_text("Faktureret").or_(page.get_by_text("Faktura 1")).first).to_be_visible()
    expect(page.get_by_text("1 af 1 lavet")).to_be_visible()
    page.get_by_role("link", name="Alle fakturaer").click()
    assert_accessible(page, "invoice-list")
    assert_colour_not_alone(page, "invoice-list")
    shoot(page, "invoice-list")
    row = page.get_by_role("table", name="Fakturaer").get_by_role("row").nth(1)
    expect(row).to_contain_text("1.687,50 kr.")
    row.get_by_role("link").first.click()

    expect(page.get_by_role("heading", name="Faktura", exact=False).first).to_be_visible()
    assert_accessible(page, "invoice-detail")
    assert_colour_not_alone(page, "invoice-detail")
    shoot(page, "invoice-detail")

    downloads = ARTIFACTS / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Hent PDF").click()
    pdf_path = downloads / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.suffix == ".pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "1.687,50" in text
    assert "Karen Holm" in text

    with page.expect_download() as xml_download:
        page.get_by_role("link", name="Elektronisk faktura (XML)").click()
    xml_path = downloads / xml_download.value.suggested_filename
    xml_download.value.save_as(xml_path)
    invoice = etree.parse(str(xml_path)).getroot()
    assert etree.QName(invoice).localname == "Invoice"
    assert Decimal(invoice.findtext(f".//{UBL}PayableAmount")) == Decimal("1687.50")
    buyer_endpoints = [e.text for e in invoice.iter(f"{UBL}EndpointID")]
    assert "5798000015104" in buyer_endpoints
    # Issued today in Copenhagen, the app's time zone (the machine's clock may be UTC, a day behind after midnight).
    assert invoice.findtext(f"{UBL}IssueDate") == timezone.localdate().isoformat()


def test_administrator_sends_an_invoice_and_sees_a_failed_sending_with_its_message(pages, desktop):
    """The e-mail goes through the task queue (inline in the tests): after the last attempt fails the invoice's
    page says why; sent again, it goes once."""
    from unittest import mock

    from django.core import mail

    from invoicing import services
    from invoicing.models import Invoice

    ProviderFactory()
    place = municipality("510")
    place.invoice_email = "faktura@haderslev.example"
    place.save()
    MunicipalityEANFactory(municipality=place, ean="5798000015104")
    month = last_month()
    _citizen_with_visits(month, "Karen", "Holm", [60])
    (invoice,) = services.issue_month(month=month)
    page = pages.log_in(desktop, AdministratorFactory())
    page.goto(pages.url(Invoice.objects.get(pk=invoice.pk).get_absolute_url()))

    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=ConnectionRefusedError(111, "refused")):
        page.get_by_role("button", name="Send med e-mail").click()
        alert = page.locator("#invoice-sending").get_by_role("alert")
        expect(alert).to_contain_text("efter 3 forsøg")
        expect(alert).to_contain_text("mailserveren svarede ikke (ConnectionRefusedError)")
    assert_accessible(page, "invoice-sending-failed")
    shoot(page, "invoice-sending-failed")

    page.get_by_role("button", name="Send med e-mail").click()
    expect(page.locator("#invoice-sending")).to_contain_text("til faktura@haderslev.example")
    shoot(page, "invoice-sent")
    assert len(mail.outbox) == 1
