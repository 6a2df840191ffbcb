import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from interventions.models import LockedMonth
from invoicing import services
from invoicing.models import Invoice, IssuedInvoiceError
from invoicing.selectors import month_preview
from tests.factories import CitizenFactory, RateFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db


def test_issue_month_makes_one_invoice_per_municipality_and_locks_the_month(provider, haderslev, month, administrator):
    log_visits(month, minutes=[60, 45], citizen=CitizenFactory(paying_municipality=haderslev))
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))

    issued = services.issue_month(month=month, by=administrator)

    assert len(issued) == 1
    invoice = issued[0]
    assert invoice.number == "1"
    assert invoice.municipality == haderslev
    assert invoice.buyer_ean == "5798000015104"
    assert invoice.lines.count() == 2
    assert invoice.total == Decimal("1012.50")  # 135 min × 450 / 60
    assert invoice.due_date == invoice.issue_date + datetime.timedelta(days=30)
    assert LockedMonth.objects.get(municipality=haderslev, month=month).reference == "1"


def test_issuing_the_month_twice_creates_nothing_new(provider, haderslev, month):
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    services.issue_month(month=month)

    assert services.issue_month(month=month) == []
    assert Invoice.objects.count() == 1


def test_rounding_is_once_per_line_never_per_visit(provider, haderslev, month):
    RateFactory(valid_from=month, hourly_rate=Decimal("455.00"))
    log_visits(month, minutes=[17] * 7, citizen=CitizenFactory(paying_municipality=haderslev))

    (invoice,) = services.issue_month(month=month)

    line = invoice.lines.get()
    assert line.minutes == 119
    # 119 × 455 / 60 = 902.4166… → 902.42 (per visit: 7 × 128.92 = 902.44)
    assert line.amount == Decimal("902.42")
    assert invoice.total == Decimal("902.42")


def test_rate_change_in_the_middle_of_the_month_gives_a_line_per_rate(provider, haderslev, month):
    RateFactory(valid_from=month + datetime.timedelta(days=14), hourly_rate=Decimal("480.00"))
    citizen = CitizenFactory(paying_municipality=haderslev)
    intervention = log_visits(month, minutes=[60, 30], day=1, citizen=citizen)
    log_visits(month, minutes=[45], day=20, intervention=intervention)

    (invoice,) = services.issue_month(month=month)

    lines = list(invoice.lines.order_by("rate"))
    assert [(line.minutes, line.rate, line.amount) for line in lines] == [
        (90, Decimal("450.00"), Decimal("675.00")),
        (45, Decimal("480.00"), Decimal("360.00")),
    ]
    assert invoice.total == Decimal("1035.00")


def test_municipality_without_ean_is_warned_and_not_invoiced(provider, month):
    tonder = CitizenFactory().paying_municipality.__class__.objects.get(code="550")
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=tonder))

    (preview,) = month_preview(month)

    assert "Kommunen har intet EAN-nummer: tilføj et før fakturering." in preview.warnings
    assert not preview.can_issue
    assert services.issue_month(month=month) == []


def test_preview_warns_about_visits_without_agreement(provider, haderslev, month):
    citizen = CitizenFactory(paying_municipality=haderslev, first_name="Kim", last_name="Ravn")
    log_visits(month, minutes=[60], citizen=citizen)

    (preview,) = month_preview(month)

    assert preview.warnings == ["Kim Ravn: besøg uden en aftale."]


def test_the_current_month_cannot_be_invoiced(provider):
    with pytest.raises(ValidationError) as error:
        services.issue_month(month=datetime.date.today())
    assert "Kun en afsluttet måned kan faktureres." in error.value.messages


def test_issued_invoice_refuses_changes_but_accepts_lifecycle(provider, haderslev, month):
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)

    invoice.total = Decimal("1.00")
    with pytest.raises(IssuedInvoiceError) as error:
        invoice.save()
    assert error.value.messages[0] == (
        "Faktura 1 er udstedt og kan ikke ændres. Ret den med en kreditnota og om nødvendigt en ny faktura."
    )

    invoice.refresh_from_db()
    invoice.sent_to = "x@example.com"
    invoice.save(update_fields=["sent_to"])
    with pytest.raises(IssuedInvoiceError):
        invoice.lines.first().save()
    with pytest.raises(IssuedInvoiceError):
        invoice.delete()


def test_preview_warns_about_an_agreement_not_yet_signed(provider, haderslev, month):
    from tests.factories import AgreementFactory

    citizen = CitizenFactory(paying_municipality=haderslev, first_name="Kim", last_name="Ravn")
    intervention = log_visits(month, minutes=[60], citizen=citizen)
    AgreementFactory(intervention=intervention)  # a draft

    (preview,) = month_preview(month)

    assert preview.warnings == ["Kim Ravn: aftalen er ikke underskrevet endnu."]
    assert preview.can_issue  # a warning, not a refusal


def test_a_citizen_who_changed_paying_municipality_is_never_invoiced_twice(provider, haderslev, month):
    from tests.factories import MunicipalityEANFactory, municipality

    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    moved = CitizenFactory(paying_municipality=haderslev, first_name="Kim", last_name="Ravn")
    log_visits(month, minutes=[60], citizen=moved)
    stays = CitizenFactory(paying_municipality=copenhagen)
    log_visits(month, minutes=[30], citizen=stays)
    first = {invoice.municipality.code: invoice for invoice in services.issue_month(month=month)}
    services.credit_invoice(invoice=first["101"], reason="Forkert antal timer")  # Copenhagen's month reopens

    moved.paying_municipality = copenhagen
    moved.save()
    (again,) = services.issue_month(month=month)

    assert again.municipality == copenhagen
    assert [line.citizen for line in again.lines.all()] == [stays]
    assert Invoice.objects.filter(lines__citizen=moved, credited_at__isnull=True).count() == 1
    preview = next(p for p in month_preview(month) if p.municipality == copenhagen)
    assert (
        f"Kim Ravn: månedens besøg står allerede på faktura {first['510'].number} til Haderslev og er udeladt. "
        "Krediter den faktura for at fakturere dem her."
    ) in preview.warnings


def test_after_the_earlier_invoice_is_credited_the_moved_citizen_is_invoiced_to_the_new_municipality(
    provider, haderslev, month
):
    from tests.factories import MunicipalityEANFactory, municipality

    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    moved = CitizenFactory(paying_municipality=haderslev)
    log_visits(month, minutes=[60], citizen=moved)
    (first,) = services.issue_month(month=month)
    moved.paying_municipality = copenhagen
    moved.save()
    assert services.issue_month(month=month) == []

    services.credit_invoice(invoice=first, reason="Borgeren skiftede betalingskommune")
    (again,) = services.issue_month(month=month)

    assert again.municipality == copenhagen
    assert again.lines.get().citizen == moved


def test_a_credited_invoice_and_its_credit_note_cannot_be_marked_paid(provider, haderslev, month):
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)
    note = services.credit_invoice(invoice=invoice, reason="Forkert borger")

    with pytest.raises(ValidationError) as credited:
        services.mark_paid(invoice=invoice, paid_on=invoice.issue_date)
    with pytest.raises(ValidationError) as credit_note:
        services.mark_paid(invoice=note, paid_on=note.issue_date)

    assert credited.value.messages == ["Faktura 1 er krediteret med kreditnota 2 og skal ikke betales."]
    assert credit_note.value.messages == ["En kreditnota betales ikke: den annullerer faktura 1."]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.CREDITED and invoice.paid_on is None


def test_an_issue_date_keeps_numbers_in_date_order(provider, haderslev, month):
    from tests.factories import MunicipalityEANFactory, municipality

    older = (month - datetime.timedelta(days=1)).replace(day=1)  # its following month has begun before today
    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    log_visits(older, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    log_visits(older, minutes=[30], citizen=CitizenFactory(paying_municipality=copenhagen))

    def refusal(**kwargs):
        with pytest.raises(ValidationError) as error:
            services.issue_month(month=older, **kwargs)
        return error.value.messages

    assert refusal(issue_date=month - datetime.timedelta(days=1)) == [
        f"En faktura for {older:%m.%Y} kan ikke dateres før {month:%d.%m.%Y}."
    ]
    assert refusal(issue_date=datetime.date.today() + datetime.timedelta(days=1)) == [
        "En faktura kan ikke dateres i fremtiden."
    ]
    (first,) = services.issue_month(month=older, municipality_ids=[copenhagen.pk], issue_date=month)
    assert (first.issue_date, first.due_date) == (month, month + datetime.timedelta(days=30))
    later = month + datetime.timedelta(days=1)
    services.credit_invoice(invoice=first, reason="Forkert borger", issue_date=later)
    assert refusal(municipality_ids=[haderslev.pk], issue_date=month) == [
        f"Det seneste fakturanummer er dateret {later:%d.%m.%Y}: et nyt nummer kan ikke have en tidligere dato."
    ]


def test_an_invoice_is_not_recorded_as_sent_before_its_date_or_in_the_future(provider, haderslev, month):
    from django.core import mail
    from django.utils import timezone

    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)
    services.store_documents(invoice=invoice)

    for days in (-1, 2):  # the day before the invoice date, the day after tomorrow
        with pytest.raises(ValidationError) as error:
            services.send_invoice(invoice=invoice, sent_at=timezone.now() + datetime.timedelta(days=days))
        assert error.value.messages == ["En faktura sendes mellem sin fakturadato og i dag."]
    assert mail.outbox == []
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED
