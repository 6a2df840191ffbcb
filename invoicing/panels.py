"""The invoicing panel on the administrators' dashboard."""

from django.utils import timezone

from invoicing.selectors import month_preview, overdue, previous_month


def dashboard_panel(request):
    if not request.user.has_perm("invoicing.issue_invoice"):
        return None
    month = previous_month(timezone.localdate())
    previews = month_preview(month)
    late = overdue().select_related("municipality").defer("pdf", "xml").order_by("due_date")
    return (
        "invoicing/panels/dashboard.html",
        {
            "month": month,
            "to_issue": sum(1 for preview in previews if preview.can_issue),
            "without_ean": sum(1 for p in previews if p.ean is None and not p.is_own and p.invoice is None),
            "overdue": list(late[:5]),
            "overdue_count": late.count(),
        },
    )
