"""The workshop panels: on the citizen's page (employment department, the month's hours) and the dashboard."""

from django.utils import timezone

from interventions.selectors import open_intervention_of
from workshops import selectors


def citizen_panel(request, citizen):
    user = request.user
    if not user.has_perm("interventions.view_intervention"):
        return None
    month = timezone.localdate().replace(day=1)
    intervention = open_intervention_of(citizen)
    hours = selectors.citizen_month_hours(citizen, month)
    employment = intervention is not None and intervention.employment_department
    if not employment and not hours:
        return None
    return (
        "workshops/panels/citizen.html",
        {
            "citizen": citizen,
            "month": month,
            "employment": employment,
            "hours": hours,
            "total": sum(row["total"] for row in hours),
        },
    )


def dashboard_panel(request):
    user = request.user
    if not user.has_perm("workshops.log_workshop_hours") or user.is_administrator:
        return None
    return (
        "workshops/panels/dashboard.html",
        {"workshops": list(selectors.visible_workshops(user).filter(active=True)), "today": timezone.localdate()},
    )
