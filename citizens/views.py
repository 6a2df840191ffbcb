from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from citizens import access_export, erasure, selectors, services
from citizens.forms import (
    ActionPlanForm,
    CitizenForm,
    ConsentForm,
    GoalEditFormSet,
    GoalFormSet,
    LifeAreaForm,
    citizen_list_filter,
)
from citizens.models import ActionPlan, Consent, ErasureRequest, LifeArea
from housingfirst import exports, panels
from housingfirst.uploads import private_file_response

PAGE_SIZE = 25


def _require(user, permission):
    if not user.has_perm(permission):
        raise PermissionDenied


FILTER_PARAMS = ("team", "worker", "method", "municipality", "status", "consent")
SEARCH_PARAMS = ("q", *FILTER_PARAMS, "sort")


# What was typed in the search (a name, a birth date) is personal data: it stays in the user's session and
# never goes into a URL, so neither the address bar, the browser's history, a proxy's access log nor a
# Referer header holds it. The list's links only say that the stored search applies (`search=1`).
SEARCH_SESSION_KEY = "citizens.search"


def redirect_if_anonymised(request, citizen):
    """Nothing is changed or added on an anonymised citizen: back to the citizen's page, saying why (the
    services refuse it too)."""
    if citizen.anonymised_at is None:
        return None
    messages.info(request, _("The citizen is anonymised and can no longer be changed."))
    return redirect(citizen)


def _list_url(params: QueryDict) -> str:
    return f"{reverse('citizens:list')}?{params.urlencode()}" if params else reverse("citizens:list")


def _keep_search(request, query: str, params: QueryDict):
    """Redirect to the list with the filters in the URL and the search in the session."""
    if selectors.looks_like_full_cpr(query):
        found = selectors.visible_citizen_with_cpr(request.user, query)
        if found is not None:
            return redirect(found)
        messages.info(request, _("No citizen you can see has that CPR number; showing citizens born that day."))
        query = query[:6]
    if query:
        request.session[SEARCH_SESSION_KEY] = query
        params["search"] = "1"
    else:
        request.session.pop(SEARCH_SESSION_KEY, None)
        params.pop("search", None)
    return redirect(_list_url(params))


def _search_redirect(request):
    """The search forms post: a full CPR number opens that citizen (when the user may see them) or becomes
    the birth date; the search is kept in the session and the filters go on as an ordinary GET."""
    params = QueryDict(mutable=True)
    for name in (*FILTER_PARAMS, "sort"):
        if value := request.POST.get(name, "").strip():
            params[name] = value
    return _keep_search(request, request.POST.get("q", "").strip(), params)


@sensitive_post_parameters("q")
def citizen_list(request):
    if request.method == "POST":
        return _search_redirect(request)
    if "q" in request.GET:
        # An old link or a typed address with the search in it: move it out of the URL at once.
        params = request.GET.copy()
        query = params.pop("q")[-1].strip()
        return _keep_search(request, query, params)
    query = request.session.get(SEARCH_SESSION_KEY, "") if request.GET.get("search") else ""
    params = request.GET.copy()
    params.pop("search", None)
    if query:
        params["q"] = query
    sort = params.get("sort", "name")
    if sort not in selectors.SORTS:
        sort = "name"
    citizen_filter = citizen_list_filter(request.user, params)
    page = Paginator(citizen_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = panels.citizen_rows.apply(page.object_list)
    filters = {name: request.GET.get(name, "") for name in FILTER_PARAMS}
    base = {**({"search": "1"} if query else {}), **{k: v for k, v in filters.items() if v}}
    context = {
        "page": page,
        "query": query,
        "sort": sort,
        "filter": citizen_filter,
        "querystring": urlencode({**base, "sort": sort}),
        "sort_links": {
            key: urlencode({**base, "sort": ("-" + key) if sort == key else key})
            for key in ("name", "move_in", "municipality", "worker", "method")
        },
        "filtered": bool(query or any(filters.values())),
        # Posted with the export button, so the search stays out of URLs there too.
        "export_params": {**({"q": query} if query else {}), **{k: v for k, v in filters.items() if v}, "sort": sort},
        "can_export": request.user.has_perm("citizens.export_citizen_list"),
    }
    return render(request, "citizens/citizen_list.html", context)


@require_POST
def citizen_list_export(request):
    """Queue the list, as filtered, as a CSV or XLSX file; the export's page shows when it is ready."""
    _require(request.user, "citizens.export_citizen_list")
    fmt = request.POST.get("format", "")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    filters = {name: value for name in SEARCH_PARAMS if (value := request.POST.get(name, "").strip())}
    if selectors.looks_like_full_cpr(filters.get("q", "")):
        filters["q"] = filters["q"][:6]
    export = exports.request_export(
        kind="citizen_list", params={"format": fmt, "filters": filters}, user=request.user, title=_("Citizen list")
    )
    return redirect("export_detail", pk=export.pk)


def _overview_context(request, citizen, revealed_cpr=None):
    plans = list(citizen.plans.all())
    consents = list(citizen.consents.all())
    plan = plans[0] if plans else None
    today = timezone.localdate()
    has_valid_consent = any(c.given_on <= today and not c.is_expired(today) for c in consents)
    context = {
        "citizen": citizen,
        "plan": plan,
        "goal_groups": selectors.goals_by_life_area(plan) if plan else [],
        "older_plans": plans[1:],
        "consents": consents,
        "today": today,
        "consent_expired": bool(consents) and not has_valid_consent and any(c.is_expired(today) for c in consents),
        "no_consent": not consents,
        "panels": panels.citizen_page.collect(request, citizen),
        "revealed_cpr": revealed_cpr,
        "can_view_cpr": request.user.has_perm("citizens.view_full_cpr"),
        "can_export": request.user.has_perm(access_export.PERMISSION),
        "can_erase": request.user.has_perm(erasure.PERMISSION),
    }
    if request.user.has_perm("citizens.view_auditlog"):
        context["audit_log"] = selectors.citizen_audit_log(citizen)
    if context["can_erase"]:
        context["erasure_request"] = selectors.open_erasure_request(citizen)
    return context


def citizen_detail(request, pk):
    citizen = selectors.citizen_overview(request.user, pk)
    return render(request, "citizens/citizen_detail.html", _overview_context(request, citizen))


@require_POST
@sensitive_variables("number")
def citizen_reveal_cpr(request, pk):
    citizen = selectors.get_visible_citizen(request.user, pk)
    try:
        number = services.reveal_cpr(citizen=citizen, user=request.user)
    except ValidationError:
        raise PermissionDenied from None
    if request.headers.get("HX-Request"):
        response = render(request, "citizens/partials/cpr.html", {"citizen": citizen, "revealed_cpr": number})
    else:
        citizen = selectors.citizen_overview(request.user, pk)
        response = render(request, "citizens/citizen_detail.html", _overview_context(request, citizen, number))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def citizen_access_export(request, pk):
    """The citizen's right of access: the zip is made on the task queue; its page shows when it is ready."""
    _require(request.user, access_export.PERMISSION)
    citizen = selectors.get_visible_citizen(request.user, pk)
    export = access_export.request_access_export(citizen=citizen, user=request.user)
    return redirect(export)


@require_POST
def erasure_request(request, pk):
    """An administrator asks for the citizen to be anonymised ahead of time; another must approve."""
    _require(request.user, erasure.PERMISSION)
    citizen = selectors.get_visible_citizen(request.user, pk)
    try:
        erasure.request_erasure(citizen=citizen, user=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The erasure is requested. Another administrator must approve it."))
    return redirect(f"{citizen.get_absolute_url()}#gdpr-heading")


@require_POST
def erasure_decision(request, pk, request_pk):
    _require(request.user, erasure.PERMISSION)
    citizen = selectors.get_visible_citizen(request.user, pk)
    wanted = get_object_or_404(ErasureRequest, citizen=citizen, pk=request_pk)
    approve = request.POST.get("decision") == "approve"
    try:
        erasure.decide_erasure(request=wanted, user=request.user, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The citizen is anonymised.") if approve else _("The request for erasure is rejected.")
        )
    return redirect(f"{citizen.get_absolute_url()}#gdpr-heading")


def erasure_requests(request):
    """Requests waiting for a second administrator."""
    _require(request.user, erasure.PERMISSION)
    page = Paginator(selectors.waiting_erasure_requests(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "citizens/erasure_requests.html", {"page": page, "waiting": page.object_list})


@sensitive_post_parameters("cpr")
@sensitive_variables("form")
def citizen_create(request):
    _require(request.user, "citizens.add_citizen")
    form = CitizenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            citizen = services.save_citizen(citizen=form.instance, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": citizen.full_name})
            if form.cpr_warning:
                messages.warning(request, form.cpr_warning)
            return redirect(citizen)
    return render(request, "citizens/citizen_form.html", {"form": form})


@sensitive_post_parameters("cpr")
@sensitive_variables("form")
def citizen_edit(request, pk):
    citizen = selectors.get_visible_citizen(request.user, pk)
    _require(request.user, "citizens.change_citizen")
    if refused := redirect_if_anonymised(request, citizen):
        return refused
    form = CitizenForm(request.POST or None, instance=citizen, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_citizen(citizen=form.instance, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The changes to %(name)s are saved.") % {"name": citizen.full_name})
            if form.cpr_warning:
                messages.warning(request, form.cpr_warning)
            return redirect(citizen)
    return render(request, "citizens/citizen_form.html", {"form": form, "citizen": citizen})


# --- action plans -----------------------------------------------------------------------------


def plan_detail(request, pk, plan_pk):
    plan = selectors.get_visible_plan(request.user, pk, plan_pk)
    _require(request.user, "citizens.view_actionplan")
    is_current = selectors.current_plan(plan.citizen) == plan
    context = {
        "citizen": plan.citizen,
        "plan": plan,
        "goal_groups": selectors.goals_by_life_area(plan),
        "is_current": is_current,
    }
    return render(request, "citizens/plan_detail.html", context)


def _plan_form(request, citizen, plan):
    if refused := redirect_if_anonymised(request, citizen):
        return refused
    form = ActionPlanForm(request.POST or None, request.FILES or None, instance=plan)
    formset_class = GoalEditFormSet if plan.pk else GoalFormSet
    formset = formset_class(request.POST or None, instance=plan, prefix="goals")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        form.instance.citizen = citizen
        try:
            plan = services.save_plan(plan=form.save(commit=False), goals_formset=formset, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The action plan is saved."))
            return redirect(plan)
    context = {"citizen": citizen, "form": form, "formset": formset, "plan": plan if plan.pk else None}
    return render(request, "citizens/plan_form.html", context)


def plan_create(request, pk):
    citizen = selectors.get_visible_citizen(request.user, pk)
    _require(request.user, "citizens.add_actionplan")
    plan = ActionPlan(citizen=citizen, municipality=citizen.paying_municipality, caseworker=citizen.caseworker)
    return _plan_form(request, citizen, plan)


def plan_edit(request, pk, plan_pk):
    plan = selectors.get_visible_plan(request.user, pk, plan_pk)
    _require(request.user, "citizens.change_actionplan")
    return _plan_form(request, plan.citizen, plan)


@require_POST
def plan_delete(request, pk, plan_pk):
    plan = selectors.get_visible_plan(request.user, pk, plan_pk)
    _require(request.user, "citizens.delete_actionplan")
    services.delete_plan(plan=plan, user=request.user)
    messages.success(request, _("The action plan is deleted."))
    return redirect(plan.citizen)


def plan_document(request, pk, plan_pk):
    plan = selectors.get_visible_plan(request.user, pk, plan_pk)
    _require(request.user, "citizens.view_actionplan")
    name = f"handleplan-{plan.kind}-{plan.received_on:%Y-%m-%d}.pdf"
    return private_file_response(plan.document, name)


# --- consents ---------------------------------------------------------------------------------


def _consent_form(request, citizen, consent):
    if refused := redirect_if_anonymised(request, citizen):
        return refused
    form = ConsentForm(request.POST or None, request.FILES or None, instance=consent)
    if request.method == "POST" and form.is_valid():
        form.instance.citizen = citizen
        try:
            services.save_consent(consent=form.save(commit=False), user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The consent is saved."))
            return redirect(f"{citizen.get_absolute_url()}#consents")
    context = {"citizen": citizen, "form": form, "consent": consent if consent.pk else None}
    return render(request, "citizens/consent_form.html", context)


def consent_create(request, pk):
    citizen = selectors.get_visible_citizen(request.user, pk)
    _require(request.user, "citizens.add_consent")
    return _consent_form(request, citizen, Consent(citizen=citizen))


def consent_edit(request, pk, consent_pk):
    consent = selectors.get_visible_consent(request.user, pk, consent_pk)
    _require(request.user, "citizens.change_consent")
    return _consent_form(request, consent.citizen, consent)


@require_POST
def consent_delete(request, pk, consent_pk):
    consent = selectors.get_visible_consent(request.user, pk, consent_pk)
    _require(request.user, "citizens.delete_consent")
    services.delete_consent(consent=consent, user=request.user)
    messages.success(request, _("The consent is deleted."))
    return redirect(consent.citizen)


def consent_document(request, pk, consent_pk):
    consent = selectors.get_visible_consent(request.user, pk, consent_pk)
    _require(request.user, "citizens.view_consent")
    return private_file_response(consent.document, f"samtykke-{consent.given_on:%Y-%m-%d}.pdf")


# --- life areas -------------------------------------------------------------------------------


def life_area_list(request):
    _require(request.user, "citizens.change_lifearea")
    areas = LifeArea.objects.annotate(goal_count=Count("goals")).order_by("position", "name")
    return render(request, "citizens/life_area_list.html", {"areas": areas})


def life_area_form(request, area_pk=None):
    if area_pk is None:
        _require(request.user, "citizens.add_lifearea")
        area = LifeArea(position=(LifeArea.objects.count() + 1))
    else:
        _require(request.user, "citizens.change_lifearea")
        area = get_object_or_404(LifeArea, pk=area_pk)
    form = LifeAreaForm(request.POST or None, instance=area)
    if request.method == "POST" and form.is_valid():
        services.save_life_area(life_area=form.instance)
        messages.success(request, _("The life area %(name)s is saved.") % {"name": form.instance.name})
        return redirect("citizens:life_areas")
    return render(request, "citizens/life_area_form.html", {"form": form, "area": area if area.pk else None})
