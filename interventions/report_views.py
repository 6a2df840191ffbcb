"""The fidelity and outcomes pages for team leads and administrators, supervision meetings and the
housing-status follow-ups. Thin: parse, call `fidelity`/`outcomes`, render."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from housingfirst import exports
from housingfirst.models import Team, User
from interventions import fidelity, outcome_services, outcomes, reporting, selectors
from interventions.forms import ExpectationsForm, HousingStatusForm, PeriodForm, SupervisionMeetingForm
from interventions.models import HousingStatus, PhaseTemplate, SupervisionMeeting

PAGE_SIZE = 50


def scope_from(user, params) -> dict:
    """Period, teams and grouping from the request's (or an export's) parameters, checked against what
    the user may see: another team's id answers 404."""
    today = timezone.localdate()
    quarter = fidelity.quarter_of(today)
    form = PeriodForm(params if "from_date" in params else None)
    period = quarter
    if form.is_bound and form.is_valid():
        period = fidelity.Period(form.cleaned_data["from_date"], form.cleaned_data["to_date"])
    if not form.is_bound:
        form = PeriodForm(initial={"from_date": quarter.start, "to_date": quarter.end})
    teams = list(selectors.teams_for(user))
    team_param = str(params.get("team", "") or "")
    team = None
    if team_param:
        team = next((t for t in teams if str(t.pk) == team_param), None)
        if team is None:
            raise Http404
    elif not user.sees_all_teams:
        team = teams[0] if teams else None
        if team is None:
            raise Http404
    chosen = [team] if team else teams
    interventions = selectors.visible_interventions(user).filter(citizen__team__in=[t.pk for t in chosen])
    by = params.get("by") if params.get("by") in outcomes.GROUPINGS else "team"
    return {
        "form": form,
        "period": period,
        "team": team,
        "teams": teams,
        "chosen": chosen,
        "interventions": interventions,
        "by": by,
        "today": today,
    }


def _querystring(params, **drop) -> str:
    query = QueryDict(mutable=True)
    for key in ("from_date", "to_date", "team", "by", "show"):
        if params.get(key) and key not in drop:
            query[key] = params[key]
    return query.urlencode()


def fidelity_groups(measurement, scope) -> list[tuple[str, fidelity.Summary]]:
    if scope["team"] or len(scope["chosen"]) == 1:
        team = scope["team"] or scope["chosen"][0]
        return [(team.name, measurement.summary(team_id=team.pk))]
    groups = [(team.name, measurement.summary(team_id=team.pk)) for team in scope["chosen"]]
    return groups + [(_("All teams"), measurement.summary())]


@permission_required("interventions.view_capacity", raise_exception=True)
def method_fidelity(request):
    scope = scope_from(request.user, request.GET)
    measurement = fidelity.measure(scope["interventions"], scope["period"], team_ids=[t.pk for t in scope["chosen"]])
    groups = fidelity_groups(measurement, scope)
    figures = reporting.fidelity_figures(groups[-1][1], measurement.template)
    # The page lists workers and courses 50 at a time (the files list them all).
    workers = Paginator(measurement.worker_rows(), PAGE_SIZE).get_page(request.GET.get("workers_page"))
    tables = reporting.fidelity_tables(measurement, groups, with_courses=False, worker_rows=list(workers))
    show = request.GET.get("show", "")
    courses = Paginator(measurement.flagged(show if show in fidelity.FLAGS else None), PAGE_SIZE)
    return render(
        request,
        "interventions/method_fidelity.html",
        {
            **scope,
            "measurement": measurement,
            "groups": groups,
            "figures": figures,
            **dict(zip(("chart_bars", "chart_height"), reporting.fidelity_chart(figures), strict=True)),
            "side_by_side": tables[0] if len(groups) > 1 else None,
            "reasons": tables[1],
            "workers": tables[2],
            "workers_page": workers,
            "page": courses.get_page(request.GET.get("page")),
            "show": show,
            "show_label": fidelity.FLAGS.get(show, ""),
            "querystring": _querystring(request.GET),
            "base_query": _querystring(request.GET, show=True),
            "teams": scope["teams"] if request.user.sees_all_teams else None,
        },
    )


@permission_required("interventions.view_capacity", raise_exception=True)
def outcomes_page(request):
    scope = scope_from(request.user, request.GET)
    measurement = outcomes.measure_outcomes(scope["interventions"], scope["period"], by=scope["by"])
    show = request.GET.get("show", "")
    behind = outcomes.courses_behind(measurement, show) if show else []
    rows = outcomes.outcome_rows(measurement.total)
    bars = []
    for name, summary in [*measurement.groups, (_("All"), measurement.total)]:
        at_end = _("%(group)s: at the end of CTI (n = %(n)s)") % {"group": name, "n": summary.at_end.known}
        after = _("%(group)s: after 12 months (n = %(n)s)") % {"group": name, "n": summary.after_12.known}
        bars.append((at_end, summary.at_end.share, None, None))
        bars.append((after, summary.after_12.share, None, None))
    return render(
        request,
        "interventions/outcomes.html",
        {
            **scope,
            "measurement": measurement,
            "rows": rows,
            "group_table": outcomes.outcome_group_table(measurement),
            **dict(zip(("chart_bars", "chart_height"), reporting.chart_bars(bars), strict=True)),
            "page": Paginator(behind, PAGE_SIZE).get_page(request.GET.get("page")),
            "show": show,
            "querystring": _querystring(request.GET),
            "base_query": _querystring(request.GET, show=True),
            "groupings": [("team", _("Team")), ("method", _("Method")), ("municipality", _("Paying municipality"))],
            "teams": scope["teams"] if request.user.sees_all_teams else None,
            # The oldest 50, picked in the database (not every ended course of the country loaded to cut them).
            "due": outcomes.due_housing_statuses_shown(scope["interventions"], limit=PAGE_SIZE)[0],
        },
    )


EXPORT_KINDS = {
    ("fidelity", "csv"): "fidelity_table",
    ("fidelity", "xlsx"): "fidelity_table",
    ("fidelity", "pdf"): "fidelity_report",
    ("outcomes", "csv"): "outcomes_table",
    ("outcomes", "xlsx"): "outcomes_table",
    ("outcomes", "pdf"): "outcomes_table",
}


@require_POST
@permission_required("interventions.view_capacity", raise_exception=True)
def report_export(request, page):
    fmt = request.POST.get("format", "")
    if (page, fmt) not in EXPORT_KINDS:
        raise Http404
    scope = scope_from(request.user, request.POST)  # 404 for another team before anything is queued
    params = {
        "from": scope["period"].start.isoformat(),
        "to": scope["period"].end.isoformat(),
        "team": scope["team"].pk if scope["team"] else None,
        "by": scope["by"],
        "format": fmt,
    }
    titles = {"fidelity": _("Method fidelity"), "outcomes": _("Outcomes")}
    title = f"{titles[page]} {scope['period'].start:%d.%m.%Y}–{scope['period'].end:%d.%m.%Y}"
    export = exports.request_export(kind=EXPORT_KINDS[(page, fmt)], params=params, user=request.user, title=title)
    return redirect("export_detail", pk=export.pk)


@require_POST
@permission_required("interventions.view_intervention", raise_exception=True)
def progress_report(request, pk):
    intervention = selectors.get_visible_intervention(request.user, pk)
    export = exports.request_export(
        kind="progress_report",
        params={"intervention": intervention.pk},
        user=request.user,
        title=_("Progress report: %(citizen)s") % {"citizen": intervention.citizen},
    )
    return redirect("export_detail", pk=export.pk)


# --- The expectations fidelity is measured against -------------------------------------------------------


@permission_required("interventions.change_phasetemplate", raise_exception=True)
def expectations(request):
    template = PhaseTemplate.current()
    form = ExpectationsForm(request.POST or None, template=template)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_services.set_expectations(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The expectations are saved. The fidelity figures are measured against them."))
            return redirect("interventions:expectations")
    changes = template.history.select_related("history_user").order_by("-history_date")[:10]
    return render(request, "interventions/expectations.html", {"form": form, "changes": changes})


# --- Supervision and team meetings -------------------------------------------------------------------


def _meeting_team(request) -> Team:
    teams = selectors.teams_for(request.user)
    team_pk = request.GET.get("team") or request.POST.get("team") or ""
    if team_pk:
        team = teams.filter(pk=team_pk).first() if str(team_pk).isdigit() else None
        if team is None:
            raise Http404
        return team
    team = teams.filter(pk=request.user.team_id).first() or teams.first()
    if team is None:
        raise Http404
    return team


@permission_required("interventions.view_capacity", raise_exception=True)
def meetings(request):
    team = _meeting_team(request)
    members = User.objects.filter(team=team, is_active=True).order_by("first_name", "last_name", "username")
    form = SupervisionMeetingForm(request.POST or None, team_members=members, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            outcome_services.record_meeting(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is recorded."))
            return redirect(f"{reverse('interventions:meetings')}?team={team.pk}")
    listed = SupervisionMeeting.objects.filter(team=team).select_related("recorded_by").prefetch_related("participants")
    return render(
        request,
        "interventions/meetings.html",
        {
            "team": team,
            "teams": selectors.teams_for(request.user) if request.user.sees_all_teams else None,
            "form": form,
            "page": Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page")),
            "querystring": f"team={team.pk}",
        },
    )


# --- Housing status follow-ups ---------------------------------------------------------------------------


@permission_required("interventions.record_phase", raise_exception=True)
def housing_status(request, pk, checkpoint):
    intervention = selectors.get_visible_intervention(request.user, pk)
    if checkpoint not in HousingStatus.Checkpoint.values:
        raise Http404
    form = HousingStatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome_services.record_housing_status(
                intervention=intervention, checkpoint=checkpoint, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The housing status is recorded."))
            return redirect(intervention)
    return render(
        request,
        "interventions/housing_status_form.html",
        {
            "form": form,
            "intervention": intervention,
            "checkpoint": HousingStatus.Checkpoint(checkpoint).label,
            "due": outcome_services.checkpoint_date(intervention, checkpoint),
            "recorded": intervention.housing_statuses.all(),
        },
    )


def due_for(user, *, own_only: bool) -> list[dict]:
    interventions = selectors.visible_interventions(user)
    if own_only:
        interventions = interventions.filter(worker=user)
    return outcomes.due_housing_statuses(interventions)
