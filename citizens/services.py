"""Changes to citizens, their plans and consents. Views, the admin, the demo and tests call these.

Every change is recorded by django-simple-history with the acting user, and every full CPR view
writes a CprAccess row, so no path changes or reveals data without a trace.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from citizens.cpr import format_cpr, normalize_cpr
from citizens.models import ActionPlan, Citizen, Consent, CprAccess, LifeArea
from housingfirst.models import Municipality
from housingfirst.orphans import atomic_with_files, save_with_files


def _stamp(instance, user):
    # simple_history takes the user from the request middleware; services outside a request
    # (commands, tests) name the user explicitly.
    if user is not None:
        instance._history_user = user
    return instance


def duplicate_cpr_error(cpr: str, *, user, exclude_pk=None, link: bool = False) -> ValidationError | None:
    """The message for a CPR number that is already registered, naming the record only to those who may see it.

    With `link`, the name links to the existing citizen's page (for forms).
    """
    from citizens.selectors import visible_citizens

    existing = Citizen.objects.filter(cpr=normalize_cpr(cpr)).exclude(pk=exclude_pk).first()
    if existing is None:
        return None
    if user is not None and visible_citizens(user).filter(pk=existing.pk).exists():
        if link:
            # The translated sentence is ours; the name inside the link is escaped by format_html.
            name = format_html('<a href="{}">{}</a>', existing.get_absolute_url(), existing.full_name)
            message = mark_safe(_("This CPR number is already registered for %(name)s.") % {"name": name})  # noqa: S308
            return ValidationError(message, code="cpr_duplicate")
        return ValidationError(
            _("This CPR number is already registered for %(name)s."),
            code="cpr_duplicate",
            params={"name": existing.full_name},
        )
    return ValidationError(
        _("This CPR number is already registered with another team. Contact an administrator."),
        code="cpr_duplicate_hidden",
    )


@sensitive_variables("cpr")
@transaction.atomic
def save_citizen(*, citizen: Citizen, user=None) -> Citizen:
    """Create or change a citizen; the CPR number is stored as ten digits and must be unique."""
    citizen.cpr = normalize_cpr(citizen.cpr)
    error = duplicate_cpr_error(citizen.cpr, user=user, exclude_pk=citizen.pk)
    if error:
        raise ValidationError({"cpr": error})
    _stamp(citizen, user)
    try:
        with transaction.atomic():
            _hold_billing_months_on_move(citizen)
            citizen.save()
    except IntegrityError as integrity_error:
        # Two people registering the same number at the same moment: the unique index decides.
        if Citizen.objects.filter(cpr=citizen.cpr).exclude(pk=citizen.pk).exists():
            raise ValidationError({"cpr": duplicate_cpr_error(citizen.cpr, user=user, exclude_pk=citizen.pk)}) from None
        raise integrity_error
    return citizen


def _hold_billing_months_on_move(citizen: Citizen) -> None:
    """A change of paying municipality waits for a month being invoiced to either municipality.

    Issuing a month holds the municipality's row lock while it bills the citizens' visits; a visit logged
    after the move checks the new municipality and the invoice lines already written. Taking both rows
    here (in key order, as every locker does) means the move lands before that issue reads the month or
    after its lines are committed, never in between.
    """
    if citizen.pk is None:
        return
    before = (
        Citizen.objects.select_for_update(no_key=True)
        .filter(pk=citizen.pk)
        .values_list("paying_municipality_id", flat=True)
    )
    old_id = next(iter(before), None)
    if old_id is None or old_id == citizen.paying_municipality_id:
        return
    ids = sorted({old_id, citizen.paying_municipality_id})
    list(Municipality.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))


@sensitive_variables("number")
@transaction.atomic
def reveal_cpr(*, citizen: Citizen, user, purpose: str = "") -> str:
    """Show a full CPR number to someone allowed to see it, and log who, when and which citizen."""
    if not user.has_perm("citizens.view_full_cpr"):
        raise ValidationError(_("You are not allowed to see full CPR numbers."), code="cpr_not_allowed")
    if citizen.anonymised_at is not None:
        raise ValidationError(_("The citizen is anonymised: no CPR number is kept."), code="cpr_anonymised")
    CprAccess.objects.create(citizen=citizen, user=user, purpose=purpose[:100])
    number = format_cpr(citizen.cpr)
    return number


@atomic_with_files()
def refuse_if_anonymised(citizen: Citizen) -> None:
    """Nothing new is recorded on an anonymised citizen: there is nobody left to record it on."""
    if citizen.anonymised_at is not None:
        raise ValidationError(_("The citizen is anonymised and can no longer be changed."), code="citizen_anonymised")


def save_plan(*, plan: ActionPlan, goals_formset=None, user=None) -> ActionPlan:
    """Save an action plan and its goals together: a plan never lands without the goals typed with it."""
    refuse_if_anonymised(plan.citizen)
    _stamp(plan, user)
    save_with_files(plan)  # a new upload is removed again if the goals fail
    if goals_formset is not None:
        goals_formset.instance = plan
        goals = goals_formset.save(commit=False)
        for goal in goals:
            goal.plan = plan
            _stamp(goal, user)
            goal.save()
        for goal in goals_formset.deleted_objects:
            _stamp(goal, user)
            goal.delete()
    return plan


@transaction.atomic
def delete_plan(*, plan: ActionPlan, user=None) -> None:
    for goal in plan.goals.all():
        _stamp(goal, user)
        goal.delete()
    _stamp(plan, user)
    plan.delete()


@atomic_with_files()
def save_consent(*, consent: Consent, user=None) -> Consent:
    refuse_if_anonymised(consent.citizen)
    if consent.expires_on and consent.given_on and consent.expires_on < consent.given_on:
        raise ValidationError(
            {"expires_on": _("A consent cannot expire before it is given.")}, code="consent_expires_before_given"
        )
    _stamp(consent, user)
    save_with_files(consent)
    return consent


@transaction.atomic
def delete_consent(*, consent: Consent, user=None) -> None:
    _stamp(consent, user)
    consent.delete()


@transaction.atomic
def save_life_area(*, life_area: LifeArea) -> LifeArea:
    life_area.save()
    return life_area
