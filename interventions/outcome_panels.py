"""Panels for the outcomes: housing-status follow-ups due on the start page, the status and the
progress report on an intervention's page."""

from django.utils import timezone

from housingfirst.models import Method
from interventions import outcomes, selectors
from interventions.models import HousingStatus, Intervention
from interventions.outcome_services import checkpoint_date

DUE_SHOWN = 8


def due_panel(request):
    """The worker's own ended courses, or the team lead's team, with a housing status due."""
    user = request.user
    if not user.has_perm("interventions.record_phase"):
        return None
    interventions = selectors.visible_interventions(user)
    if not (user.is_team_lead or user.is_administrator):
        interventions = interventions.filter(worker=user)
    due, total = outcomes.due_housing_statuses_shown(interventions, limit=DUE_SHOWN)
    if not due:
        return None
    return "interventions/panel_housing_due.html", {"due": due, "more": max(total - DUE_SHOWN, 0)}


def intervention_outcome_panel(request, intervention):
    if not request.user.has_perm("interventions.view_intervention"):
        return None
    recorded = {status.checkpoint: status for status in intervention.housing_statuses.all()}
    checkpoints = []
    today = timezone.localdate()
    if intervention.method == Method.CTI and intervention.status == Intervention.Status.ENDED:
        for checkpoint, label in HousingStatus.Checkpoint.choices:
            checkpoints.append(
                {
                    "checkpoint": checkpoint,
                    "label": label,
                    "date": checkpoint_date(intervention, checkpoint),
                    "status": recorded.get(checkpoint),
                    "due": checkpoint_date(intervention, checkpoint) <= today,
                }
            )
    return "interventions/panel_outcome.html", {"intervention": intervention, "checkpoints": checkpoints}
