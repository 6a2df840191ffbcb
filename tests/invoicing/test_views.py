import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from housingfirst.models import Export
from invoicing import services
from invoicing.models import Invoice
from tests.factories import CitizenFactory, MunicipalityEANFactory, municipality
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db


def issued(month, haderslev):
    log_visits(month, minutes=[60, 45], citizen=CitizenFactory(paying_municipality=haderslev))
    (invoice,) = services.issue_month(month=month)
    return services.store_documents(invoice=invoice)


def test_month_page_shows_a_row_per_municipality_and_its_lines_on_demand(admin_client_, provider, haderslev, month):
    log_visits(
        month,
        minutes=[60, 45],
        citizen=CitizenFactory(paying_municipality=haderslev, first_name="Kim", last_name="Ravn"),
    )

    response = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"})
    lines_url = reverse("invoicing:month_lines", args=[haderslev.pk])
    lines = admin_client_.get(lines_url, {"month": f"{month:%Y-%m}"}, headers={"HX-Request": "true"})
    page = admin_client_.get(lines_url, {"month": f"{month:%Y-%m}"})

    content = response.content.decode()
    assert "Haderslev" in content and "1,75 t" in content and "787,50 kr." in content
    assert "1 advarsel" in content
    assert "Kim Ravn" not in content  # the lines come on demand
    assert "Udsted fakturaerne for" in content
    partial = lines.content.decode()
    assert partial.startswith(f'<tr id="lines-{haderslev.pk}">')
    assert "Kim Ravn" in partial and "Kim Ravn: besøg uden en aftale." in partial and "787,50 kr." in partial
    assert "<html" in page.content.decode() and "Kim Ravn" in page.content.decode()  # without JavaScript


def test_month_page_refuses_support_workers(worker_client):
    assert worker_client.get(reverse("invoicing:month")).status_code == 403


def test_issue_action_queues_the_month_and_the_page_follows_the_queue(
    admin_client_, provider, haderslev, month, monkeypatch, task_queue
):
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    render = services.render_invoice_pdf

    def refuse_in_a_request(invoice):
        raise AssertionError("a request rendered a document")

    monkeypatch.setattr(services, "render_invoice_pdf", refuse_in_a_request)
    response = admin_client_.post(
        reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"}, follow=True
    )
    status_url = reverse("invoicing:month_issue")
    waiting = admin_client_.get(status_url, {"month": f"{month:%Y-%m}", "waiting": "1"}, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert not Invoice.objects.exists()  # issued by the queue, not in the request
    assert f"Fakturaerne for {month:%m.%Y} bliver udstedt i opgavekøen." in content
    assert "Venter i opgavekøen." in content and 'id="issue-progress"' in content
    assert "Udsted fakturaerne for" not in content  # no second run while one is open
    assert waiting.status_code == 200 and 'hx-trigger="every 2s"' in waiting.content.decode()

    monkeypatch.setattr(services, "render_invoice_pdf", render)
    task_queue()  # a worker issues the month, then makes the documents

    invoice = Invoice.objects.get()
    assert invoice.has_documents
    done = admin_client_.get(status_url, {"month": f"{month:%Y-%m}", "waiting": "1"}, headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"  # the page reloads to show the invoices
    page = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert f"Faktura {invoice.number}" in page and "1 af 1 lavet" in page
    assert 'hx-trigger="every 2s"' not in page


def test_a_month_being_issued_is_not_queued_twice(admin_client_, provider, haderslev, month, task_queue):
    from invoicing.models import MonthIssue

    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    data = {"month": f"{month:%Y-%m}", "confirmed": "on"}
    admin_client_.post(reverse("invoicing:issue"), data)

    again = admin_client_.post(reverse("invoicing:issue"), data, follow=True)

    assert f"{month:%m.%Y} er allerede ved at blive udstedt" in again.content.decode()
    assert MonthIssue.objects.count() == 1
    task_queue()
    assert MonthIssue.objects.get().state == MonthIssue.State.DONE and Invoice.objects.count() == 1


def test_a_refusal_on_the_queue_is_shown_on_the_month_page(admin_client_, provider, haderslev, month, task_queue):
    from invoicing.models import MonthIssue

    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    admin_client_.post(reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"})
    provider.iban = provider.bank_reg_number = provider.bank_account_number = ""
    provider.save()  # the bank account removed before a worker took the run

    task_queue()

    run = MonthIssue.objects.get()
    assert run.state == MonthIssue.State.FAILED and not Invoice.objects.exists()
    page = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"}).content.decode()
    assert "Udstedelsen stoppede" in page and "Registrér leverandørens bankkonto" in page


def test_the_issue_request_reads_no_visit_and_counts_nothing(
    admin_client_, provider, haderslev, month, task_queue, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    with CaptureQueriesContext(connection) as queries:
        response = admin_client_.post(reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"})

    assert response.status_code == 302
    assert not [q for q in queries if "interventions_visit" in q["sql"] or "COUNT(" in q["sql"]]
    assert len(queries) <= 13  # with the second factor's device lookup


def test_issue_action_reads_a_refusal(admin_client_, provider):
    today = datetime.date.today()

    response = admin_client_.post(
        reverse("invoicing:issue"), {"month": f"{today:%Y-%m}", "confirmed": "on"}, follow=True
    )

    assert "Kun en afsluttet måned kan faktureres." in response.content.decode()
    assert not Invoice.objects.exists()


def test_invoice_page_offers_downloads(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)

    page = admin_client_.get(invoice.get_absolute_url()).content.decode()
    pdf = admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "pdf"]))
    xml = admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "xml"]))

    assert "Hent PDF" in page
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="faktura-1.xml"' in xml["Content-Disposition"]
    assert admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "exe"])).status_code == 404


def test_send_attaches_pdf_and_xml_and_records_when(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)

    admin_client_.post(reverse("invoicing:send", args=[invoice.pk]))

    (message,) = mail.outbox
    assert message.to == ["faktura@haderslev.example"]
    assert [name for name, _content, _type in message.attachments] == ["faktura-1.pdf", "faktura-1.xml"]
    invoice.refresh_from_db()
    assert invoice.sent_at is not None
    assert invoice.status == Invoice.Status.SENT


def test_send_without_invoice_address_is_refused_with_a_message(admin_client_, provider, month):
    place = municipality("621")
    MunicipalityEANFactory(municipality=place)
    invoice = issued(month, place)

    response = admin_client_.post(reverse("invoicing:send", args=[invoice.pk]), follow=True)

    assert f"{place.name} har ingen faktura-e-mailadresse." in response.content.decode()
    assert mail.outbox == []


def test_mark_paid_and_refuse_twice(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)
    url = reverse("invoicing:paid", args=[invoice.pk])

    admin_client_.post(url, {"paid_on": invoice.issue_date.isoformat()})
    response = admin_client_.post(url, {"paid_on": invoice.issue_date.isoformat()}, follow=True)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert "Fakturaen er allerede markeret som betalt." in response.content.decode()


def test_credit_note_form_needs_a_reason_then_credits_and_reopens_the_month(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)
    url = reverse("invoicing:credit", args=[invoice.pk])

    refused = admin_client_.post(url, {"reason": ""})
    assert "Dette felt er påkrævet." in refused.content.decode()

    response = admin_client_.post(url, {"reason": "Besøg på forkert borger"}, follow=True)

    note = Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE)
    assert "Kreditnota 2 er udstedt" in response.content.decode()
    assert note.has_documents and note.credits == invoice
    # The month is open again: issuing it makes a new invoice with the next number.
    (again,) = services.issue_month(month=month)
    assert again.number == "3"


def test_invoice_list_filters_by_status(admin_client_, provider, haderslev, month):
    invoice = issued(month, haderslev)
    services.mark_paid(invoice=invoice)

    paid = admin_client_.get(reverse("invoicing:list"), {"status": "paid"}).content.decode()
    sent = admin_client_.get(reverse("invoicing:list"), {"status": "sent"}).content.decode()

    assert f">{invoice.number}</a>" in paid
    assert "Ingen fakturaer passer." in sent


def test_invoice_list_filters_by_paying_municipality(admin_client_, provider, haderslev, month):
    haderslevs = issued(month, haderslev)
    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=copenhagen))
    (copenhagens,) = services.issue_month(month=month)
    municipality("147")  # no invoice: not offered

    page = admin_client_.get(reverse("invoicing:list"), {"municipality": copenhagen.pk}).content.decode()

    assert f">{copenhagens.number}</a>" in page and f">{haderslevs.number}</a>" not in page
    assert (
        f'<select name="municipality" class="form-select" id="id_municipality"><option value="">Alle</option>'
        f'<option value="{haderslev.pk}">Haderslev</option>'
        f'<option value="{copenhagen.pk}" selected>København</option></select>'
    ) in page
    everything = admin_client_.get(reverse("invoicing:list"), {"municipality": "nowhere"}).content.decode()
    assert f">{copenhagens.number}</a>" in everything and f">{haderslevs.number}</a>" in everything


@pytest.mark.parametrize("count", [5, 50])
def test_invoice_list_queries_do_not_grow_with_rows(
    admin_client_, provider, month, count, django_assert_max_num_queries
):
    for n in range(count):
        place = municipality(["101", "147", "151", "153", "155", "157", "159", "161", "163", "165"][n % 10])
        if not place.eans.exists():
            MunicipalityEANFactory(municipality=place)
        log_visits(
            month - datetime.timedelta(days=31 * (n // 10)) if n >= 10 else month,
            minutes=[30],
            citizen=CitizenFactory(paying_municipality=place),
        )
    for offset in range(5):
        services.issue_month(month=(month - datetime.timedelta(days=31 * offset)).replace(day=1))

    with django_assert_max_num_queries(12):
        response = admin_client_.get(reverse("invoicing:list"))
    assert response.status_code == 200


def test_dashboard_panel_tells_administrators_what_is_not_invoiced(admin_client_, provider, haderslev, month):
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))

    content = admin_client_.get(reverse("dashboard")).content.decode()

    assert "1 kommune er ikke faktureret endnu." in content


def test_hours_statement_for_a_municipal_team(admin_client_, provider, haderslev, month):
    provider.municipality = haderslev
    provider.save()
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))

    page = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"}).content.decode()
    asked = admin_client_.get(reverse("invoicing:hours_statement"), {"month": f"{month:%Y-%m}"})
    queued = admin_client_.post(reverse("invoicing:hours_statement"), {"month": f"{month:%Y-%m}"})

    assert "Timeopgørelse (PDF)" in page
    assert "laves som PDF i opgavekøen" in asked.content.decode()
    assert not asked.content.startswith(b"%PDF")  # no request renders the document
    export = Export.objects.get()
    assert queued["Location"] == reverse("export_detail", args=[export.pk])
    assert export.status == Export.Status.DONE and export.filename == f"timeopgoerelse-{month:%Y-%m}.pdf"
    assert export.file.open("rb").read().startswith(b"%PDF")
    assert services.issue_month(month=month) == []


def test_no_hours_statement_for_a_shelter(admin_client_, provider, month):
    assert admin_client_.get(reverse("invoicing:hours_statement")).status_code == 404
    assert admin_client_.post(reverse("invoicing:hours_statement"), {"month": f"{month:%Y-%m}"}).status_code == 404


@pytest.mark.parametrize("count", [5, 50])
def test_month_page_queries_do_not_grow_with_citizens(
    admin_client_, provider, haderslev, month, count, django_assert_max_num_queries
):
    for _ in range(count):
        log_visits(month, minutes=[30, 45], citizen=CitizenFactory(paying_municipality=haderslev))

    # the invoiced rows and the documents' progress (3), the month's returns to the shelter (1)
    with django_assert_max_num_queries(21):  # 20, and the second factor's device lookup
        response = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"})
    # The same for 5 and 50 citizens; 16 with the month's returns to the shelter (1 query, issue 15),
    # which the lines' preview reads too.
    with django_assert_max_num_queries(16):
        lines = admin_client_.get(
            reverse("invoicing:month_lines", args=[haderslev.pk]),
            {"month": f"{month:%Y-%m}"},
            headers={"HX-Request": "true"},
        )
    assert f"{count} linjer" in response.content.decode()
    assert lines.content.decode().count("1,25 t") == count


@pytest.mark.parametrize("count", [2, 20])
def test_an_issued_month_page_reads_the_invoices_and_prices_nothing_again(
    admin_client_, provider, month, count, django_assert_max_num_queries, monkeypatch
):
    from invoicing import selectors

    for n in range(count):
        place = municipality(["101", "147", "151", "153", "155", "157", "159", "161", "163", "165"][n % 10])
        if not place.eans.exists():
            MunicipalityEANFactory(municipality=place)
        log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=place))
    services.issue_month(month=month)
    priced = []
    original = selectors.month_preview
    monkeypatch.setattr(selectors, "month_preview", lambda *a, **k: priced.append(k) or original(*a, **k))

    with django_assert_max_num_queries(15):  # 14, and the second factor's device lookup
        response = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"})

    content = response.content.decode()
    assert content.count("Faktura ") >= min(count, 10)
    assert priced == [] or all(k.get("exclude_municipality_ids") for k in priced)


def test_a_month_far_out_of_range_is_refused_on_the_page(admin_client_, provider):
    response = admin_client_.get(reverse("invoicing:month"), {"month": "9999-12"})

    assert response.status_code == 200
    assert "Skriv måneden som ÅÅÅÅ-MM, fx 2026-10." in response.content.decode()


def test_documents_that_fail_on_the_queue_are_reported_and_tried_again(
    admin_client_, provider, haderslev, month, monkeypatch
):
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))

    def broken(invoice):
        raise ValidationError("Regel BR-CO-16 er brudt.")

    monkeypatch.setattr(services, "render_invoice_pdf", broken)
    response = admin_client_.post(
        reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"}, follow=True
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "bliver udstedt i opgavekøen." in content  # the immediate backend runs the queue at once
    assert "Faktura 1 er udstedt, men dens PDF og XML kunne ikke laves: Regel BR-CO-16 er brudt." in content
    assert "1 kunne ikke laves" in content
    invoice = Invoice.objects.get()
    assert not invoice.has_documents
    page = admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "pdf"]), follow=True).content.decode()
    assert "Regel BR-CO-16 er brudt." in page and "Prøv igen" in page

    monkeypatch.undo()
    admin_client_.post(reverse("invoicing:documents_again", args=[invoice.pk]))

    invoice.refresh_from_db()
    assert invoice.has_documents
    assert admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "pdf"])).content.startswith(b"%PDF")
    assert "kunne ikke laves" not in admin_client_.get(invoice.get_absolute_url()).content.decode()


def test_a_credit_note_whose_documents_fail_is_still_issued_without_a_500(
    admin_client_, provider, haderslev, month, monkeypatch
):
    invoice = issued(month, haderslev)
    monkeypatch.setattr(services, "render_invoice_pdf", lambda invoice: 1 / 0)

    response = admin_client_.post(
        reverse("invoicing:credit", args=[invoice.pk]), {"reason": "Forkert borger"}, follow=True
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Kreditnota 2 er udstedt, men dens PDF og XML kunne ikke laves: division by zero" in content
    assert Invoice.objects.get(kind=Invoice.Kind.CREDIT_NOTE).number == "2"


@pytest.mark.parametrize("count", [5, 50])
def test_dashboard_panel_is_cheap_and_counts_what_is_not_invoiced(
    admin_client_, provider, haderslev, month, count, django_assert_max_num_queries
):
    from invoicing.panels import dashboard_panel

    for n in range(count):
        place = municipality(["101", "147", "510", "550"][n % 4])
        log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=place))
    services.issue_month(month=month)  # Haderslev (the one with an EAN) is invoiced
    MunicipalityEANFactory(municipality=municipality("101"))
    request = admin_client_.get(reverse("dashboard")).wsgi_request
    assert request.user.has_perm("invoicing.issue_invoice")  # the user and permissions are loaded

    with django_assert_max_num_queries(8):
        _template, context = dashboard_panel(request)

    (item,) = context["months"]
    assert item.to_issue == 1  # 101 ready; 147 and 550 without EAN
    assert [place.code for place in context["without_ean"]] == sorted(
        ["147", "550"], key=lambda code: municipality(code).name
    )
    content = admin_client_.get(reverse("dashboard")).content.decode()
    assert "1 kommune er ikke faktureret endnu." in content
    assert "2 kommuner kan ikke faktureres: de har intet EAN-nummer." in content
    for code in ("147", "550"):
        place = municipality(code)
        assert f'<a href="{reverse("municipality_detail", args=[place.pk])}">{place.name}</a>' in content


def test_the_dashboard_names_every_month_not_invoiced(admin_client_, provider, haderslev, month):
    earlier = (month - datetime.timedelta(days=1)).replace(day=1)
    log_visits(earlier, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))
    log_visits(datetime.date.today().replace(day=1), minutes=[30], day=1)  # the running month is not named

    content = admin_client_.get(reverse("dashboard")).content.decode()
    for when in (earlier, month):
        link = f'href="{reverse("invoicing:month")}?month={when:%Y-%m}"'
        assert link in content
    assert f"?month={datetime.date.today():%Y-%m}" not in content

    services.issue_month(month=earlier)
    content = admin_client_.get(reverse("dashboard")).content.decode()
    assert f"?month={earlier:%Y-%m}" not in content and f"?month={month:%Y-%m}" in content


def test_the_running_month_says_at_once_that_it_cannot_be_issued(admin_client_, provider, haderslev):
    this_month = datetime.date.today().replace(day=1)
    log_visits(this_month, minutes=[30], day=1, citizen=CitizenFactory(paying_municipality=haderslev))

    content = admin_client_.get(reverse("invoicing:month"), {"month": f"{this_month:%Y-%m}"}).content.decode()

    assert "er ikke slut, så dens fakturaer kan ikke udstedes endnu" in content
    assert "Udsted fakturaerne for" not in content
    assert 'action="/fakturering/udsted/"' not in content and "Haderslev" in content


def test_issuing_asks_for_a_deliberate_confirmation(admin_client_, provider, haderslev, month):
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=haderslev))

    response = admin_client_.post(reverse("invoicing:issue"), {"month": f"{month:%Y-%m}"}, follow=True)

    assert "Sæt kryds for at bekræfte" in response.content.decode()
    assert not Invoice.objects.exists()


def test_an_invoiced_municipality_row_links_its_invoice_and_counts_from_it(admin_client_, provider, haderslev, month):
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    for _ in range(2):
        log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=copenhagen))
    issued = {invoice.municipality_id: invoice for invoice in services.issue_month(month=month)}

    content = admin_client_.get(reverse("invoicing:month"), {"month": f"{month:%Y-%m}"}).content.decode()

    assert f'href="{issued[haderslev.pk].get_absolute_url()}"' in content
    assert f"Faktura {issued[copenhagen.pk].number}" in content
    assert "1 linje<" in content and "2 linjer<" in content
    assert "450,00 kr." in content


def test_no_request_makes_a_document_for_a_month_of_many_municipalities(
    admin_client_, provider, month, monkeypatch, task_queue
):
    for code in ["101", "147", "151"]:
        place = municipality(code)
        place.invoice_email = f"faktura.{code}@kommune.example"
        place.save()
        MunicipalityEANFactory(municipality=place)
        log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=place))
    rendered = []
    render = services.render_invoice_pdf
    monkeypatch.setattr(services, "render_invoice_pdf", lambda invoice: rendered.append(invoice) or render(invoice))

    response = admin_client_.post(
        reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"}, follow=True
    )
    assert "bliver udstedt i opgavekøen" in response.content.decode()
    assert rendered == [] and not Invoice.objects.exists()

    task_queue()  # the month is issued, then its documents are made, all by the worker

    last = Invoice.objects.order_by("pk").last()
    assert [invoice.has_documents for invoice in Invoice.objects.order_by("pk")] == [True, True, True]
    assert len(rendered) == 3 and mail.outbox == []
    admin_client_.post(reverse("invoicing:send", args=[last.pk]))
    assert mail.outbox == []  # the e-mail is sent by the task queue too
    task_queue()
    (message,) = mail.outbox
    assert [name for name, _content, _type in message.attachments] == ["faktura-3.pdf", "faktura-3.xml"]


def test_documents_left_for_later_are_made_by_generate_invoices(admin_client_, provider, month, task_queue):
    from io import StringIO

    from django.core.management import call_command

    place = municipality("101")
    MunicipalityEANFactory(municipality=place)
    log_visits(month, minutes=[30], citizen=CitizenFactory(paying_municipality=place))
    admin_client_.post(reverse("invoicing:issue"), {"month": f"{month:%Y-%m}", "confirmed": "on"})
    assert not Invoice.objects.exists()  # queued

    call_command("generate_invoices", "--month", f"{month:%Y-%m}", stdout=StringIO())

    assert Invoice.objects.get().has_documents
    task_queue()  # the queued run finds the month issued and issues nothing again
    assert Invoice.objects.get().has_documents


def test_send_while_the_mail_server_is_down_is_refused_with_a_message(admin_client_, provider, haderslev, month):
    from unittest import mock

    invoice = issued(month, haderslev)
    with mock.patch("django.core.mail.message.EmailMessage.send", side_effect=ConnectionRefusedError(111, "refused")):
        response = admin_client_.post(reverse("invoicing:send", args=[invoice.pk]), follow=True)
    assert response.status_code == 200
    assert "mailserveren svarede ikke" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.sent_at is None


def test_invoice_bytes_that_do_not_match_their_hash_are_not_served(admin_client_, provider, haderslev, month):
    from django.db import connection

    invoice = issued(month, haderslev)
    # A bad restore, not the app: the database's guard against changing an issued invoice is bypassed.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    Invoice.objects.filter(pk=invoice.pk).update(pdf=b"%PDF-1.7 other bytes")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")
    response = admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "pdf"]), follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert f"Faktura {invoice.number} svarer ikke til det udstedte dokument" in response.content.decode()
