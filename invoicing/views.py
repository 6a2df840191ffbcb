from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from housingfirst import exports
from housingfirst.integrity import DocumentMismatch, verified
from housingfirst.models import Municipality, Provider
from housingfirst.tasks import ATTEMPTS
from housingfirst.templatetags.hf import format_danish_number, hours, kr
from invoicing import services
from invoicing.forms import (
    CreditNoteForm,
    InvoiceFilterForm,
    IssueForm,
    MonthForm,
    PaidForm,
    RateForm,
    ShelterDayRateForm,
)
from invoicing.models import DocumentFailure, Invoice, InvoiceSending, Rate, ShelterDayRate
from invoicing.selectors import (
    documents_progress,
    invoice_with_lines,
    issued_so_far,
    latest_month_issue,
    month_overview,
    month_preview,
)
from invoicing.selectors import invoice_list as select_invoices

CONTENT_TYPES = {"pdf": "application/pdf", "xml": "application/xml"}


def _show_refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _url_of(name: str):
    """reverse() once for a URL with a pk, then the pk put in by text: 98 rows, not 98 reverse() calls."""
    marker = 987654321
    template = reverse(name, args=[marker])
    return lambda pk: template.replace(str(marker), str(pk))


def _with_texts(rows, chosen) -> None:
    """What each row of the month page prints, formatted here once a row instead of by template tags
    (blocktranslate with a count, url and the number filters were most of the page's rendering)."""
    lines_url, invoice_url = _url_of("invoicing:month_lines"), _url_of("invoicing:detail")
    query = f"?month={chosen:%Y-%m}"
    for row in rows:
        row.lines_url = lines_url(row.municipality.pk) + query
        row.lines_text = ngettext("%(count)s line", "%(count)s lines", row.line_count) % {"count": row.line_count}
        row.warnings_text = ngettext("%(count)s warning", "%(count)s warnings", row.warning_count) % {
            "count": row.warning_count
        }
        days = int(row.total_shelter_days)
        row.days_text = ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
        row.hours_text = hours(row.total_minutes)
        row.total_text = kr(row.total)
        if row.invoice is not None:
            row.invoice_url = invoice_url(row.invoice.pk)
            row.invoice_text = _("Invoice %(number)s") % {"number": row.invoice.number}


@permission_required("invoicing.view_invoice", raise_exception=True)
def month(request):
    form, chosen = MonthForm.from_request(request.GET)
    rows = month_overview(chosen)
    _with_texts(rows, chosen)
    issue_run = latest_month_issue(chosen)
    provider = Provider.current()
    # A month still running cannot be issued (services.issue_month refuses it): say so at once, no button.
    not_ended = chosen >= timezone.localdate().replace(day=1)
    context = {
        "form": form,
        "month": chosen,
        "rows": rows,
        "not_ended": not_ended,
        "issuable": [] if not_ended else [row for row in rows if row.can_issue],
        "warning_count": sum(row.warning_count for row in rows if row.invoice is None),
        "progress": documents_progress(chosen),
        "issue_run": issue_run,
        "issued_so_far": issued_so_far(issue_run),
        "credited": Invoice.objects.filter(month=chosen, kind=Invoice.Kind.INVOICE, credited_at__isnull=False)
        .select_related("municipality")
        .defer("pdf", "xml"),
        "own_team": provider is not None and provider.municipality_id is not None,
    }
    return render(request, "invoicing/month.html", context)


@permission_required("invoicing.view_invoice", raise_exception=True)
def month_lines(request, municipality_id):
    """One municipality's lines and warnings for the month: shown on demand below its row."""
    _form, chosen = MonthForm.from_request(request.GET)
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    previews = [p for p in month_preview(chosen, municipality_ids=[municipality.pk]) if p.municipality == municipality]
    context = {"month": chosen, "municipality": municipality, "preview": previews[0] if previews else None}
    if request.headers.get("HX-Request"):
        return render(request, "invoicing/partials/month_lines.html", context)
    return render(request, "invoicing/month_lines.html", context)


@permission_required("invoicing.view_invoice", raise_exception=True)
def month_documents(request):
    """The documents' progress for the month (polled by the month page while the queue works)."""
    _form, chosen = MonthForm.from_request(request.GET)
    return render(
        request,
        "invoicing/partials/documents_progress.html",
        {"month": chosen, "progress": documents_progress(chosen)},
    )


@require_POST
@permission_required("invoicing.issue_invoice", raise_exception=True)
def month_documents_again(request):
    """Queue the month's invoices without documents again (after a failure or a stopped worker)."""
    form, chosen = MonthForm.from_request(request.POST)
    pending = Invoice.objects.filter(month=chosen, pdf_sha256="").exclude(number="").values_list("pk", flat=True)
    count = services.queue_documents_again(invoice_ids=list(pending), by=request.user)
    messages.info(
        request,
        ngettext(
            "The documents of %(count)d invoice are queued again.",
            "The documents of %(count)d invoices are queued again.",
            count,
        )
        % {"count": count},
    )
    return redirect(f"{reverse('invoicing:month')}?month={chosen:%Y-%m}")


@require_POST
@permission_required("invoicing.issue_invoice", raise_exception=True)
def issue(request):
    form = IssueForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("month", []):
            messages.error(request, error)
        if "month" not in form.errors:
            for error in form.errors.get("confirmed", []):
                messages.error(request, error)
            return redirect(f"{reverse('invoicing:month')}?month={form.cleaned_data['month']:%Y-%m}")
        return redirect("invoicing:month")
    chosen = form.cleaned_data["month"]
    try:
        # Queued, not issued here: a national month takes longer than a request may.
        services.request_month_issue(month=chosen, by=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        messages.info(
            request,
            _("The invoices for %(month)s are being issued on the task queue. This page shows how far it has come.")
            % {"month": f"{chosen:%m.%Y}"},
        )
    return redirect(f"{reverse('invoicing:month')}?month={chosen:%Y-%m}")


@permission_required("invoicing.view_invoice", raise_exception=True)
def month_issue(request):
    """The month's issue run, polled by the month page while the queue issues; the page reloads when it is done."""
    _form, chosen = MonthForm.from_request(request.GET)
    run = latest_month_issue(chosen)
    if request.GET.get("waiting") and request.headers.get("HX-Request") and not (run and run.is_open):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # the rows, the invoices and the documents' progress have changed
        return response
    return render(
        request,
        "invoicing/partials/issue_progress.html",
        {"month": chosen, "issue_run": run, "issued_so_far": issued_so_far(run)},
    )


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_list(request):
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    invoices = select_invoices(
        status=filters.get("status", ""),
        municipality_id=filters.get("municipality"),
        month=filters.get("month"),
        kind=filters.get("kind", ""),
    )
    page = Paginator(invoices, 25).get_page(request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    return render(
        request,
        "invoicing/invoice_list.html",
        {"form": form, "page": page, "querystring": querystring.urlencode()},
    )


def _issued_or_404(pk):
    try:
        invoice = invoice_with_lines(pk)
    except Invoice.DoesNotExist as error:
        raise Http404 from error
    if not invoice.is_issued:
        raise Http404
    return invoice


def _documents_context(invoice: Invoice) -> dict:
    failure = None if invoice.has_documents else DocumentFailure.objects.filter(invoice=invoice).first()
    return {"invoice": invoice, "failure": failure}


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_detail(request, pk):
    invoice = _issued_or_404(pk)
    return render(
        request,
        "invoicing/invoice_detail.html",
        {
            **_documents_context(invoice),
            **_sending_context(invoice),
            "lines": list(invoice.lines.all()),
            "paid_form": PaidForm(),
        },
    )


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_documents(request, pk):
    """The invoice's documents card, polled while the task queue makes them."""
    invoice = get_object_or_404(Invoice.objects.exclude(number="").defer("pdf", "xml"), pk=pk)
    return render(request, "invoicing/partials/invoice_documents.html", _documents_context(invoice))


@require_POST
@permission_required("invoicing.issue_invoice", raise_exception=True)
def invoice_documents_again(request, pk):
    invoice = get_object_or_404(Invoice.objects.exclude(number="").defer("pdf", "xml"), pk=pk)
    if services.queue_documents_again(invoice_ids=[invoice.pk], by=request.user):
        messages.info(request, _("The PDF and XML are queued again."))
    return redirect(invoice)


@permission_required("invoicing.view_invoice", raise_exception=True)
def download(request, pk, document):
    if document not in CONTENT_TYPES:
        raise Http404
    invoice = get_object_or_404(Invoice.objects.exclude(number=""), pk=pk)
    if not invoice.has_documents:
        # Made on the task queue, never in a request: the invoice's page shows how far it has come.
        messages.info(request, _("The PDF and XML are not made yet. This page shows when they are."))
        return redirect(invoice)
    try:
        content = verified(
            bytes(getattr(invoice, document)),
            getattr(invoice, f"{document}_sha256"),
            document=_("Invoice %(number)s") % {"number": invoice.number},
        )
    except DocumentMismatch as error:
        messages.error(request, str(error))
        return redirect(invoice)
    response = HttpResponse(content, content_type=CONTENT_TYPES[document])
    response["Content-Disposition"] = f'attachment; filename="{services.document_filename(invoice, document)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@permission_required("invoicing.issue_invoice", raise_exception=True)
def send(request, pk):
    """Queue the e-mail; the invoice's page shows it being sent (htmx polling) and what came of it."""
    invoice = get_object_or_404(Invoice.objects.exclude(number="").defer("pdf", "xml"), pk=pk)
    try:
        sending = services.request_sending(invoice=invoice, by=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        if sending.state == InvoiceSending.State.SENT:
            messages.success(request, _("Sent to %(address)s.") % {"address": sending.sent_to})
        elif sending.state != InvoiceSending.State.FAILED:
            messages.info(request, _("The invoice is being sent by the task queue. This page shows when it has gone."))
    return redirect(invoice)


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_sending(request, pk):
    """The invoice's sending box, polled while the task queue sends it."""
    invoice = get_object_or_404(
        Invoice.objects.exclude(number="").defer("pdf", "xml").select_related("municipality"), pk=pk
    )
    return render(request, "invoicing/partials/invoice_sending.html", _sending_context(invoice))


def _sending_context(invoice: Invoice) -> dict:
    return {"invoice": invoice, "sending": invoice.sendings.first(), "attempts": ATTEMPTS}


@require_POST
@permission_required("invoicing.issue_invoice", raise_exception=True)
def paid(request, pk):
    invoice = get_object_or_404(Invoice.objects.exclude(number=""), pk=pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the invoice was paid."))
        return redirect(invoice)
    try:
        services.mark_paid(invoice=invoice, by=request.user, paid_on=form.cleaned_data["paid_on"])
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _("The invoice is marked as paid."))
    return redirect(invoice)


@permission_required("invoicing.issue_invoice", raise_exception=True)
def credit(request, pk):
    invoice = _issued_or_404(pk)
    form = CreditNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.credit_invoice(invoice=invoice, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Credit note %(number)s is issued and the month is open again: correct the visits and "
                    "issue a new invoice from Invoicing."
                )
                % {"number": note.number},
            )
            return redirect(note)
    return render(request, "invoicing/credit_form.html", {"invoice": invoice, "form": form})


@permission_required("invoicing.view_invoice", raise_exception=True)
def hours_statement(request):
    """The month's hours statement: asked for here, made on the task queue (no request renders a PDF)."""
    form, chosen = MonthForm.from_request(request.POST if request.method == "POST" else request.GET)
    provider = Provider.current()
    if provider is None or provider.municipality_id is None:
        raise Http404(_("Only a municipality's own team makes an hours statement."))
    if request.method == "POST":
        export = exports.request_export(
            kind="hours_statement",
            params={"month": chosen.isoformat()},
            user=request.user,
            title=_("Hours statement %(month)s") % {"month": f"{chosen:%m.%Y}"},
        )
        return redirect("export_detail", pk=export.pk)
    return render(
        request,
        "invoicing/hours_statement.html",
        {"form": form, "month": chosen, "municipality": provider.municipality},
    )


def _dated_tables():
    """Every dated table on one page: (key, heading, rows, value field, unit, form class, service, permission)."""
    from workshops import services as workshop_services
    from workshops.forms import ContributionRateForm, WorkBonusRateForm
    from workshops.models import LabourMarketContributionRate, WorkBonusRate

    return [
        ("shelter", _("Shelter day rate"), ShelterDayRate.objects.all(), "day_rate", "kr",
         ShelterDayRateForm, services.add_shelter_day_rate, "invoicing.add_rate"),
        ("bonus", _("Work bonus per hour"), WorkBonusRate.objects.all(), "hourly_rate", "kr",
         WorkBonusRateForm, workshop_services.add_work_bonus_rate, "workshops.add_workbonusrate"),
        ("am", _("AM contribution"), LabourMarketContributionRate.objects.all(), "percent", "%",
         ContributionRateForm, workshop_services.add_contribution_rate, "workshops.add_labourmarketcontributionrate"),
    ]  # fmt: skip


@permission_required("invoicing.view_invoice", raise_exception=True)
def rates(request):
    """The hourly rate and the other dated tables (shelter day rate, work bonus, AM contribution)."""
    posted = request.POST.get("table", "hourly") if request.method == "POST" else None
    form = RateForm(request.POST if posted == "hourly" else None)
    tables = []
    for key, heading, rows, field, unit, form_class, add, permission in _dated_tables():
        bound = form_class(request.POST if posted == key else None, prefix=key)
        if posted == key:
            if not request.user.has_perm(permission):
                return render(request, "403.html", status=403)
            if bound.is_valid():
                try:
                    added = add(**bound.cleaned_data, by=request.user)
                except ValidationError as error:
                    bound.add_error(None, error)
                else:
                    value = format_danish_number(getattr(added, field))
                    messages.success(
                        request,
                        _("%(table)s: %(value)s takes effect on %(date)s.")
                        % {"table": heading, "value": f"{value} {unit}.", "date": f"{added.valid_from:%d.%m.%Y}"},
                    )
                    return redirect("invoicing:rates")
        tables.append({"key": key, "heading": heading, "rows": rows, "field": field, "unit": unit, "form": bound,
                       "can_add": request.user.has_perm(permission)})  # fmt: skip
    if posted == "hourly":
        if not request.user.has_perm("invoicing.add_rate"):
            return render(request, "403.html", status=403)
        if form.is_valid():
            try:
                rate = services.add_rate(**form.cleaned_data, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("The rate %(rate)s kr. takes effect on %(date)s.")
                    % {"rate": format_danish_number(rate.hourly_rate), "date": f"{rate.valid_from:%d.%m.%Y}"},
                )
                return redirect("invoicing:rates")
    return render(request, "invoicing/rates.html", {"form": form, "rates": Rate.objects.all(), "tables": tables})
