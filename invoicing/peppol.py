"""Checks on a UBL document: the OASIS UBL 2.1 schema and the main Peppol BIS 3.0 / EN 16931 rules.

Not the full Schematron (that needs an XSLT 2 engine): the calculation rules that can go wrong in
our own code, and the fixed identifiers and tax rules for exempt (category E) invoices. The
issuing service runs `peppol_errors` on every document before storing it; the tests run both.
"""

from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

from invoicing import ubl

SCHEMA_DIR = Path(__file__).parent / "schemas" / "ubl-2.1" / "maindoc"
NS = {"cac": ubl.NS_CAC, "cbc": ubl.NS_CBC}
DANISH_PAYMENT_MEANS = {"1", "10", "31", "42", "48", "49", "50", "58", "59", "93", "97"}


@cache
def _schema(root_tag: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"UBL-{root_tag}-2.1.xsd")))


def schema_errors(xml: bytes) -> list[str]:
    """Errors against UBL-Invoice-2.1.xsd or UBL-CreditNote-2.1.xsd (empty when valid)."""
    document = etree.fromstring(xml)
    schema = _schema(etree.QName(document).localname)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def _amount(node, path: str) -> Decimal:
    found = node.find(path, NS)
    if found is None:
        raise AssertionError(f"missing {path}")
    return Decimal(found.text)


def _has_two_decimals_at_most(value: str) -> bool:
    return "." not in value or len(value.split(".")[1]) <= 2


def peppol_errors(xml: bytes) -> list[str]:
    """The rules a receiving access point would reject the document for, that we can break."""
    errors = []
    doc = etree.fromstring(xml)
    credit = etree.QName(doc).localname == "CreditNote"
    line_tag = "cac:CreditNoteLine" if credit else "cac:InvoiceLine"
    quantity_tag = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"

    def text(path):
        found = doc.find(path, NS)
        return found.text if found is not None else None

    if text("cbc:CustomizationID") != ubl.CUSTOMIZATION_ID:
        errors.append("BR-01/PEPPOL-R004: CustomizationID is not Peppol BIS Billing 3.0")
    if text("cbc:ProfileID") != ubl.PROFILE_ID:
        errors.append("PEPPOL-R001: ProfileID is not billing 01")
    if not text("cbc:ID"):
        errors.append("BR-02: the document has no number")
    if not text("cbc:BuyerReference") and doc.find("cac:OrderReference", NS) is None:
        errors.append("PEPPOL-R003: buyer reference or order reference is required")
    for party in ("AccountingSupplierParty", "AccountingCustomerParty"):
        endpoint = doc.find(f"cac:{party}/cac:Party/cbc:EndpointID", NS)
        if endpoint is None or not endpoint.get("schemeID"):
            errors.append(f"PEPPOL-R020: {party} has no electronic address with a scheme")
    if credit and doc.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS) is None:
        errors.append("credit note does not reference the invoice it corrects")
    if not credit and not text("cbc:DueDate") and doc.find("cac:PaymentTerms", NS) is None:
        errors.append("BR-CO-25: a positive amount due needs a due date or payment terms")

    for element in doc.iter(f"{{{ubl.NS_CBC}}}*"):
        if element.get("currencyID") is not None and not _has_two_decimals_at_most(element.text or ""):
            errors.append(f"BR-DEC: {etree.QName(element).localname} has more than two decimals")

    line_sum = Decimal("0")
    for line in doc.findall(line_tag, NS):
        line_id = line.findtext("cbc:ID", namespaces=NS)
        quantity = Decimal(line.find(quantity_tag, NS).text)
        price = _amount(line, "cac:Price/cbc:PriceAmount")
        base = line.find("cac:Price/cbc:BaseQuantity", NS)
        base_quantity = Decimal(base.text) if base is not None else Decimal(1)
        if base is not None and base.get("unitCode") != line.find(quantity_tag, NS).get("unitCode"):
            errors.append(f"PEPPOL-R130 line {line_id}: base quantity unit differs from the quantity's")
        net = _amount(line, "cbc:LineExtensionAmount")
        expected = (quantity * price / base_quantity).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        if net != expected:
            errors.append(f"PEPPOL-R120 line {line_id}: {net} != {quantity} × {price} / {base_quantity}")
        category = line.findtext("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", namespaces=NS)
        percent = line.findtext("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", namespaces=NS)
        if category != "E":
            errors.append(f"line {line_id}: tax category {category}, expected E")
        elif Decimal(percent or "-1") != 0:
            errors.append(f"BR-E-05 line {line_id}: exempt line with a VAT rate other than 0")
        line_sum += net

    totals = "cac:LegalMonetaryTotal/"
    line_extension = _amount(doc, totals + "cbc:LineExtensionAmount")
    tax_exclusive = _amount(doc, totals + "cbc:TaxExclusiveAmount")
    tax_inclusive = _amount(doc, totals + "cbc:TaxInclusiveAmount")
    payable = _amount(doc, totals + "cbc:PayableAmount")
    prepaid = doc.find(totals + "cbc:PrepaidAmount", NS)
    rounding = doc.find(totals + "cbc:PayableRoundingAmount", NS)
    allowances = sum((Decimal(e.text) for e in doc.findall("cac:AllowanceCharge/cbc:Amount", NS)), Decimal(0))
    tax_totals = doc.findall("cac:TaxTotal", NS)
    tax_amount = sum((_amount(t, "cbc:TaxAmount") for t in tax_totals), Decimal(0))

    if line_extension != line_sum:
        errors.append(f"BR-CO-10: sum of lines {line_sum} != LineExtensionAmount {line_extension}")
    if tax_exclusive != line_extension - allowances:
        errors.append(f"BR-CO-13: TaxExclusiveAmount {tax_exclusive} != {line_extension} - allowances")
    if tax_inclusive != tax_exclusive + tax_amount:
        errors.append(f"BR-CO-15: TaxInclusiveAmount {tax_inclusive} != {tax_exclusive} + VAT {tax_amount}")
    expected_payable = (
        tax_inclusive
        - (Decimal(prepaid.text) if prepaid is not None else 0)
        + (Decimal(rounding.text) if rounding is not None else 0)
    )
    if payable != expected_payable:
        errors.append(f"BR-CO-16: PayableAmount {payable} != {expected_payable}")

    subtotals = doc.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    exempt = [s for s in subtotals if s.findtext("cac:TaxCategory/cbc:ID", namespaces=NS) == "E"]
    if len(exempt) != 1:
        errors.append("BR-E-01: exactly one VAT breakdown for category E is required")
    for subtotal in exempt:
        if _amount(subtotal, "cbc:TaxableAmount") != line_sum:
            errors.append("BR-E-08: taxable amount of category E is not the sum of its lines")
        if _amount(subtotal, "cbc:TaxAmount") != 0:
            errors.append("BR-E-09: VAT amount of category E must be 0")
        category = subtotal.find("cac:TaxCategory", NS)
        if (
            not (category.findtext("cbc:TaxExemptionReasonCode", namespaces=NS) or "").strip()
            and not (category.findtext("cbc:TaxExemptionReason", namespaces=NS) or "").strip()
        ):
            errors.append("BR-E-10: category E needs an exemption reason code or text")
    if tax_amount != sum((_amount(s, "cbc:TaxAmount") for s in subtotals), Decimal(0)):
        errors.append("BR-CO-14: VAT total is not the sum of the breakdown")
    if exempt and doc.find("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", NS) is None:
        errors.append("BR-E-02: exempt invoice without the seller's VAT or tax registration identifier")
    means = text("cac:PaymentMeans/cbc:PaymentMeansCode")
    if not means:
        errors.append("BR-49: payment means code is required")
    elif means not in DANISH_PAYMENT_MEANS:
        errors.append(f"DK-R-005: payment means {means} is not allowed for a Danish supplier")
    if means in ("31", "42") and not (
        (text("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") or "").strip()
        and (text("cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID") or "").strip()
    ):
        errors.append("DK-R-006: a Danish bank transfer needs the account number and the reg. no.")
    for scheme in doc.findall("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme", NS):
        company = scheme.findtext("cbc:CompanyID", namespaces=NS) or ""
        if scheme.findtext("cac:TaxScheme/cbc:ID", namespaces=NS) == "VAT" and not (
            len(company) == 10 and company.startswith("DK") and company[2:].isdigit()
        ):
            errors.append("DK-R-015: a Danish seller's VAT number is DK followed by 8 digits")
    legal = doc.find("cac:AccountingSupplierParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", NS)
    if legal is None or legal.get("schemeID") != ubl.CVR_SCHEME:
        errors.append("DK-R-002/DK-R-014: the Danish supplier's CVR with scheme 0184 is required")
    if credit and payable < 0:
        errors.append("DK-R-016: a credit note cannot have a negative total")
    return errors
