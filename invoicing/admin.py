from django.contrib import admin

from housingfirst.admin import ReadOnlyAdminMixin
from invoicing.models import (
    DocumentFailure,
    Invoice,
    InvoiceLine,
    InvoiceSending,
    InvoiceSequence,
    MonthIssue,
    Rate,
    ShelterDayRate,
    VisitMonthSum,
)


@admin.register(Rate)
class RateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a rate is added on the rates page, which refuses one that reaches an invoiced month."""

    list_display = ["valid_from", "hourly_rate", "note"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: invoices are issued, sent, paid and credited through the app's own pages."""

    list_display = ["number", "kind", "municipality", "month", "total", "issue_date", "paid_on", "credited_at"]
    list_filter = ["kind", "month"]
    exclude = ["pdf", "xml"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "xml")


@admin.register(InvoiceLine)
class InvoiceLineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: lines are frozen with their invoice when it is issued."""

    list_display = ["invoice", "position", "citizen_name", "citizen_cpr_masked", "method", "minutes", "rate", "amount"]
    list_filter = ["method", "invoice__month"]
    search_fields = ["invoice__number", "citizen_name"]
    # The citizen is shown by the name and masked CPR frozen on the line, never by a link to the record.
    exclude = ["citizen"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("invoice").defer("invoice__pdf", "invoice__xml")


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: only issuing moves the number on, under its row lock, so numbers have no gaps."""

    list_display = ["name", "last_number"]


@admin.register(ShelterDayRate)
class ShelterDayRateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, like the hourly rates: a day rate is added through services.add_shelter_day_rate, which checks it."""

    list_display = ["valid_from", "day_rate", "note"]


@admin.register(DocumentFailure)
class DocumentFailureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: written by the document task after its last attempt, deleted when the documents are made."""

    list_display = ["invoice", "failed_at", "message"]
    list_select_related = ["invoice"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("invoice__pdf", "invoice__xml")


@admin.register(InvoiceSending)
class InvoiceSendingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: sendings are requested on the invoice's page and sent by the task queue."""

    list_display = ["invoice", "requested_at", "requested_by", "state", "attempts", "sent_to", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["invoice", "requested_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("invoice__pdf", "invoice__xml")


@admin.register(MonthIssue)
class MonthIssueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a month is issued from the month page (or generate_invoices), which queues the run."""

    list_display = ["month", "state", "requested_by", "requested_at", "finished_at", "issued_count"]
    list_filter = ["state"]


@admin.register(VisitMonthSum)
class VisitMonthSumAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the visits move their sums; a new rate or a bulk write sums them again."""

    list_display = ["month", "intervention", "rate_ore", "minutes", "visits"]
    list_filter = ["month"]
    list_select_related = ["intervention__citizen"]
    raw_id_fields = ["intervention"]
