"""What the citizens app holds on a citizen: the record, action plans with goals, consents, CPR views."""

from django.utils.translation import gettext_lazy as _

from citizens.cpr import format_cpr
from citizens.models import ActionPlan, Citizen, Consent, CprAccess, Goal
from housingfirst import personal_data


@personal_data.section(order=10)
def citizen_sections(citizen: Citizen) -> list[personal_data.Section]:
    record = Citizen.objects.select_related("paying_municipality", "acting_municipality", "caseworker", "team")
    record = personal_data.model_section(
        "citizen",
        _("Citizen"),
        record.filter(pk=citizen.pk),
        exclude=("id",),
        extra={"cpr_formatted": (_("CPR number (formatted)"), lambda c: format_cpr(c.cpr))},
        single=True,
    )
    names = [c for c in record.labels if c not in ("cpr", "cpr_formatted")]
    record.shown = [*names[:2], "cpr_formatted", *names[2:]]
    plans = personal_data.model_section(
        "action_plans",
        _("Action plans"),
        ActionPlan.objects.filter(citizen=citizen).select_related("municipality", "caseworker"),
        exclude=("citizen",),
        shown=("kind", "received_on", "municipality", "caseworker", "document", "notes"),
    )
    goals = personal_data.model_section(
        "goals",
        _("Goals of the action plans"),
        Goal.objects.filter(plan__citizen=citizen).select_related("plan", "life_area").order_by("plan", "pk"),
        shown=("plan", "life_area", "description", "status"),
    )
    consents = personal_data.model_section(
        "consents",
        _("Consents"),
        Consent.objects.filter(citizen=citizen),
        exclude=("citizen",),
        shown=("covers", "obtain_from", "given_on", "expires_on", "withdrawn_on", "document"),
    )
    accesses = personal_data.model_section(
        "cpr_views",
        _("Who has seen the full CPR number or a file with it"),
        CprAccess.objects.filter(citizen=citizen).select_related("user").order_by("at", "pk"),
        exclude=("id", "citizen"),
        labels={"user": _("User")},
        shown=("at", "user", "purpose"),
    )
    return [record, plans, goals, consents, accesses]
