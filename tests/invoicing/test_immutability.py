"""An issued invoice and its lines never change: the model guard everywhere, a trigger on PostgreSQL."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction

from invoicing import services
from invoicing.models import DOCUMENT_FIELDS, LIFECYCLE_FIELDS, Invoice, InvoiceLine, IssuedInvoiceError
from tests.factories import CitizenFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
guard = importlib.import_module("invoicing.migrations.0006_guard_every_invoice_column")


@pytest.fixture
def invoice(provider, haderslev, month):
    log_visits(month, minutes=[60, 45], citizen=CitizenFactory(paying_municipality=haderslev))
    (issued,) = services.issue_month(month=month)
    return services.store_documents(invoice=issued)


def test_a_line_of_an_issued_invoice_cannot_be_deleted(invoice):
    line = invoice.lines.get()

    with pytest.raises(IssuedInvoiceError) as error:
        line.delete()

    assert error.value.messages == ["Linjerne på en udstedt faktura kan ikke ændres."]
    assert InvoiceLine.objects.filter(pk=line.pk).exists()


def test_the_trigger_guards_every_column_but_the_life_cycle():
    """A field added to Invoice must be added to the trigger too (or be a life-cycle or document field)."""
    columns = {field.column for field in Invoice._meta.concrete_fields if field.name not in LIFECYCLE_FIELDS}
    documents = {Invoice._meta.get_field(name).column for name in DOCUMENT_FIELDS}

    assert set(guard.GUARDED_COLUMNS) == columns - documents


@postgresql_only
@pytest.mark.parametrize(
    "change",
    [
        {"buyer_cvr": "29189609"},
        {"buyer_address": "Gravene 2"},
        {"buyer_postal_code": "6100"},
        {"buyer_city": "Haderslev"},
        {"pages": 7},
        {"total": 1},
    ],
)
def test_the_database_refuses_an_update_of_an_issued_invoice(invoice, change):
    with pytest.raises(DatabaseError, match="is issued and cannot be changed"), transaction.atomic():
        Invoice.objects.filter(pk=invoice.pk).update(**change)

    stored = Invoice.objects.get(pk=invoice.pk)
    assert {name: getattr(stored, name) for name in change} == {name: getattr(invoice, name) for name in change}


@postgresql_only
def test_the_database_still_lets_the_life_cycle_change_and_refuses_deleting_a_line(invoice):
    Invoice.objects.filter(pk=invoice.pk).update(paid_on=invoice.issue_date, sent_to="faktura@haderslev.example")

    with pytest.raises(DatabaseError, match="cannot be changed"), transaction.atomic():
        InvoiceLine.objects.filter(invoice=invoice).delete()
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    assert invoice.lines.exists()
