"""The interventions panels on the citizen page and the dashboard."""

from django.urls import reverse
from django.utils import timezone

from citizens.selectors import citizens_without_worker
from housingfirst.models import Method
from interventions import selectors
from interventions.models import Intervention, PhaseTemplate
from interventions.phases import cti_timeline, icm_follow_ups


def citizen_panel(request, citizen):
    user = request.user
    if not user.has_perm("interventions.view_intervention"):
        return None
    today = timezone.localdate()
    intervention = selectors.open_intervention_of(citizen)
    if intervention is None:
        intervention = selectors.with_timeline_data(citizen.interventions.all()).order_by("-start_date", "-pk").first()
    context = {"citizen": citizen, "intervention": intervention, "today": today}
    if intervention is not None:
        template = PhaseTemplate.current()
        if intervention.method == Method.CTI:
            context["timeline"] = cti_timeline(intervention, template, today)
        elif intervention.method == Method.ICM:
            context["follow_ups"] = icm_follow_ups(intervention, template, today)
        context["visits"] = intervention.visits.select_related("worker").prefetch_related("life_areas")[:5]
    return "interventions/panel_citizen.html", context


def dashboard_panel(request):
    user = request.user
    if user.is_team_lead and user.has_perm("interventions.view_capacity") and user.team_id:
        workers = selectors.team_workers(user.team_id)
        context = {
            "lead": True,
            "team": user.team,
            "workers": workers,
            "room_cti": sum(1 for w in workers if w.is_qualified_for(Method.CTI) and w.load.has_room_for(Method.CTI)),
            "room_icm": sum(1 for w in workers if w.is_qualified_for(Method.ICM) and w.load.has_room_for(Method.ICM)),
            # The same rows the citizen list shows for ?worker=none, so the count and its link agree.
            "unassigned": citizens_without_worker(user, team_id=user.team_id).count(),
            "unassigned_url": reverse("citizens:list") + "?worker=none",
            "warnings": selectors.fidelity_warning_count(user, team_id=user.team_id),
        }
        return "interventions/panel_dashboard.html", context
    if user.is_support_worker:
        rows = selectors.my_caseload(user)
        due = sorted(
            ((row, text, day, warning) for row in rows for text, day, warning in row.due),
            key=lambda item: (not item[3], item[2] or timezone.localdate()),
        )
        context = {"lead": False, "rows": rows, "load": selectors.load_of(user), "due": due[:6]}
        return "interventions/panel_dashboard.html", context
    return None


def citizen_list_rows(citizens) -> None:
    """The phase of each listed citizen's open course (`course_id` comes from the citizen list's query)."""
    ids = [citizen.course_id for citizen in citizens if getattr(citizen, "course_id", None)]
    courses = {}
    if ids:
        template = PhaseTemplate.current()
        today = timezone.localdate()
        # No citizen joined: the list has it already, and its CPR number stays undecrypted.
        for intervention in Intervention.objects.filter(pk__in=ids).prefetch_related("transitions", "pauses"):
            courses[intervention.pk] = selectors.describe(intervention, template, today).phase_label
    for citizen in citizens:
        citizen.phase_label = courses.get(getattr(citizen, "course_id", None), "")
