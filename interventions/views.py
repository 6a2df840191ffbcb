from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizens.selectors import get_visible_citizen, visible_citizens
from citizens.views import redirect_if_anonymised
from housingfirst import panels
from housingfirst.models import Method, User
from interventions import selectors, services
from interventions.forms import (
    QUICK_MINUTES,
    AssignForm,
    ChangeMethodForm,
    EndForm,
    InterventionDetailsForm,
    PauseForm,
    PhaseForm,
    ReturnForm,
    ShelterAgreementForm,
    StartInterventionForm,
    VisitFilter,
    VisitForm,
)
from interventions.models import Intervention, Pause, PhaseTemplate, Visit
from interventions.phases import cti_timeline, icm_follow_ups


def _team_members(team_id):
    return User.objects.filter(team_id=team_id, is_active=True).order_by("first_name", "last_name")


# --- Worker dashboard ------------------------------------------------------------------------------


@permission_required("interventions.view_intervention", raise_exception=True)
def my_citizens(request):
    rows = selectors.my_caseload(request.user)
    load = selectors.load_of(request.user)
    return render(request, "interventions/my_citizens.html", {"rows": rows, "load": load})


# --- Intervention pages and forms ----------------------------------------------------------------------


def timeline_context(intervention, today=None) -> dict:
    today = today or timezone.localdate()
    template = PhaseTemplate.current()
    context = {"intervention": intervention, "today": today}
    if intervention.method == Method.CTI:
        context["timeline"] = cti_timeline(intervention, template, today)
    elif intervention.method == Method.ICM:
        context["follow_ups"] = icm_follow_ups(intervention, template, today)
    return context


@permission_required("interventions.view_intervention", raise_exception=True)
def intervention_detail(request, pk):
    intervention = selectors.get_visible_intervention(request.user, pk)
    visits = intervention.visits.select_related("worker").prefetch_related("life_areas")
    context = timeline_context(intervention)
    context.update(
        {
            "visits": visits[:10],
            "months": selectors.month_totals(intervention.visits.all(), limit=6),
            "pauses": intervention.pauses.all(),
            "history": intervention.citizen.interventions.exclude(pk=intervention.pk).order_by("-start_date"),
            "panels": panels.intervention_page.collect(request, intervention),
            "takes_visits": selectors.takes_visits(intervention),
        }
    )
    return render(request, "interventions/intervention_detail.html", context)


def _form_page(request, *, form, title, intervention=None, citizen=None, submit=None, help_text=""):
    return render(
        request,
        "interventions/intervention_form.html",
        {
            "form": form,
            "title": title,
            "intervention": intervention,
            "citizen": citizen or getattr(intervention, "citizen", None),
            "submit": submit or _("Save"),
            "help_text": help_text,
        },
    )


@permission_required("interventions.assign_worker", raise_exception=True)
def intervention_start(request, citizen_pk):
    citizen = get_visible_citizen(request.user, citizen_pk)
    if refused := redirect_if_anonymised(request, citizen):
        return refused
    form = StartInterventionForm(request.POST or None, team_members=_team_members(citizen.team_id))
    if request.method == "POST" and form.is_valid():
        try:
            intervention = services.start_intervention(citizen=citizen, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intervention is started."))
            return redirect(intervention)
    return _form_page(request, form=form, title=_("Start an intervention"), citizen=citizen, submit=_("Start"))


def _open_intervention(request, pk) -> Intervention:
    intervention = selectors.get_visible_intervention(request.user, pk)
    if intervention.status == Intervention.Status.ENDED:
        messages.error(request, _("The intervention has ended."))
        raise _Redirect(intervention)
    return intervention


class _Redirect(Exception):
    def __init__(self, to):
        self.to = to


def _handles_redirect(view):
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _Redirect as jump:
            return redirect(jump.to)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


DETAIL_FIELDS = [
    "coordinator",
    "follow_up_date",
    "chosen_worker",
    "choice_accepted",
    "choice_rejection_reason",
    "employment_department",
]


@permission_required("interventions.record_phase", raise_exception=True)
@_handles_redirect
def intervention_edit(request, pk):
    """Next follow-up date, the municipality's answer on the citizen's choice (§85a), and so on."""
    intervention = _open_intervention(request, pk)
    form = InterventionDetailsForm(
        request.POST or None,
        team_members=_team_members(intervention.citizen.team_id),
        may_assign=request.user.has_perm("interventions.assign_worker"),
        initial={name: getattr(intervention, name) for name in DETAIL_FIELDS},
    )
    if "coordinator" in form.fields:
        form.fields["coordinator"].help_text = _("Empty: the support worker is also the coordinator.")
    if request.method == "POST" and form.is_valid():
        try:
            services.update_details(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intervention is updated."))
            return redirect(intervention)
    return _form_page(request, form=form, title=_("Edit the intervention"), intervention=intervention)


@permission_required("interventions.assign_worker", raise_exception=True)
@_handles_redirect
def intervention_assign(request, pk):
    intervention = _open_intervention(request, pk)
    form = AssignForm(
        request.POST or None,
        team_members=_team_members(intervention.citizen.team_id),
        initial={"worker": intervention.worker_id},
    )
    next_url = request.POST.get("next") or request.GET.get("next")
    if request.method == "POST" and form.is_valid():
        try:
            services.assign_worker(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if next_url == "capacity":
                messages.error(request, " ".join(error.messages))
                return redirect(f"{_capacity_url()}?team={intervention.citizen.team_id}")
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(citizen)s is assigned to %(worker)s.")
                % {"citizen": intervention.citizen, "worker": form.cleaned_data["worker"]},
            )
            if next_url == "capacity":
                return redirect(f"{_capacity_url()}?team={intervention.citizen.team_id}")
            return redirect(intervention)
    rooms = selectors.workers_with_room(intervention.citizen.team_id, intervention.method)
    help_text = _("Room for %(method)s: %(names)s.") % {
        "method": intervention.method,
        "names": ", ".join(f"{w} ({w.load})" for w in rooms) or "—",
    }
    return _form_page(
        request, form=form, title=_("Assign a support worker"), intervention=intervention, help_text=help_text
    )


def _capacity_url():
    return reverse("interventions:capacity")


@permission_required("interventions.record_phase", raise_exception=True)
@_handles_redirect
def intervention_phase(request, pk):
    intervention = _open_intervention(request, pk)
    form = PhaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_phase(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The phase transition is recorded."))
            return redirect(intervention)
    return _form_page(request, form=form, title=_("Record a phase transition"), intervention=intervention)


@permission_required("interventions.record_phase", raise_exception=True)
@_handles_redirect
def intervention_pause(request, pk):
    intervention = _open_intervention(request, pk)
    if intervention.status == Intervention.Status.PAUSED:
        form = ReturnForm(request.POST or None)
        title, service = _("Record the return"), services.end_pause
    else:
        form = PauseForm(request.POST or None)
        title, service = _("Pause the intervention"), services.start_pause
    if request.method == "POST" and form.is_valid():
        try:
            service(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pause is recorded."))
            return redirect(intervention)
    help_text = _(
        "A temporary return to the shelter, a hospital admission or prison. The intervention is paused "
        "meanwhile and the later phase dates move by the length of the pause."
    )
    return _form_page(request, form=form, title=title, intervention=intervention, help_text=help_text)


@permission_required("interventions.record_phase", raise_exception=True)
def shelter_return_agreed(request, pk, pause_pk):
    """Record that a return to the shelter is agreed with the municipality (then it is invoiced)."""
    intervention = selectors.get_visible_intervention(request.user, pk)
    pause = get_object_or_404(intervention.pauses, pk=pause_pk, reason=Pause.Reason.SHELTER)
    initial = {"caseworker": pause.agreed_caseworker} if pause.agreed_caseworker else {}
    if pause.agreed_on:
        initial["agreed_on"] = pause.agreed_on
    form = ShelterAgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agree_shelter_return(pause=pause, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The return to the shelter is recorded as agreed with the municipality."))
            return redirect(intervention)
    help_text = _(
        "A return to the shelter from %(date)s. Once agreed with the municipality, its days are invoiced "
        "at the shelter's day rate."
    ) % {"date": f"{pause.from_date:%d.%m.%Y}"}
    return _form_page(
        request, form=form, title=_("Agreed with the municipality"), intervention=intervention, help_text=help_text
    )


@permission_required("interventions.record_phase", raise_exception=True)
@_handles_redirect
def intervention_change_method(request, pk):
    intervention = _open_intervention(request, pk)
    initial = {"method": Method.ICM if intervention.method == Method.CTI else Method.CTI}
    help_text = _("The current intervention ends with the reason 'moved to another method' and a new one starts.")
    if request.user.has_perm("interventions.assign_worker"):
        team_members = _team_members(intervention.citizen.team_id)
        initial["worker"] = intervention.worker_id
    else:
        # Choosing the worker is an assignment, which is the team lead's (the caseload caps).
        team_members = None
        help_text += " " + _(
            "The new course keeps its support worker if they work with the new method and have room; "
            "otherwise a team lead assigns one."
        )
    form = ChangeMethodForm(request.POST or None, team_members=team_members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.change_method(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The course continues as %(method)s.") % {"method": new.method})
            if new.worker_id is None:
                messages.warning(request, _("The new course has no support worker yet; a team lead assigns one."))
            return redirect(new)
    return _form_page(request, form=form, title=_("Change method"), intervention=intervention, help_text=help_text)


@permission_required("interventions.record_phase", raise_exception=True)
@_handles_redirect
def intervention_end(request, pk):
    intervention = _open_intervention(request, pk)
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_intervention(intervention=intervention, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The intervention is ended."))
            return redirect(intervention)
    return _form_page(request, form=form, title=_("End the intervention"), intervention=intervention, submit=_("End"))


# --- Visits ----------------------------------------------------------------------------------------------


def _visit_page(request, form, visit=None, hint=None):
    return render(
        request,
        "interventions/visit_form.html",
        {"form": form, "visit": visit, "quick_minutes": QUICK_MINUTES, "hint": hint, "next": _next_url(request)},
    )


def _book_next_link(visit) -> str:
    """ "Book the next", where the agenda app is installed (the method's rhythm suggests the date there)."""
    try:
        url = reverse("agenda:booking_create")
    except NoReverseMatch:
        return ""
    return format_html(
        ' · <a href="{}?intervention={}&amp;after_visit={}">{}</a>',
        url,
        visit.intervention_id,
        visit.pk,
        _("Book the next"),
    )


def _next_url(request) -> str:
    """Where the worker came from (the agenda, a citizen), if it is a page of this site."""
    back = request.POST.get("next") or request.GET.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return back
    return ""


@permission_required("interventions.add_visit", raise_exception=True)
def visit_create(request):
    choices = selectors.visit_citizen_choices(request.user)
    if request.method == "POST":
        form = VisitForm(request.POST, interventions=choices)
        if form.is_valid():
            try:
                visit = services.log_visit(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a>{}',
                        _("The visit with %(citizen)s is saved (%(minutes)s min).")
                        % {"citizen": visit.intervention.citizen, "minutes": visit.duration_minutes},
                        visit.get_absolute_url(),
                        _("See the visit"),
                        _book_next_link(visit),
                    ),
                )
                back = _next_url(request)
                if back:
                    return redirect(back)
                return redirect(f"{request.path}?saved={visit.pk}")
        return _visit_page(request, form)
    # No start time is assumed: "now" is wrong for a visit logged afterwards, and two visits logged one
    # after the other would both start "now" and be refused as overlapping.
    initial = {"date": timezone.localdate(), "kind": "home_visit", "billable": True}
    citizen_pk, intervention_pk = request.GET.get("citizen", ""), request.GET.get("intervention", "")
    if intervention_pk.isdigit():
        # From a course's own page: also one that ended lately, for a visit forgotten before the end.
        initial["intervention"] = choices.filter(pk=intervention_pk).values_list("pk", flat=True).first()
    elif citizen_pk.isdigit():
        initial["intervention"] = choices.filter(citizen_id=citizen_pk).values_list("pk", flat=True).first()
    form = VisitForm(initial=initial, interventions=choices)
    hint = None
    if initial.get("intervention"):
        last = Visit.objects.filter(intervention_id=initial["intervention"]).select_related("worker").first()
        hint = {"intervention": initial["intervention"], "last": last}
    return _visit_page(request, form, hint=hint)


@permission_required("interventions.add_visit", raise_exception=True)
def visit_hint(request):
    """htmx: a line under the citizen field with the last visit, so the worker sees at once what was done."""
    pk = request.GET.get("intervention", "")
    intervention = None
    if pk.isdigit():
        intervention = selectors.visit_citizen_choices(request.user).filter(pk=pk).first()
    if intervention is None:
        return HttpResponse("")
    last = intervention.visits.select_related("worker").order_by("-date", "-start_time").first()
    return render(request, "interventions/partials/visit_hint.html", {"intervention": intervention, "last": last})


@permission_required("interventions.view_visit", raise_exception=True)
def visit_detail(request, pk):
    visit = selectors.get_visible_visit(request.user, pk)
    locked = selectors.visits_are_locked(visit.intervention.citizen, visit.date)
    return render(
        request,
        "interventions/visit_detail.html",
        {"visit": visit, "locked": locked, "can_edit": not locked and services.can_edit_visit(request.user, visit)},
    )


@permission_required("interventions.change_visit", raise_exception=True)
def visit_edit(request, pk):
    visit = selectors.get_visible_visit(request.user, pk)
    if not services.can_edit_visit(request.user, visit):
        raise PermissionDenied(_("You can only correct your own visits."))
    if selectors.visits_are_locked(visit.intervention.citizen, visit.date):
        # Read-only at once, saying why and what to do, rather than a form that is refused on save.
        messages.info(request, services.locked_message(visit.date))
        return redirect(visit)
    choices = Intervention.objects.filter(pk=visit.intervention_id).select_related("citizen")
    data = request.POST if request.method == "POST" else None
    initial = {
        "intervention": visit.intervention_id,
        "date": visit.date,
        "start_time": visit.start_time,
        "duration_minutes": visit.duration_minutes,
        "kind": visit.kind,
        "life_areas": list(visit.life_areas.all()),
        "note": visit.note,
        "billable": visit.billable,
    }
    form = VisitForm(data, initial=initial, interventions=choices)
    if data is not None and form.is_valid():
        changes = dict(form.cleaned_data)
        changes.pop("intervention")
        try:
            services.change_visit(visit=visit, by=request.user, **changes)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The visit is corrected."))
            return redirect(visit)
    return _visit_page(request, form, visit=visit)


@require_POST
@permission_required("interventions.change_visit", raise_exception=True)
def visit_delete(request, pk):
    visit = selectors.get_visible_visit(request.user, pk)
    try:
        services.delete_visit(visit=visit, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(visit)
    messages.success(request, _("The visit is deleted."))
    return redirect(visit.intervention)


@permission_required("interventions.view_visit", raise_exception=True)
def visit_list(request):
    """A worker's visits with month totals; a lead can look at anyone in the team."""
    user = request.user
    worker = user
    worker_pk = request.GET.get("worker", "")
    if user.sees_all_teams:
        # Administrators arrive here from any team's capacity board.
        team_members = User.objects.filter(is_active=True, team__isnull=False).order_by("first_name", "last_name")
    elif user.is_team_lead:
        team_members = _team_members(user.team_id)
    else:
        team_members = None
    if worker_pk.isdigit() and int(worker_pk) != user.pk:
        if team_members is None:
            raise Http404
        worker = get_object_or_404(team_members, pk=worker_pk)
    # The list names citizens and never decrypts a CPR number.
    visits = (
        selectors.visible_visits(user)
        .filter(worker=worker)
        .defer("intervention__citizen__cpr")
        .prefetch_related("life_areas")
    )
    # The citizen filter offers the worker's own citizens (a course with them, or a visit logged), not the whole
    # country an administrator can see: 12,000 options made the page 140x slower at national scale.
    citizens = visible_citizens(user).filter(
        Q(pk__in=Intervention.objects.filter(worker=worker).values("citizen_id"))
        | Q(pk__in=Visit.objects.filter(worker=worker).values("intervention__citizen_id"))
    )
    visit_filter = VisitFilter(request.GET or None, queryset=visits, citizens=citizens)
    visits = visit_filter.qs
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    params["worker"] = worker.pk
    return render(
        request,
        "interventions/visit_list.html",
        {
            "page": page,
            "months": selectors.month_totals(visits, limit=12),
            "worker": worker,
            "team_members": team_members,
            "filter": visit_filter,
            "filtered": any(request.GET.get(name) for name in ("citizen", "date_after", "date_before", "kind")),
            "querystring": params.urlencode(),
        },
    )


@permission_required("interventions.view_visit", raise_exception=True)
def citizen_visits(request, citizen_pk):
    citizen = get_visible_citizen(request.user, citizen_pk)
    visits = (
        selectors.visible_visits(request.user)
        .filter(intervention__citizen=citizen)
        .defer("intervention__citizen__cpr")
        .prefetch_related("life_areas")
    )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "interventions/visit_list.html",
        {"page": page, "months": selectors.month_totals(visits, limit=12), "citizen": citizen, "querystring": ""},
    )


# --- Team lead pages --------------------------------------------------------------------------------------


def _chosen_team(request):
    teams = selectors.teams_for(request.user)
    team_pk = request.GET.get("team", "")
    team = teams.filter(pk=team_pk).first() if team_pk.isdigit() else None
    return team or teams.first(), teams


@permission_required("interventions.view_capacity", raise_exception=True)
def capacity(request):
    team, teams = _chosen_team(request)
    if team is None:
        raise Http404
    workers = selectors.team_workers(team.pk)
    for worker in workers:
        worker.room_cti = worker.load.room(Method.CTI)
        worker.room_icm = worker.load.room(Method.ICM)
    waiting = list(selectors.unassigned(team.pk))
    for intervention in waiting:
        qualified = [w for w in workers if w.is_qualified_for(intervention.method)]
        intervention.candidates = [
            w for w in qualified if intervention.method == Method.ACT or w.load.has_room_for(intervention.method)
        ]
        intervention.others = [w for w in qualified if w not in intervention.candidates]
    context = {
        "team": team,
        "teams": teams if request.user.sees_all_teams else None,
        "workers": workers,
        "unassigned": waiting,
        "act_count": selectors.team_act_count(team.pk),
        "room_cti": [w for w in workers if w.is_qualified_for(Method.CTI) and w.load.has_room_for(Method.CTI)],
        "room_icm": [w for w in workers if w.is_qualified_for(Method.ICM) and w.load.has_room_for(Method.ICM)],
        "can_assign": request.user.has_perm("interventions.assign_worker"),
    }
    return render(request, "interventions/capacity.html", context)


@permission_required("interventions.view_capacity", raise_exception=True)
def fidelity(request):
    team, teams = _chosen_team(request)
    rows = selectors.fidelity_rows(request.user, team_id=team.pk if team else None)
    return render(
        request,
        "interventions/fidelity.html",
        {"rows": rows, "team": team, "teams": teams if request.user.sees_all_teams else None},
    )
