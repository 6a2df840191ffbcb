"""The invoicing panel on the administrators' dashboard."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from citizens.models import Citizen
from housingfirst.models import Municipality, MunicipalityEAN, Provider
from invoicing.models import Invoice
from invoicing.selectors import month_bounds, overdue, previous_month


@dataclass
class MonthToInvoice:
    month: datetime.date
    to_issue: int  # municipalities with an EAN: invoices that can be issued
    without_ean: list  # municipalities that cannot be invoiced: no EAN number


def months_not_invoiced(before: datetime.date) -> list[MonthToInvoice]:
    """Every ended month (before `before`) with billable visits for a paying municipality that has no
    issued invoice for it, oldest first; the provider's own municipality left out.

    The months × municipalities already invoiced are ruled out first (two small queries), so only the
    months with a candidate left read their visits, one query each through the visits' date index: a
    well-kept history costs a query or two, not a scan of every visit ever logged.
    """
    from interventions.models import Visit

    earliest = Visit.objects.filter(billable=True, date__lt=before).aggregate(first=Min("date"))["first"]
    if earliest is None:
        return []
    provider = Provider.current()
    paying = (
        Municipality.objects.filter(Exists(Citizen.objects.filter(paying_municipality=OuterRef("pk"))))
        .annotate(has_ean=Exists(MunicipalityEAN.objects.filter(municipality=OuterRef("pk"))))
        .order_by("name")
    )
    if provider is not None and provider.municipality_id is not None:
        paying = paying.exclude(pk=provider.municipality_id)
    paying = list(paying)
    invoiced = set(
        Invoice.objects.filter(kind=Invoice.Kind.INVOICE, credited_at__isnull=True, month__lt=before)
        .exclude(number="")
        .values_list("municipality_id", "month")
    )
    result = []
    month = earliest.replace(day=1)
    while month < before:
        first, following = month_bounds(month)
        candidates = {m.pk: m for m in paying if (m.pk, first) not in invoiced}
        if candidates:
            with_work = set(
                Municipality.objects.filter(
                    Exists(
                        Visit.objects.filter(
                            billable=True,
                            date__gte=first,
                            date__lt=following,
                            intervention__citizen__paying_municipality=OuterRef("pk"),
                        )
                    ),
                    pk__in=list(candidates),
                ).values_list("pk", flat=True)
            )
            if with_work:
                places = [m for pk, m in candidates.items() if pk in with_work]
                result.append(
                    MonthToInvoice(
                        month=first,
                        to_issue=sum(1 for m in places if m.has_ean),
                        without_ean=[m for m in places if not m.has_ean],
                    )
                )
        month = following
    return result


def dashboard_panel(request):
    if not request.user.has_perm("invoicing.issue_invoice"):
        return None
    month = previous_month(timezone.localdate())
    months = months_not_invoiced(timezone.localdate().replace(day=1))
    without_ean = {m.pk: m for item in months for m in item.without_ean}
    late = overdue().select_related("municipality").defer("pdf", "xml").order_by("due_date")
    return (
        "invoicing/panels/dashboard.html",
        {
            "month": month,
            "months": [item for item in months if item.to_issue],
            "without_ean": sorted(without_ean.values(), key=lambda m: m.name),
            "overdue": list(late[:5]),
            "overdue_count": late.count(),
        },
    )
