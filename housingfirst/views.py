from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from housingfirst import exports, jobs, panels, signin, tasks, twofactor
from housingfirst.forms import (
    CaseworkerForm,
    EnrolmentCodeForm,
    MunicipalityEANForm,
    MunicipalityForm,
    ProviderForm,
    SecondFactorCodeForm,
)
from housingfirst.models import Export, Municipality, MunicipalityEAN, Provider, User
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


# --- two-factor sign-in ------------------------------------------------------------------------------


def _safe_next(request, default="dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def _locked_out(request) -> bool:
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(request, credentials={"username": request.user.get_username()})


def _wrong_code(request) -> None:
    """A wrong code counts as a wrong password (django-axes): the same limit locks the name and the address."""
    user_login_failed.send(sender=__name__, credentials={"username": request.user.get_username()}, request=request)


def _end_locked_session(request):
    auth_logout(request)
    return signin.lockout_response(request)


def twofactor_verify(request):
    """The code page after the password: the app's code or a recovery code."""
    user = request.user
    if twofactor.is_verified(user):
        return redirect(_safe_next(request))
    if not twofactor.has_second_factor(user):
        return redirect(f"{reverse('twofactor_enrol')}?next={quote(_safe_next(request))}")
    if _locked_out(request):
        return _end_locked_session(request)
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = twofactor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            twofactor.reset_failed_logins(request, user)
            if isinstance(device, StaticDevice):
                left = twofactor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a recovery code; %(left)s is left. Make new ones under Two-factor sign-in.",
                        "You used a recovery code; %(left)s are left. Make new ones under Two-factor sign-in.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(_safe_next(request))
        _wrong_code(request)
        if getattr(request, "axes_locked_out", False):
            return _end_locked_session(request)
        form.add_error("code", _("The code is not right. Type the code the app shows now (it changes every 30 s)."))
    return render(request, "twofactor/verify.html", {"form": form, "next": _safe_next(request)})


def twofactor_enrol(request):
    """Setting up the authenticator app: the QR code and the key, confirmed with a code, then the recovery
    codes once. Setting up again replaces the old app only when the new one is confirmed."""
    user = request.user
    if twofactor.has_second_factor(user) and not twofactor.is_verified(user):
        # The password alone may not replace the second factor: the code comes first.
        return redirect(f"{reverse('twofactor_verify')}?next={quote(request.get_full_path())}")
    if _locked_out(request):
        return _end_locked_session(request)
    device = twofactor.pending_device(user)
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_enrolment(user=user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            twofactor.reset_failed_logins(request, user)
            request.session[twofactor.SESSION_KEY] = True
            return render(
                request, "twofactor/recovery_codes.html", {"codes": codes, "next": _safe_next(request), "new": True}
            )
        _wrong_code(request)
        if getattr(request, "axes_locked_out", False):
            return _end_locked_session(request)
        form.add_error("code", _("The code is not right. Check that the app shows Bostøtte and type its code now."))
    context = {
        "form": form,
        "qr_svg": mark_safe(twofactor.qr_svg(device, _("QR code for the authenticator app"))),  # noqa: S308 - segno's SVG
        "key": twofactor.grouped_key(device),
        "required": twofactor.required_for(user),
        "again": twofactor.has_second_factor(user),
        "next": _safe_next(request, default="twofactor"),
    }
    return render(request, "twofactor/enrol.html", context)


def twofactor_overview(request):
    user = request.user
    context = {
        "has_second_factor": twofactor.has_second_factor(user),
        "required": twofactor.required_for(user),
        "codes_left": twofactor.recovery_codes_left(user),
    }
    return render(request, "twofactor/overview.html", context)


@require_POST
def twofactor_recovery_codes(request):
    user = request.user
    if not (twofactor.has_second_factor(user) and twofactor.is_verified(user)):
        return redirect("twofactor")
    codes = twofactor.new_recovery_codes(user=user)
    return render(request, "twofactor/recovery_codes.html", {"codes": codes, "next": reverse("twofactor")})


def twofactor_users(request):
    """Administrators: who has set up a second factor, and a reset for a lost phone."""
    _require_administrator(request.user)
    users = User.objects.filter(is_active=True).annotate(
        second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).select_related("team").order_by("first_name", "last_name", "username")
    query = request.GET.get("q", "").strip()
    if query:
        names = Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query)
        users = users.filter(names)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "twofactor/users.html", {"page": page, "query": query})


@require_POST
def twofactor_reset(request, pk):
    _require_administrator(request.user)
    target = get_object_or_404(User, pk=pk, is_active=True)
    twofactor.reset_second_factor(user=target, by=request.user)
    messages.success(
        request,
        _("The second factor of %(user)s is reset: at the next login they set up the authenticator app again.")
        % {"user": target},
    )
    return redirect("twofactor_users")


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("twofactor")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response
