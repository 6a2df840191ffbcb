"""The audit trail for administrators: read-only (GET only), filterable, paginated, exportable as CSV."""

import csv

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditFilterForm
from citizens.models import Citizen

PAGE_SIZE = 50
CSV_CHUNK = 500


def _form(request):
    return AuditFilterForm(request.GET or None)


@require_GET
@permission_required("citizens.view_auditlog", raise_exception=True)
def audit_list(request):
    form = _form(request)
    filters = form.filters()
    citizen = get_object_or_404(Citizen.objects.defer("cpr"), pk=filters.citizen_id) if filters.citizen_id else None
    page = Paginator(selectors.audit_entries(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": selectors.entries_for(page.object_list),
        "citizen": citizen,
        "querystring": query.urlencode(),
    }
    return render(request, "audit/audit_list.html", context)


class _Echo:
    def write(self, value):
        return value


@require_GET
@permission_required("citizens.view_auditlog", raise_exception=True)
def audit_csv(request):
    filters = _form(request).filters()
    entries = selectors.audit_entries(filters)

    def rows():
        writer = csv.writer(_Echo(), delimiter=";")
        yield "\ufeff" + writer.writerow(
            [_("Time"), _("User"), _("Kind"), _("Action"), _("What"), _("Citizen"), _("Changes")]
        )
        offset = 0
        while chunk := list(entries[offset : offset + CSV_CHUNK]):
            for entry in selectors.entries_for(chunk):
                changes = "; ".join(f"{name}: {old} → {new}" for name, old, new in entry.changes)
                yield writer.writerow(
                    [
                        entry.at.strftime("%d.%m.%Y %H:%M:%S"),
                        str(entry.user or ""),
                        dict(selectors.Kind.CHOICES).get(entry.kind, entry.kind),
                        entry.action,
                        entry.subject,
                        entry.citizen.full_name if entry.citizen else "",
                        changes,
                    ]
                )
            offset += CSV_CHUNK

    name = f"revisionsspor-{timezone.localdate():%Y-%m-%d}.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
