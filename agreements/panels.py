"""The agreements' panels on the citizen page and on the administrators' dashboard."""

from agreements import selectors
from agreements.models import Agreement
from interventions.models import Intervention

SHOWN = 10  # reminders listed on the dashboard; the rest are one click away


def _panel(request, agreements, interventions):
    """The agreements (newest version each) and "Opret aftale" for the open interventions without one in force."""
    covered = {a.intervention_id for a in agreements if a.status != Agreement.Status.ENDED}
    uncovered = []
    if request.user.has_perm("agreements.add_agreement"):
        uncovered = [
            intervention
            for intervention in interventions
            if intervention.status != Intervention.Status.ENDED and intervention.pk not in covered
        ]
    return "agreements/panels/citizen.html", {"agreements": agreements, "uncovered": uncovered}


def citizen_panel(request, citizen):
    """The agreement state at a glance on the citizen page."""
    if not request.user.has_perm("agreements.view_agreement"):
        return None
    open_courses = citizen.interventions.exclude(status=Intervention.Status.ENDED).order_by("-start_date")
    return _panel(request, selectors.citizen_agreements(citizen), open_courses)


def intervention_panel(request, intervention):
    """The same panel on an intervention's page, for that course only: where "Opret aftale" starts."""
    if not request.user.has_perm("agreements.view_agreement"):
        return None
    agreements = [a for a in selectors.citizen_agreements(intervention.citizen) if a.intervention_id == intervention.pk]
    return _panel(request, agreements, [intervention])


def dashboard_panel(request):
    """Reminders for administrators: unsigned after 14 days, and follow-up dates that have passed."""
    if not request.user.has_perm("agreements.issue_agreement"):
        return None
    unsigned = selectors.unsigned_reminders()
    follow_ups = selectors.follow_up_reminders()
    return "agreements/panels/dashboard.html", {
        "unsigned": list(unsigned[:SHOWN]),
        "unsigned_count": unsigned.count(),
        "follow_ups": list(follow_ups[:SHOWN]),
        "follow_up_count": follow_ups.count(),
        "shown": SHOWN,
        "days": selectors.UNSIGNED_REMINDER_DAYS,
    }
