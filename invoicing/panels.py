"""The invoicing panel on the administrators' dashboard."""

from django.utils import timezone

from invoicing.selectors import month_preview, overdue, previous_month


def dashboard_panel(request):
    if not request.user.has_perm("invoicing.issue_invoice"):
        return None
    month = previous_month(timezone.localdate())
    late = overdue().select_related("municipality").defer("pdf", "xml").order_by("due_date")
    return (
        "invoicing/panels/dashboard.html",
        {
            "month": month,
            "to_issue": sum(1 for preview in month_preview(month) if preview.can_issue),
            "overdue": list(late[:5]),
            "overdue_count": late.count(),
        },
    )
