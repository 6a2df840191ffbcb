from django.contrib import admin

from housingfirst.admin import ReadOnlyAdminMixin
from invoicing.models import Invoice, Rate


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
