"""The demo's invoices look like a real office's: dated, sent, paid and corrected in a believable order."""

import datetime

import pytest
from django.core.management import call_command

from invoicing.demo import working_day_from
from invoicing.models import Invoice
from invoicing.selectors import month_bounds

pytestmark = pytest.mark.django_db


def lines(invoice):
    return sorted(invoice.lines.values_list("citizen_id", "method", "minutes"))


def test_demo_invoices_are_dated_sent_paid_and_corrected_like_a_real_month_and_seeded_once(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    seeded = sorted(Invoice.objects.values_list("number", "issue_date", "sent_at", "paid_on"))
    call_command("seed_demo")
    assert sorted(Invoice.objects.values_list("number", "issue_date", "sent_at", "paid_on")) == seeded

    today = datetime.date.today()
    invoices = list(Invoice.objects.exclude(number="").select_related("credits"))
    by_number = sorted(invoices, key=lambda invoice: int(invoice.number))
    months = sorted({invoice.month for invoice in invoices})
    assert len(months) >= 2

    # Numbers run in date order, and each month is issued on the first working day after it ends.
    dates = [invoice.issue_date for invoice in by_number]
    assert dates == sorted(dates)
    (note,) = [invoice for invoice in invoices if invoice.is_credit_note]
    for invoice in invoices:
        if invoice.is_credit_note or invoice.month == note.month and invoice.issue_date == note.issue_date:
            continue
        assert invoice.issue_date == min(working_day_from(month_bounds(invoice.month)[1]), today)

    # Every invoice is sent on its date; the paid ones three to five weeks later; the latest month is unpaid.
    assert all(invoice.sent_at and invoice.sent_at.date() == invoice.issue_date for invoice in invoices)
    paid = [invoice for invoice in invoices if invoice.paid_on]
    assert paid and all(21 <= (invoice.paid_on - invoice.issue_date).days <= 40 for invoice in paid)
    latest = [invoice for invoice in invoices if invoice.month == months[-1]]
    assert latest and all(invoice.status == Invoice.Status.SENT for invoice in latest)

    # The credit note says a visit was on the wrong citizen: the corrected invoice moves it.
    credited = note.credits
    (corrected,) = [
        invoice
        for invoice in invoices
        if invoice.municipality_id == credited.municipality_id
        and invoice.month == credited.month
        and not invoice.is_credit_note
        and invoice.pk != credited.pk
    ]
    assert credited.status == Invoice.Status.CREDITED
    assert "forkerte borger" in note.reason
    assert credited.issue_date < note.issue_date == corrected.issue_date
    assert lines(note) == lines(credited)
    assert lines(corrected) != lines(credited)
    assert sum(minutes for _c, _m, minutes in lines(corrected)) == sum(minutes for _c, _m, minutes in lines(credited))
    assert all(invoice.has_documents for invoice in invoices)


def test_the_demo_month_page_shows_what_its_visits_would_bill(settings):
    """The demo writes its visits in bulk, which no signal sees: the stored month sums are summed after."""
    from tests.invoicing.test_month_sums import stored_sums, summed_visits

    settings.DEBUG = True
    call_command("seed_demo")
    assert stored_sums() == summed_visits() and stored_sums()
