from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from housingfirst.integrity import DocumentMismatch, verified
from housingfirst.models import Provider
from housingfirst.templatetags.hf import format_danish_number
from invoicing import services
from invoicing.forms import CreditNoteForm, InvoiceFilterForm, IssueForm, MonthForm, PaidForm, RateForm
from invoicing.models import Invoice, Rate
from invoicing.selectors import invoice_list as select_invoices
from invoicing.selectors import invoice_with_lines, month_preview

CONTENT_TYPES = {"pdf": "application/pdf", "xml": "application/xml"}
# The documents made while the administrator waits. Each takes about 0.3 s of CPU, so a month for
# ~100 municipalities would pass gunicorn's 30 s timeout; the rest are made on first download or
# send, or all at once by `manage.py generate_invoices --month`.
DOCUMENTS_IN_REQUEST = 5


def _show_refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@permission_required("invoicing.view_invoice", raise_exception=True)
def month(request):
    form, chosen = MonthForm.from_request(request.GET)
    previews = month_preview(chosen)
    provider = Provider.current()
    context = {
        "form": form,
        "month": chosen,
        "previews": previews,
        "issuable": [p for p in previews if p.can_issue],
        "warning_count": sum(len(p.warnings) for p in previews if p.invoice is None),
        "credited": Invoice.objects.filter(month=chosen, kind=Invoice.Kind.INVOICE, credited_at__isnull=False)
        .select_related("municipality")
        .defer("pdf", "xml"),
        "own_team": provider is not None and provider.municipality_id is not None,
    }
    return render(request, "invoicing/month.html", context)


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
        issued = services.issue_month(month=chosen, by=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
        return redirect(f"{reverse('invoicing:month')}?month={chosen:%Y-%m}")
    # The invoices are committed now: a document that cannot be made is reported, never a 500.
    ids = [invoice.pk for invoice in issued]
    for failure in services.store_documents_in_parallel(ids[:DOCUMENTS_IN_REQUEST], workers=1):
        messages.error(request, failure)
    if issued:
        messages.success(
            request,
            ngettext(
                "%(count)d invoice is issued. Download it or send it below.",
                "%(count)d invoices are issued. Download them or send them below.",
                len(issued),
            )
            % {"count": len(issued)},
        )
    later = len(ids[DOCUMENTS_IN_REQUEST:])
    if later:
        messages.info(
            request,
            ngettext(
                "To keep issuing quick, the PDF and XML of %(count)d invoice are made when it is first "
                "downloaded or sent. To make them now, run: manage.py generate_invoices --month %(month)s",
                "To keep issuing quick, the PDF and XML of %(count)d invoices are made when each is first "
                "downloaded or sent. To make them all now, run: manage.py generate_invoices --month %(month)s",
                later,
            )
            % {"count": later, "month": f"{chosen:%Y-%m}"},
        )
    if not issued:
        messages.info(request, _("Nothing to issue: the month is already invoiced or has no billable visits."))
    return redirect(f"{reverse('invoicing:list')}?month={chosen:%Y-%m}")


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_list(request):
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    invoices = select_invoices(
        status=filters.get("status", ""),
        municipality_id=filters["municipality"].pk if filters.get("municipality") else None,
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


@permission_required("invoicing.view_invoice", raise_exception=True)
def invoice_detail(request, pk):
    invoice = _issued_or_404(pk)
    return render(
        request,
        "invoicing/invoice_detail.html",
        {"invoice": invoice, "lines": list(invoice.lines.all()), "paid_form": PaidForm()},
    )


@permission_required("invoicing.view_invoice", raise_exception=True)
def download(request, pk, document):
    if document not in CONTENT_TYPES:
        raise Http404
    invoice = get_object_or_404(Invoice.objects.exclude(number=""), pk=pk)
    if not invoice.has_documents:
        # Issued, but making the documents failed after the commit: make them now.
        failure = services.try_store_documents(invoice=invoice)
        if failure:
            messages.error(request, failure)
            return redirect(invoice)
        invoice.refresh_from_db()
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
    invoice = get_object_or_404(Invoice.objects.exclude(number=""), pk=pk)
    if not invoice.has_documents:
        # Issued without documents (left for later, or failed after the commit): make them now.
        failure = services.try_store_documents(invoice=invoice)
        if failure:
            messages.error(request, failure)
            return redirect(invoice)
    try:
        invoice = services.send_invoice(invoice=invoice, by=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _("Sent to %(address)s.") % {"address": invoice.sent_to})
    return redirect(invoice)


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
            failure = services.try_store_documents(invoice=note)
            if failure:
                messages.error(request, failure)
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
    _form, chosen = MonthForm.from_request(request.GET)
    try:
        pdf = services.render_hours_statement(month=chosen)
    except ValidationError as error:
        raise Http404(error.messages[0]) from error
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="timeopgoerelse-{chosen:%Y-%m}.pdf"'
    return response


@permission_required("invoicing.view_invoice", raise_exception=True)
def rates(request):
    form = RateForm(request.POST or None)
    if request.method == "POST":
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
    return render(request, "invoicing/rates.html", {"form": form, "rates": Rate.objects.all()})
