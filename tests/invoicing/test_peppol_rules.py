"""The official Peppol BIS 3.0 rules (OpenPEPPOL's and CEN's Schematron) run by the project's own tests.

Every document the app builds in any test also passes them (the autouse fixture in tests/conftest.py);
these tests show the rules are really applied: a document broken on purpose makes them fire.
"""

import pytest

from invoicing import schematron, services
from tests.factories import CitizenFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db


def issued(month, haderslev):
    log_visits(month, minutes=[17, 23], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)
    return services.store_documents(invoice=invoice)


def test_an_issued_invoice_and_its_credit_note_pass_both_official_rule_sets(provider, haderslev, month, administrator):
    invoice = issued(month, haderslev)
    note = services.store_documents(
        invoice=services.credit_invoice(invoice=invoice, by=administrator, reason="Forkert borger")
    )

    assert schematron.fatal_errors(bytes(invoice.xml)) == []
    assert schematron.fatal_errors(bytes(note.xml)) == []


def test_a_payable_amount_that_does_not_add_up_fires_br_co_16(provider, haderslev, month):
    invoice = issued(month, haderslev)
    broken = bytes(invoice.xml).replace(
        f'<cbc:PayableAmount currencyID="DKK">{invoice.total}'.encode(), b'<cbc:PayableAmount currencyID="DKK">1.00'
    )

    rules = {error.split(" ", 1)[0] for error in schematron.fatal_errors(broken)}

    assert "BR-CO-16" in rules


def test_a_wrong_gln_check_digit_fires_the_peppol_rule(provider, haderslev, month):
    invoice = issued(month, haderslev)
    broken = bytes(invoice.xml).replace(b"5798000015104", b"5798000015106")

    rules = {error.split(" ", 1)[0] for error in schematron.fatal_errors(broken)}

    assert "PEPPOL-COMMON-R040" in rules
