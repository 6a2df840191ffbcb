"""Lines and the number sequence are shown in the Django admin, never changed there."""

import pytest
from django.urls import reverse

from invoicing import services
from invoicing.models import InvoiceLine, InvoiceSequence
from tests.factories import CitizenFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(provider, haderslev, month):
    citizen = CitizenFactory(paying_municipality=haderslev, first_name="Kim", last_name="Ravn")
    log_visits(month, minutes=[60, 55], citizen=citizen)
    (invoice,) = services.issue_month(month=month)
    return invoice.lines.get()


def test_invoice_lines_are_listed_read_only(admin_client, line):
    listing = admin_client.get(reverse("admin:invoicing_invoiceline_changelist")).content.decode()
    shown = admin_client.get(reverse("admin:invoicing_invoiceline_change", args=[line.pk])).content.decode()

    assert "Kim Ravn" in listing and line.citizen_cpr_masked in listing
    assert line.citizen.cpr not in listing + shown
    assert 'name="minutes"' not in shown
    assert admin_client.get(reverse("admin:invoicing_invoiceline_add")).status_code == 403
    deleted = admin_client.post(reverse("admin:invoicing_invoiceline_delete", args=[line.pk]), {"post": "yes"})
    assert deleted.status_code == 403
    assert InvoiceLine.objects.filter(pk=line.pk, minutes=115).exists()


def test_the_number_sequence_is_shown_read_only(admin_client, line):
    sequence = InvoiceSequence.objects.get()

    listing = admin_client.get(reverse("admin:invoicing_invoicesequence_changelist")).content.decode()
    shown = admin_client.get(reverse("admin:invoicing_invoicesequence_change", args=[sequence.pk])).content.decode()

    assert "invoice" in listing
    assert 'name="last_number"' not in shown
    assert admin_client.get(reverse("admin:invoicing_invoicesequence_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:invoicing_invoicesequence_delete", args=[sequence.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert InvoiceSequence.objects.get().last_number == 1
