"""Electronic invoices: UBL 2.1 Invoice and CreditNote following Peppol BIS Billing 3.0.

Danish public buyers receive EN 16931 invoices through NemHandel/Peppol, addressed by EAN (GLN).

Quantities and prices. An invoice line is minutes × rate / 60 rounded half-up to øre once. Peppol
(PEPPOL-EN16931-R120) requires LineExtensionAmount = InvoicedQuantity × (PriceAmount / BaseQuantity)
to the øre. Hours with a few decimals do not multiply back exactly (17 minutes = 0.2833 h), so a
line is stated in minutes: InvoicedQuantity unitCode="MIN" holds the exact whole minutes, PriceAmount
is the hourly rate and BaseQuantity is 60 MIN. Then quantity × price / base is exactly minutes ×
rate / 60, and its rounding is the line amount. The hours ("12,75 t") are in the line's note.
An agreed return to the shelter is a line of its own item in whole days (unitCode="DAY") at the
shelter's day rate per 1 DAY, with the nights it covers as the line's invoice period.

Social care is VAT-exempt: tax category E, 0 %, with the exemption reason (code VATEX-EU-132-1G,
the VAT directive's art. 132(1)(g), social welfare; in Danish law momsloven §13, stk. 1, nr. 2).
The seller is identified for tax by its CVR number as a tax registration identifier (BT-32), not
as a VAT number, and is paid by a domestic bank transfer (code 42, reg. no. and account number).
"""

from decimal import Decimal

from lxml import etree

from housingfirst.templatetags.hf import format_danish_number

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
GLN_SCHEME = "0088"
CVR_SCHEME = "0184"
CURRENCY = "DKK"
EXEMPTION_CODE = "VATEX-EU-132-1G"
EXEMPTION_REASON = "Momsfritaget (momsloven §13, stk. 1, nr. 2: social forsorg)"

TAX_REGISTRATION_SCHEME = "TAX"
PAYMENT_TO_BANK_ACCOUNT = "42"
INSTRUMENT_NOT_DEFINED = "1"

METHOD_NAMES = {"CTI": "CTI", "ICM": "ICM", "ACT": "ACT"}
SHELTER_DAY_ITEM = "FORSORGSHJEM-DOEGN"


def danish_bank_account(seller: dict) -> tuple[str, str]:
    """(reg. no., account no.) of the seller's Danish account: as registered, or read from a Danish
    IBAN (DK, two check digits, the four-digit reg. no., the ten-digit account number)."""
    if seller.get("bank_reg_number") and seller.get("bank_account_number"):
        return seller["bank_reg_number"], seller["bank_account_number"]
    iban = (seller.get("iban") or "").replace(" ", "").upper()
    if len(iban) == 18 and iban.startswith("DK") and iban[2:].isdigit():
        return iban[4:8], iban[8:]
    return "", ""


def money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01')):f}"


class _Builder:
    def __init__(self, root_ns: str, root_tag: str):
        self.root = etree.Element(f"{{{root_ns}}}{root_tag}", nsmap={None: root_ns, "cac": NS_CAC, "cbc": NS_CBC})

    @staticmethod
    def cbc(parent, tag: str, text, **attributes):
        element = etree.SubElement(parent, f"{{{NS_CBC}}}{tag}", {k: str(v) for k, v in attributes.items()})
        element.text = str(text)
        return element

    @staticmethod
    def cac(parent, tag: str):
        return etree.SubElement(parent, f"{{{NS_CAC}}}{tag}")


def build_ubl(invoice) -> bytes:
    """The UBL XML of an issued invoice or credit note (uses its stored snapshot and lines only)."""
    credit = invoice.is_credit_note
    b = _Builder(NS_CREDIT_NOTE if credit else NS_INVOICE, "CreditNote" if credit else "Invoice")
    root, cbc, cac = b.root, b.cbc, b.cac
    seller = invoice.seller
    lines = list(invoice.lines.all())
    total = sum((line.amount for line in lines), Decimal("0.00"))

    cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    cbc(root, "ProfileID", PROFILE_ID)
    cbc(root, "ID", invoice.number)
    cbc(root, "IssueDate", invoice.issue_date.isoformat())
    if not credit:
        cbc(root, "DueDate", invoice.due_date.isoformat())
        cbc(root, "InvoiceTypeCode", "380")
    else:
        cbc(root, "CreditNoteTypeCode", "381")
    month_label = f"{invoice.month:%m.%Y}"
    note = f"Bostøtte efter Housing First-metoder, {month_label}"
    if credit and invoice.reason:
        note += f". Kreditering: {invoice.reason}"
    cbc(root, "Note", note)
    cbc(root, "DocumentCurrencyCode", CURRENCY)
    cbc(root, "BuyerReference", invoice.buyer_reference or invoice.buyer_ean)
    period = cac(root, "InvoicePeriod")
    cbc(period, "StartDate", invoice.month.isoformat())
    cbc(period, "EndDate", _month_end(invoice.month).isoformat())
    if credit:
        reference = cac(cac(root, "BillingReference"), "InvoiceDocumentReference")
        cbc(reference, "ID", invoice.credits.number)
        cbc(reference, "IssueDate", invoice.credits.issue_date.isoformat())

    party = cac(cac(root, "AccountingSupplierParty"), "Party")
    cbc(party, "EndpointID", seller["ean"], schemeID=GLN_SCHEME)
    cbc(cac(party, "PartyIdentification"), "ID", seller["cvr"], schemeID=CVR_SCHEME)
    cbc(cac(party, "PartyName"), "Name", seller["name"])
    address = cac(party, "PostalAddress")
    cbc(address, "StreetName", seller["address"])
    cbc(address, "CityName", seller["city"])
    cbc(address, "PostalZone", seller["postal_code"])
    cbc(cac(address, "Country"), "IdentificationCode", "DK")
    # BR-E-02: an exempt (E) line needs the seller's VAT identifier (BT-31) *or* its tax registration
    # identifier (BT-32). Social care is exempt and the provider need not be VAT-registered, so DK+CVR
    # under the VAT scheme would assert a registration it may not have. BT-32 is a PartyTaxScheme whose
    # scheme is not VAT ("TAX", as in the BIS examples), here the CVR number. DK-R-015 (DK + 8 digits)
    # checks only the VAT scheme.
    tax_scheme = cac(party, "PartyTaxScheme")
    cbc(tax_scheme, "CompanyID", seller["cvr"])
    cbc(cac(tax_scheme, "TaxScheme"), "ID", TAX_REGISTRATION_SCHEME)
    legal = cac(party, "PartyLegalEntity")
    cbc(legal, "RegistrationName", seller["name"])
    cbc(legal, "CompanyID", seller["cvr"], schemeID=CVR_SCHEME)
    contact = cac(party, "Contact")
    cbc(contact, "Name", seller["name"])
    if seller.get("phone"):
        cbc(contact, "Telephone", seller["phone"])
    if seller.get("email"):
        cbc(contact, "ElectronicMail", seller["email"])

    buyer = cac(cac(root, "AccountingCustomerParty"), "Party")
    cbc(buyer, "EndpointID", invoice.buyer_ean, schemeID=GLN_SCHEME)
    cbc(cac(buyer, "PartyIdentification"), "ID", invoice.buyer_ean, schemeID=GLN_SCHEME)
    cbc(cac(buyer, "PartyName"), "Name", invoice.buyer_name)
    buyer_address = cac(buyer, "PostalAddress")
    if invoice.buyer_address:
        cbc(buyer_address, "StreetName", invoice.buyer_address)
    if invoice.buyer_city:
        cbc(buyer_address, "CityName", invoice.buyer_city)
    if invoice.buyer_postal_code:
        cbc(buyer_address, "PostalZone", invoice.buyer_postal_code)
    cbc(cac(buyer_address, "Country"), "IdentificationCode", "DK")
    buyer_legal = cac(buyer, "PartyLegalEntity")
    cbc(buyer_legal, "RegistrationName", invoice.buyer_name)
    if invoice.buyer_cvr:
        cbc(buyer_legal, "CompanyID", invoice.buyer_cvr, schemeID=CVR_SCHEME)

    # A domestic transfer in kroner: code 42 (payment to bank account) with the account number and the
    # reg. no. as the branch (DK-R-006). 58 is a SEPA credit transfer, which is in euro.
    means = cac(root, "PaymentMeans")
    reg_number, account_number = danish_bank_account(seller)
    if account_number:
        cbc(means, "PaymentMeansCode", PAYMENT_TO_BANK_ACCOUNT, name="Payment to bank account")
    else:
        # Only a foreign IBAN (no reg. no. to give): the instrument is left open (DK-R-005 allows 1).
        cbc(means, "PaymentMeansCode", INSTRUMENT_NOT_DEFINED, name="Instrument not defined")
    if credit:
        cbc(means, "PaymentDueDate", invoice.issue_date.isoformat())
    cbc(means, "PaymentID", invoice.number)
    account = cac(means, "PayeeFinancialAccount")
    cbc(account, "ID", account_number or seller["iban"])
    # BT-85 names the account (its holder), not the bank: the bank is known by its reg. no.
    cbc(account, "Name", seller["name"])
    if reg_number:
        cbc(cac(account, "FinancialInstitutionBranch"), "ID", reg_number)
    terms = cac(root, "PaymentTerms")
    cbc(terms, "Note", f"Netto {seller['payment_terms_days']} dage")

    tax_total = cac(root, "TaxTotal")
    cbc(tax_total, "TaxAmount", "0.00", currencyID=CURRENCY)
    subtotal = cac(tax_total, "TaxSubtotal")
    cbc(subtotal, "TaxableAmount", money(total), currencyID=CURRENCY)
    cbc(subtotal, "TaxAmount", "0.00", currencyID=CURRENCY)
    category = cac(subtotal, "TaxCategory")
    cbc(category, "ID", "E")
    cbc(category, "Percent", "0")
    cbc(category, "TaxExemptionReasonCode", EXEMPTION_CODE)
    cbc(category, "TaxExemptionReason", EXEMPTION_REASON)
    cbc(cac(category, "TaxScheme"), "ID", "VAT")

    totals = cac(root, "LegalMonetaryTotal")
    cbc(totals, "LineExtensionAmount", money(total), currencyID=CURRENCY)
    cbc(totals, "TaxExclusiveAmount", money(total), currencyID=CURRENCY)
    cbc(totals, "TaxInclusiveAmount", money(total), currencyID=CURRENCY)
    cbc(totals, "PayableAmount", money(total), currencyID=CURRENCY)

    for line in lines:
        element = cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        quantity_tag = "CreditedQuantity" if credit else "InvoicedQuantity"
        cbc(element, "ID", line.position)
        if line.is_shelter_days:
            # Its own item, counted in days (UN/ECE rec. 20 DAY) at the day rate, with the nights as
            # the line's period (BG-26), which Peppol keeps inside the invoice period.
            days = f"{line.first_day:%d.%m.%Y}–{line.last_day:%d.%m.%Y}"
            cbc(element, "Note", f"Midlertidigt ophold på forsorgshjemmet {days}: {line.days} døgn")
            cbc(element, quantity_tag, line.days, unitCode="DAY")
            cbc(element, "LineExtensionAmount", money(line.amount), currencyID=CURRENCY)
            line_period = cac(element, "InvoicePeriod")
            cbc(line_period, "StartDate", line.first_day.isoformat())
            cbc(line_period, "EndDate", line.last_day.isoformat())
            item = cac(element, "Item")
            cbc(item, "Description", f"Midlertidigt ophold på forsorgshjem (døgntakst), {days}")
            cbc(item, "Name", f"{line.citizen_name} ({line.citizen_cpr_masked}), ophold {line.days} døgn")
            cbc(cac(item, "SellersItemIdentification"), "ID", SHELTER_DAY_ITEM)
            unit = "DAY"
            base_quantity = "1"
        else:
            cbc(element, "Note", f"{format_danish_number(line.hours)} timer, {line.visits} besøg")
            cbc(element, quantity_tag, line.minutes, unitCode="MIN")
            cbc(element, "LineExtensionAmount", money(line.amount), currencyID=CURRENCY)
            item = cac(element, "Item")
            cbc(item, "Description", f"Bostøtte {METHOD_NAMES.get(line.method, line.method)}, {month_label}")
            cbc(item, "Name", f"{line.citizen_name} ({line.citizen_cpr_masked}), {line.method}")
            unit = "MIN"
            base_quantity = "60"
        tax = cac(item, "ClassifiedTaxCategory")
        cbc(tax, "ID", "E")
        cbc(tax, "Percent", "0")
        cbc(cac(tax, "TaxScheme"), "ID", "VAT")
        price = cac(element, "Price")
        cbc(price, "PriceAmount", money(line.rate), currencyID=CURRENCY)
        cbc(price, "BaseQuantity", base_quantity, unitCode=unit)

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _month_end(month):
    import datetime

    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)
