"""The invoicing panel on the administrators' dashboard."""

from django.db.models import Exists, OuterRef
from django.utils import timezone

from housingfirst.models import Municipality, MunicipalityEAN, Provider
from invoicing.models import Invoice
from invoicing.selectors import month_bounds, overdue, previous_month


def municipalities_not_invoiced(month):
    """(has an EAN) for each paying municipality with billable visits in the month and no open invoice
    for it, the provider's own left out: one query, where the month preview would price every visit."""
    from interventions.models import Visit

    first, following = month_bounds(month)
    provider = Provider.current()
    places = (
        Municipality.objects.filter(
            Exists(
                Visit.objects.filter(
                    billable=True,
                    date__gte=first,
                    date__lt=following,
                    intervention__citizen__paying_municipality=OuterRef("pk"),
                )
            )
        )
        .exclude(
            Exists(
                Invoice.objects.filter(
                    municipality=OuterRef("pk"), kind=Invoice.Kind.INVOICE, month=first, credited_at__isnull=True
                ).exclude(number="")
            )
        )
        .annotate(has_ean=Exists(MunicipalityEAN.objects.filter(municipality=OuterRef("pk"))))
    )
    if provider is not None and provider.municipality_id is not None:
        places = places.exclude(pk=provider.municipality_id)
    return list(places.values_list("has_ean", flat=True))


def dashboard_panel(request):
    if not request.user.has_perm("invoicing.issue_invoice"):
        return None
    month = previous_month(timezone.localdate())
    not_invoiced = municipalities_not_invoiced(month)
    late = overdue().select_related("municipality").defer("pdf", "xml").order_by("due_date")
    return (
        "invoicing/panels/dashboard.html",
        {
            "month": month,
            "to_issue": sum(1 for has_ean in not_invoiced if has_ean),
            "without_ean": sum(1 for has_ean in not_invoiced if not has_ean),
            "overdue": list(late[:5]),
            "overdue_count": late.count(),
        },
    )
