"""The stored PDF and UBL XML: schema-valid, Peppol calculation rules, PDF totals equal the XML's."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from lxml import etree
from pypdf import PdfReader

from invoicing import peppol, services, ubl
from invoicing.models import Invoice
from tests.factories import CitizenFactory, InterventionFactory, RateFactory, VisitFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db
NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}


def issue_with_lines(month, haderslev, count, *, minutes=(17, 23, 61)):
    for n in range(count):
        log_visits(
            month, minutes=minutes[: 1 + n % len(minutes)], citizen=CitizenFactory(paying_municipality=haderslev)
        )
    (invoice,) = services.issue_month(month=month)
    return services.store_documents(invoice=invoice)


def pdf_text(invoice) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(invoice.pdf))).pages)


@pytest.mark.parametrize("count", [1, 2, 60])
def test_invoice_xml_is_schema_valid_and_adds_up(provider, haderslev, month, count):
    RateFactory(valid_from=month, hourly_rate=Decimal("457.35"))  # amounts that round
    invoice = issue_with_lines(month, haderslev, count)

    xml = bytes(invoice.xml)
    assert peppol.schema_errors(xml) == []
    assert peppol.peppol_errors(xml) == []
    doc = etree.fromstring(xml)
    assert doc.findtext("cbc:CustomizationID", namespaces=NS) == ubl.CUSTOMIZATION_ID
    assert doc.findtext("cbc:ProfileID", namespaces=NS) == ubl.PROFILE_ID
    assert len(doc.findall("cac:InvoiceLine", NS)) == count
    assert doc.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS).get("schemeID") == "0088"
    assert (
        doc.find("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", NS).get("schemeID")
        == "0184"
    )
    assert doc.findtext("cbc:DueDate", namespaces=NS) == invoice.due_date.isoformat()
    assert doc.findtext("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID", namespaces=NS) == "E"
    assert Decimal(doc.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)) == invoice.total
    assert invoice.xml_sha256 and invoice.pdf_sha256


def test_pdf_is_a_danish_invoice_whose_totals_equal_the_xml(provider, haderslev, month):
    RateFactory(valid_from=month, hourly_rate=Decimal("457.35"))
    invoice = issue_with_lines(month, haderslev, 60)

    text = pdf_text(invoice)
    payable = Decimal(
        etree.fromstring(bytes(invoice.xml)).findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS)
    )
    danish_total = f"{payable:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"{danish_total} kr." in text
    for word in ("Faktura", "Fakturanummer", "Fakturadato", "Forfaldsdato", "Momsfritaget", "EAN", "CVR"):
        assert word in text
    assert invoice.pages >= 2
    assert re.search(rf"side {invoice.pages} af {invoice.pages}", text)
    assert text.count(provider.name) >= invoice.pages  # the provider's header on every page


def test_credit_note_references_the_invoice_and_is_schema_valid(provider, haderslev, month, administrator):
    invoice = issue_with_lines(month, haderslev, 2)

    note = services.store_documents(
        invoice=services.credit_invoice(invoice=invoice, by=administrator, reason="Forkert antal timer")
    )

    xml = bytes(note.xml)
    assert peppol.schema_errors(xml) == []
    assert peppol.peppol_errors(xml) == []
    doc = etree.fromstring(xml)
    assert etree.QName(doc).localname == "CreditNote"
    assert doc.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == invoice.number
    assert note.number == "2"
    text = pdf_text(note)
    assert "Kreditnota" in text and "Kreditnotanummer" in text and "Kreditnotadato" in text
    assert "Fakturanummer" not in text and "Fakturadato" not in text
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED


def test_the_checker_catches_totals_that_do_not_add_up(provider, haderslev, month):
    invoice = issue_with_lines(month, haderslev, 2)
    broken = bytes(invoice.xml).replace(
        f'<cbc:PayableAmount currencyID="DKK">{invoice.total}'.encode(), b'<cbc:PayableAmount currencyID="DKK">1.00'
    )

    assert any(error.startswith("BR-CO-16") for error in peppol.peppol_errors(broken))


def test_the_schema_catches_elements_out_of_order(provider, haderslev, month):
    invoice = issue_with_lines(month, haderslev, 1)
    doc = etree.fromstring(bytes(invoice.xml))
    doc.append(doc.find("cbc:IssueDate", NS))  # moved to the end

    assert peppol.schema_errors(etree.tostring(doc))


def test_documents_are_stored_once(provider, haderslev, month):
    invoice = issue_with_lines(month, haderslev, 1)
    sha = invoice.pdf_sha256

    again = services.store_documents(invoice=invoice)

    assert again.pdf_sha256 == sha


def test_no_citizen_of_another_month_or_not_billable_is_invoiced(provider, haderslev, month):
    intervention = InterventionFactory(citizen=CitizenFactory(paying_municipality=haderslev))
    VisitFactory(intervention=intervention, date=month, duration_minutes=60)
    VisitFactory(intervention=intervention, date=month, duration_minutes=30, billable=False)
    VisitFactory(intervention=intervention, date=month - datetime.timedelta(days=1), duration_minutes=30)

    (invoice,) = services.issue_month(month=month)

    assert invoice.lines.get().minutes == 60


def test_the_buyer_carries_its_cvr_and_address_when_the_municipality_has_them(provider, haderslev, month):
    haderslev.cvr, haderslev.address, haderslev.postal_code, haderslev.city = (
        "29189609",
        "Gravene 2",
        "6100",
        "Haderslev",
    )
    haderslev.save()
    invoice = issue_with_lines(month, haderslev, 1)

    xml = bytes(invoice.xml)
    assert peppol.schema_errors(xml) == []
    assert peppol.peppol_errors(xml) == []
    buyer = etree.fromstring(xml).find("cac:AccountingCustomerParty/cac:Party", NS)
    company = buyer.find("cac:PartyLegalEntity/cbc:CompanyID", NS)
    assert (company.text, company.get("schemeID")) == ("29189609", "0184")
    assert buyer.findtext("cac:PostalAddress/cbc:StreetName", namespaces=NS) == "Gravene 2"
    assert buyer.findtext("cac:PostalAddress/cbc:PostalZone", namespaces=NS) == "6100"
    assert "CVR 29189609" in pdf_text(invoice)


def test_the_pdf_shows_the_minutes_an_amount_is_computed_from(provider, haderslev, month):
    log_visits(month, minutes=[60, 55], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)

    text = " ".join(pdf_text(services.store_documents(invoice=invoice)).split())

    # 1,92 t × 450,00 is 864,00; the amount comes from the 115 minutes: 115 × 450 / 60 = 862,50.
    assert "1,92 t" in text and "115 min" in text and "862,50" in text
    assert "Beløbene er beregnet af de registrerede minutter" in text


def payment_and_tax_identity(invoice):
    doc = etree.fromstring(bytes(invoice.xml))
    means = doc.find("cac:PaymentMeans", NS)
    schemes = doc.findall("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS)
    return (
        means.findtext("cbc:PaymentMeansCode", namespaces=NS),
        means.findtext("cac:PayeeFinancialAccount/cbc:ID", namespaces=NS),
        means.findtext("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID", namespaces=NS),
        [
            (s.findtext("cbc:CompanyID", namespaces=NS), s.findtext("cac:TaxScheme/cbc:ID", namespaces=NS))
            for s in schemes
        ],
    )


@pytest.mark.parametrize("iban", ["", "DK5080650001234567"])
def test_kroner_are_paid_by_danish_bank_transfer_and_the_seller_is_not_called_vat_registered(
    provider, haderslev, month, iban
):
    provider.iban = iban
    provider.save()

    invoice = issue_with_lines(month, haderslev, 1)

    assert peppol.peppol_errors(bytes(invoice.xml)) == []
    # 42 with reg. no. and account number, never 58 (SEPA, in euro); the CVR as tax registration (BT-32).
    assert payment_and_tax_identity(invoice) == ("42", "1234567", "8065", [("10000009", "TAX")])


def test_a_danish_iban_alone_gives_the_reg_no_and_account_number(provider, haderslev, month):
    provider.bank_reg_number = provider.bank_account_number = ""
    provider.iban = "DK50 8065 0001 2345 67"
    provider.save()

    invoice = issue_with_lines(month, haderslev, 1)

    assert peppol.schema_errors(bytes(invoice.xml)) == []
    assert peppol.peppol_errors(bytes(invoice.xml)) == []
    assert payment_and_tax_identity(invoice)[:3] == ("42", "0001234567", "8065")


def test_the_checker_catches_a_bank_transfer_without_reg_no_and_a_malformed_vat_number(provider, haderslev, month):
    invoice = issue_with_lines(month, haderslev, 1)
    broken = (
        bytes(invoice.xml)
        .replace(b"<cbc:ID>8065</cbc:ID>", b"")
        .replace(b"<cbc:ID>TAX</cbc:ID>", b"<cbc:ID>VAT</cbc:ID>")
    )

    errors = peppol.peppol_errors(broken)

    assert any(error.startswith("DK-R-006") for error in errors)
    assert any(error.startswith("DK-R-015") for error in errors)
