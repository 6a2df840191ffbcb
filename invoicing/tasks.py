"""Invoicing's work on the task queue: the PDF and XML of issued invoices ("documents" queue)."""

from django.utils.translation import gettext_lazy as _

from housingfirst.tasks import retried_task


def _documents_failed(invoice_id: int, *, error: Exception) -> None:
    from invoicing import services

    services.record_documents_failure(invoice_id=invoice_id, error=error)


@retried_task(queue_name="documents", on_final_failure=_documents_failed, label=_("Invoice documents"))
def make_invoice_documents(invoice_id: int) -> None:
    """Make and store one issued invoice's PDF and XML. Safe to run twice: made documents are left alone."""
    from invoicing import services
    from invoicing.models import Invoice

    invoice = Invoice.objects.defer("pdf", "xml").filter(pk=invoice_id).first()
    if invoice is not None:
        services.store_documents(invoice=invoice)


def _sending_failed(sending_id: int, *, error: Exception) -> None:
    from invoicing import services

    services.record_sending_failure(sending_id=sending_id, error=error)


@retried_task(on_final_failure=_sending_failed, label=_("Sending an invoice"))
def send_invoice_mail(sending_id: int) -> None:
    """E-mail one requested sending's invoice (`services.deliver_sending`): sends it at most once."""
    from invoicing import services

    services.deliver_sending(sending_id=sending_id)


def _month_issue_failed(run_id: int, *, error: Exception) -> None:
    from invoicing import services

    services.record_month_issue_failure(run_id=run_id, error=error)


@retried_task(on_final_failure=_month_issue_failed, label=_("Issuing a month's invoices"))
def issue_month_run(run_id: int) -> None:
    """Issue the month of one requested run (`services.run_month_issue`). Safe to run twice: issued
    municipalities are skipped."""
    from invoicing import services

    services.run_month_issue(run_id=run_id)
