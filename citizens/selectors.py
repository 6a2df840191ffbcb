"""Read queries for citizens. Every view that shows a citizen, or anything of one, starts here.

A support worker and a team lead see only their own team's citizens; an administrator sees all.
Anything else answers 404, so a guessed URL tells nothing about who exists.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from citizens.models import ActionPlan, Citizen


def visible_citizens(user) -> QuerySet[Citizen]:
    citizens = Citizen.objects.all()
    if user.sees_all_teams:
        return citizens
    if user.team_id is None:
        return citizens.none()
    return citizens.filter(team_id=user.team_id)


def get_visible_citizen(user, pk) -> Citizen:
    return get_object_or_404(visible_citizens(user), pk=pk)


def current_plan(citizen: Citizen) -> ActionPlan | None:
    """The newest action plan is the current one."""
    return citizen.plans.order_by("-received_on", "-pk").first()
