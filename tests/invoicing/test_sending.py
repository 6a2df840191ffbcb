"""Sending invoices on the task queue: queued from the page, shown while it goes, retried, failed with its
message after the last attempt, and never sent twice."""

from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice, InvoiceSending
from tests.invoicing.test_views import issued

pytestmark = pytest.mark.django_db

MAIL_DOWN = ConnectionRefusedError(111, "refused")


def test_the_send_button_queues_the_mail_and_the_page_shows_it_going(
    admin_client_, administrator, provider, haderslev, month, task_queue
):
    invoice = issued(month, haderslev)

    page = admin_client_.post(reverse("invoicing:send", args=[invoice.pk]), follow=True).content.decode()

    assert mail.outbox == []
    assert "Fakturaen sendes af opgavekøen." in page
    assert "Venter i opgavekøen på at blive sendt." in page
    assert f'hx-get="{reverse("invoicing:sending", args=[invoice.pk])}"' in page

    admin_client_.post(reverse("invoicing:send", args=[invoice.pk]))  # a second click while it waits
    assert InvoiceSending.objects.count() == 1

    task_queue()

    (message,) = mail.outbox
    assert message.to == ["faktura@haderslev.example"]
    box = admin_client_.get(reverse("invoicing:sending", args=[invoice.pk])).content.decode()
    assert "til faktura@haderslev.example" in box and "hx-get" not in box
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.SENT
    sending = InvoiceSending.objects.get()
    assert (sending.state, sending.attempts, sending.requested_by) == ("sent", 1, administrator)


def test_a_failed_attempt_is_tried_again_and_sends_once(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)
    real_send = mail.EmailMessage.send
    calls = []

    def flaky(message, *args, **kwargs):
        calls.append(message)
        if len(calls) < 3:
            raise MAIL_DOWN
        return real_send(message, *args, **kwargs)

    with mock.patch("django.core.mail.message.EmailMessage.send", flaky):
        page = admin_client_.post(reverse("invoicing:send", args=[invoice.pk]), follow=True).content.decode()

    assert len(mail.outbox) == 1 and len(calls) == 3
    sending = InvoiceSending.objects.get()
    assert (sending.state, sending.attempts, sending.last_error) == ("sent", 3, "")
    assert "Sendt til faktura@haderslev.example." in page


def test_after_the_last_attempt_the_administrator_sees_the_failure_with_its_message(
    admin_client_, provider, haderslev, month
):
    invoice = issued(month, haderslev)

    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=MAIL_DOWN):
        admin_client_.post(reverse("invoicing:send", args=[invoice.pk]))
    page = admin_client_.get(invoice.get_absolute_url()).content.decode()

    sending = InvoiceSending.objects.get()
    assert (sending.state, sending.attempts) == ("failed", 3)
    assert "Ikke sendt" in page and "efter 3 forsøg" in page
    assert "mailserveren svarede ikke (ConnectionRefusedError)" in page
    invoice.refresh_from_db()
    assert invoice.sent_at is None
    assert "Send med e-mail" in page  # and it can be sent again by hand


def test_a_sending_an_attempt_left_halfway_is_not_sent_again(provider, haderslev, month, administrator, task_queue):
    """A worker killed while talking to the mail server: whether the mail went is unknown, so the next
    attempt (the requeued task) sends nothing and says so."""
    invoice = issued(month, haderslev)
    sending = services.request_sending(invoice=invoice, by=administrator)
    InvoiceSending.objects.filter(pk=sending.pk).update(state=InvoiceSending.State.SENDING, attempts=1)

    task_queue()

    assert mail.outbox == []
    sending.refresh_from_db()
    assert sending.state == "failed" and "vides ikke, om den blev sendt" in sending.last_error


def test_a_sent_sending_run_again_sends_nothing(provider, haderslev, month, administrator):
    invoice = issued(month, haderslev)
    sending = services.request_sending(invoice=invoice, by=administrator)
    assert sending.state == "sent" and len(mail.outbox) == 1

    services.deliver_sending(sending_id=sending.pk)

    assert len(mail.outbox) == 1


def test_what_can_be_checked_at_once_is_refused_at_once(admin_client_, provider, month):
    from tests.factories import MunicipalityEANFactory, municipality

    place = municipality("621")
    MunicipalityEANFactory(municipality=place)
    invoice = issued(month, place)

    response = admin_client_.post(reverse("invoicing:send", args=[invoice.pk]), follow=True)

    assert "har ingen faktura-e-mailadresse" in response.content.decode()
    assert InvoiceSending.objects.count() == 0
