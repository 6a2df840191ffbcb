from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from housingfirst import exports, jobs, panels, signin, tasks
from housingfirst.forms import CaseworkerForm, MunicipalityEANForm, MunicipalityForm, ProviderForm
from housingfirst.models import Export, Municipality, MunicipalityEAN, Provider
from housingfirst.services import save_municipality_ean


def dashboard(request):
    return render(request, "dashboard.html", {"panels": panels.dashboard.collect(request)})


# The language switch is on the login page too.
set_language = login_not_required(django_set_language)


@permission_required("housingfirst.change_provider", raise_exception=True)
def provider_edit(request):
    provider = Provider.current() or Provider()
    form = ProviderForm(request.POST or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The provider's details are saved."))
        return redirect("provider_edit")
    return render(request, "provider_form.html", {"form": form})


@permission_required("housingfirst.view_municipality", raise_exception=True)
def municipality_list(request):
    query = request.GET.get("q", "").strip()
    municipalities = Municipality.objects.annotate(
        ean_count=Count("eans", distinct=True), caseworker_count=Count("caseworkers", distinct=True)
    ).order_by("name")
    if query:
        municipalities = municipalities.filter(Q(name__icontains=query) | Q(code__startswith=query))
    page = Paginator(municipalities, 25).get_page(request.GET.get("page"))
    return render(request, "municipality_list.html", {"page": page, "query": query})


@permission_required("housingfirst.view_municipality", raise_exception=True)
def municipality_detail(request, pk):
    municipality = get_object_or_404(Municipality, pk=pk)
    form = MunicipalityForm(instance=municipality)
    ean_form = MunicipalityEANForm(municipality=municipality)
    caseworker_form = CaseworkerForm(municipality=municipality)
    if request.method == "POST":
        if not request.user.has_perm("housingfirst.change_municipality"):
            return render(request, "403.html", status=403)
        action = request.POST.get("action")
        if action == "invoice_email":
            form = MunicipalityForm(request.POST, instance=municipality)
            if form.is_valid():
                form.save()
                messages.success(request, _("The invoicing details are saved."))
                return redirect(municipality)
        elif action == "ean":
            ean_form = MunicipalityEANForm(request.POST, municipality=municipality)
            if ean_form.is_valid():
                save_municipality_ean(ean=ean_form.instance)
                messages.success(request, _("EAN number %(ean)s is added.") % {"ean": ean_form.instance.ean})
                return redirect(municipality)
        elif action == "caseworker":
            caseworker_form = CaseworkerForm(request.POST, municipality=municipality)
            if caseworker_form.is_valid():
                caseworker_form.save()
                messages.success(request, _("The caseworker is added."))
                return redirect(municipality)
    context = {
        "municipality": municipality,
        "eans": municipality.eans.all(),
        "caseworkers": municipality.caseworkers.all(),
        "form": form,
        "ean_form": ean_form,
        "caseworker_form": caseworker_form,
    }
    return render(request, "municipality_detail.html", context)


@require_POST
@permission_required("housingfirst.delete_municipalityean", raise_exception=True)
def municipality_ean_delete(request, pk, ean_pk):
    ean = get_object_or_404(MunicipalityEAN, pk=ean_pk, municipality_id=pk)
    ean.delete()
    messages.success(request, _("EAN number %(ean)s is removed.") % {"ean": ean.ean})
    return redirect(ean.municipality)


@login_not_required
def health(request):
    from django.http import JsonResponse

    from housingfirst import health

    healthy, report = health.check()
    return JsonResponse(report, status=200 if healthy else 503, headers={"Cache-Control": "no-store"})


# --- Files made on the task queue for one user ------------------------------------------------------------


def _own_export(request, pk) -> Export:
    # Only the one who asked: a file of someone else's answers 404, like a citizen of another team.
    return get_object_or_404(Export.objects.select_related("requested_by"), pk=pk, requested_by=request.user)


def export_list(request):
    page = Paginator(Export.objects.filter(requested_by=request.user).order_by("-requested_at"), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "exports/export_list.html", {"page": page, "keep_days": settings.EXPORT_KEEP_DAYS})


def export_detail(request, pk):
    export = _own_export(request, pk)
    context = {"export": export, "keep_days": settings.EXPORT_KEEP_DAYS, "waited": _waited_seconds(export)}
    if request.headers.get("HX-Request"):
        return render(request, "exports/partials/status.html", context)
    return render(request, "exports/export_detail.html", context)


def _waited_seconds(export: Export) -> int:
    return int((timezone.now() - export.requested_at).total_seconds())


def export_download(request, pk):
    export = _own_export(request, pk)
    if export.status != Export.Status.DONE or not export.file:
        return redirect(export)
    try:
        content = exports.read_checked(export)
    except (exports.ExportIntegrityError, FileNotFoundError):
        messages.error(
            request,
            _(
                "The stored file is not the one that was made, so it is not shown. "
                "Ask for it again; the error is logged."
            ),
        )
        return redirect(export)
    exports.export_downloaded.send(sender=Export, export=export, user=request.user)
    response = HttpResponse(content, content_type=export.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=export.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def export_retry(request, pk):
    export = _own_export(request, pk)
    try:
        exports.retry(export=export)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect(export)


# --- The task queue, for administrators --------------------------------------------------------------------


def _require_administrator(user) -> None:
    if not user.is_administrator:
        raise PermissionDenied


def task_list(request):
    _require_administrator(request.user)
    context = {"database_queue": jobs.queue_is_database()}
    if context["database_queue"]:
        page = Paginator(jobs.final_failures(), 25).get_page(request.GET.get("page"))
        context.update({"state": jobs.queue_state(), "page": page, "failures": jobs.failure_rows(page)})
    return render(request, "tasks/task_list.html", context)


@require_POST
def task_retry(request, pk):
    _require_administrator(request.user)
    from django_tasks_db.models import DBTaskResult

    try:
        tasks.retry_by_hand(result_id=pk, by=request.user)
    except (DBTaskResult.DoesNotExist, ValidationError):
        messages.error(request, _("That task is not a failed task any more."))
    else:
        messages.success(request, _("The task is queued again."))
    return redirect("task_list")


def lockout_list(request):
    _require_administrator(request.user)
    return render(request, "signin/lockout_list.html", {"lockouts": signin.active_lockouts()[:200]})


@require_POST
def lockout_lift(request, pk):
    _require_administrator(request.user)
    attempt = signin.lift_lockout(attempt_id=pk, by=request.user)
    if attempt is not None:
        name = attempt.username or attempt.ip_address
        messages.success(request, _("The lockout of %(name)s is lifted.") % {"name": name})
    return redirect("lockout_list")
