"""Every change of an agreement: draft → issued → signed → ended, and new versions.

Each function locks the agreement row, refuses with a translated ValidationError, and leaves a
history record with the acting user and what happened (the detail page's timeline reads them).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.documents import render_agreement_pdf
from agreements.models import Agreement, AgreementText
from citizens.selectors import current_plan
from housingfirst.models import Provider
from housingfirst.orphans import atomic_with_files, written
from housingfirst.templatetags.hf import kr
from housingfirst.uploads import validate_pdf_upload
from interventions.models import Intervention

# The fields a draft's form may set; everything else comes from the record or the life cycle.
DRAFT_FIELDS = (
    "start_date",
    "follow_up_date",
    "method",
    "caseworker",
    "employment_department",
    "coordinator",
)


class Event:
    """Stored as the history record's change reason; the timeline shows their labels."""

    CREATED = "created"
    UPDATED = "updated"
    ISSUED = "issued"
    SIGNATURES = "signatures"
    SIGNED = "signed"
    SIGNED_COPY = "signed_copy"
    ENDED = "ended"
    REPLACED = "replaced"
    NEW_VERSION = "new_version"


def _save(agreement: Agreement, *, user, event: str, update_fields=None) -> None:
    agreement._history_user = user
    agreement._change_reason = event
    agreement.save(update_fields=update_fields)


def _locked(agreement: Agreement) -> Agreement:
    # Two administrators may press "Issue" or "Sign" at once: the second waits and then sees the new state.
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def record_fields(citizen, start_date: datetime.date) -> dict:
    """The rate in force on the start date and the citizen's paying municipality: what invoicing uses.

    Never typed in: the signed agreement must name the rate and the buyer the invoices will, so a
    draft takes both from the record when it is made, copied as a new version and at every save.
    """
    from invoicing.selectors import rate_in_force  # invoicing reads agreements' neighbours; avoid a cycle

    return {"hourly_rate": rate_in_force(start_date), "paying_municipality": citizen.paying_municipality}


def _refresh_record_fields(agreement: Agreement) -> None:
    for key, value in record_fields(agreement.citizen, agreement.start_date).items():
        setattr(agreement, key, value)


def prefill(intervention: Intervention) -> dict:
    """What a new agreement takes from the record: intervention, citizen, current plan and rate."""
    citizen = intervention.citizen
    return {
        "method": intervention.method,
        "start_date": intervention.start_date,
        "follow_up_date": intervention.follow_up_date,
        **record_fields(citizen, intervention.start_date),
        "caseworker": citizen.caseworker,
        "employment_department": intervention.employment_department,
        "coordinator": intervention.coordinator or intervention.worker,
    }


@transaction.atomic
def create_draft(*, intervention: Intervention, user, data: dict | None = None) -> Agreement:
    intervention = Intervention.objects.select_for_update().select_related("citizen").get(pk=intervention.pk)
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended; it cannot get a new agreement."), code="ended")
    existing = intervention.agreements.exclude(status=Agreement.Status.ENDED).order_by("-version").first()
    if existing is not None:
        raise ValidationError(
            _("This intervention already has an agreement (version %(version)s). Edit it, or make a new version of it.")
            % {"version": existing.version},
            code="exists",
        )
    fields = prefill(intervention)
    fields.update({key: value for key, value in (data or {}).items() if key in DRAFT_FIELDS})
    fields.update(record_fields(intervention.citizen, fields["start_date"]))
    last_version = intervention.agreements.aggregate(last=Max("version"))["last"] or 0
    agreement = Agreement(
        citizen=intervention.citizen,
        intervention=intervention,
        version=last_version + 1,
        action_plan=current_plan(intervention.citizen),
        created_by=user,
        **fields,
    )
    agreement.full_clean()
    _save(agreement, user=user, event=Event.CREATED)
    return agreement


def _refuse_unless_draft(agreement: Agreement) -> None:
    if agreement.status != Agreement.Status.DRAFT:
        raise ValidationError(
            _("An issued agreement cannot be changed. Make a new version of it instead."), code="not_draft"
        )


@transaction.atomic
def update_draft(*, agreement: Agreement, user, data: dict) -> Agreement:
    agreement = _locked(agreement)
    _refuse_unless_draft(agreement)
    for key, value in data.items():
        if key in DRAFT_FIELDS:
            setattr(agreement, key, value)
    _refresh_record_fields(agreement)
    agreement.action_plan = current_plan(agreement.citizen)
    agreement.full_clean()
    _save(agreement, user=user, event=Event.UPDATED)
    return agreement


def issue_refusals(agreement: Agreement) -> list[str]:
    """Why the agreement cannot be issued yet (empty when it can); the detail page shows them too."""
    refusals = []
    if agreement.status != Agreement.Status.DRAFT:
        refusals.append(_("The agreement is already issued; a change needs a new version."))
        return refusals
    # §141/§142: the municipality's plan is the basis of the support; no agreement without it.
    if current_plan(agreement.citizen) is None:
        refusals.append(
            _("There is no §141/§142 action plan on file for %(citizen)s. Register the plan first.")
            % {"citizen": agreement.citizen}
        )
    # The form's fields both parties sign: an agreement with a blank among them is not ready.
    missing = [
        label
        for label, value in (
            (_("follow-up date"), agreement.follow_up_date),
            (_("the municipality's caseworker"), agreement.caseworker_id),
            (_("coordinator"), agreement.coordinator_id),
        )
        if not value
    ]
    if missing:
        fields = _(" and ").join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
        refusals.append(
            ngettext(
                "The draft has no %(fields)s. Edit the draft and fill in the field before issuing it.",
                "The draft has no %(fields)s. Edit the draft and fill in the fields before issuing it.",
                len(missing),
            )
            % {"fields": fields}
        )
    record = record_fields(agreement.citizen, agreement.start_date)
    if agreement.hourly_rate != record["hourly_rate"]:
        refusals.append(
            _(
                "The rate in force on the start date is now %(rate)s; the draft says %(draft)s. "
                "Update the draft (edit it and save) before issuing it."
            )
            % {"rate": kr(record["hourly_rate"]), "draft": kr(agreement.hourly_rate)}
        )
    paying = record["paying_municipality"]
    if agreement.paying_municipality_id != paying.pk:
        refusals.append(
            _(
                "The citizen's paying municipality has changed from %(draft)s to %(citizen)s since the draft was "
                "made. Update the draft (edit it and save) before issuing it."
            )
            % {"draft": agreement.paying_municipality, "citizen": paying}
        )
    elif not agreement.paying_municipality.eans.exists():
        refusals.append(
            _("%(municipality)s has no EAN number, so it cannot be invoiced. Add the EAN under Municipalities first.")
            % {"municipality": agreement.paying_municipality}
        )
    if AgreementText.current() is None:
        refusals.append(_("There is no standard text for agreements. Write it first."))
    if Provider.current() is None:
        refusals.append(_("The provider's name, address, CVR and EAN are missing. Fill them in under Provider first."))
    return refusals


@atomic_with_files()
def issue_agreement(*, agreement: Agreement, user) -> Agreement:
    agreement = _locked(agreement)
    refusals = issue_refusals(agreement)
    if refusals:
        raise ValidationError(refusals, code="cannot_issue")
    agreement.action_plan = current_plan(agreement.citizen)
    agreement.text = AgreementText.current()
    agreement.issued_at = timezone.now()
    agreement.status = Agreement.Status.ISSUED
    # Rendered once: the stored bytes are what both parties sign, and every reprint serves them.
    rendered = render_agreement_pdf(agreement)
    agreement.pdf.save("agreement.pdf", ContentFile(rendered.content), save=False)
    # Storage is not transactional: the file goes again if anything below rolls the transaction back.
    written(agreement.pdf)
    agreement.pdf_sha256 = rendered.sha256
    _save(agreement, user=user, event=Event.ISSUED)

    previous = agreement.previous_version
    if previous is not None and previous.status in (Agreement.Status.ISSUED, Agreement.Status.SIGNED):
        previous = _locked(previous)
        previous.status = Agreement.Status.ENDED
        previous.ended_on = timezone.localdate()
        _save(previous, user=user, event=Event.REPLACED)
    return agreement


def _check_signature_date(agreement: Agreement, day: datetime.date | None, party: str) -> None:
    if day is None:
        return
    issued_on = timezone.localdate(agreement.issued_at)
    if day < issued_on:
        raise ValidationError(
            _("%(party)s cannot have signed on %(date)s: the agreement was issued on %(issued)s.")
            % {"party": party, "date": f"{day:%d.%m.%Y}", "issued": f"{issued_on:%d.%m.%Y}"},
            code="before_issue",
        )
    if day > timezone.localdate():
        raise ValidationError(
            _("%(party)s's signature date %(date)s lies in the future.") % {"party": party, "date": f"{day:%d.%m.%Y}"},
            code="future",
        )


def signed_refusal() -> str:
    return _(
        "The agreement is signed by both parties, so its signatures cannot be changed. "
        'A correction is a new version: use "Change: make a new version".'
    )


@transaction.atomic
def record_signatures(
    *,
    agreement: Agreement,
    user,
    provider_signed_by: str = "",
    provider_signed_on: datetime.date | None = None,
    municipality_signed_by: str = "",
    municipality_signed_on: datetime.date | None = None,
) -> Agreement:
    agreement = _locked(agreement)
    if agreement.status == Agreement.Status.DRAFT:
        raise ValidationError(_("The agreement must be issued before anyone can sign it."), code="not_issued")
    if agreement.status == Agreement.Status.ENDED:
        raise ValidationError(_("The agreement has ended; its signatures cannot be changed."), code="ended")
    if agreement.status == Agreement.Status.SIGNED:
        raise ValidationError(signed_refusal(), code="signed")
    for name, day in ((provider_signed_by, provider_signed_on), (municipality_signed_by, municipality_signed_on)):
        if bool(name.strip()) != bool(day):
            raise ValidationError(_("Give both the name and the date of a signature."), code="incomplete")
    _check_signature_date(agreement, provider_signed_on, _("The provider"))
    _check_signature_date(agreement, municipality_signed_on, _("The municipality"))
    agreement.provider_signed_by = provider_signed_by.strip()
    agreement.provider_signed_on = provider_signed_on
    agreement.municipality_signed_by = municipality_signed_by.strip()
    agreement.municipality_signed_on = municipality_signed_on
    both = bool(provider_signed_on and municipality_signed_on)
    agreement.status = Agreement.Status.SIGNED if both else Agreement.Status.ISSUED
    _save(agreement, user=user, event=Event.SIGNED if both else Event.SIGNATURES)
    return agreement


@atomic_with_files()
def upload_signed_copy(*, agreement: Agreement, user, uploaded) -> Agreement:
    agreement = _locked(agreement)
    if agreement.status == Agreement.Status.DRAFT:
        raise ValidationError(_("A draft has no signed copy: issue the agreement first."), code="not_issued")
    validate_pdf_upload(uploaded)
    agreement.signed_copy.save(uploaded.name or "signed.pdf", uploaded, save=False)
    written(agreement.signed_copy)
    _save(agreement, user=user, event=Event.SIGNED_COPY)
    return agreement


@transaction.atomic
def end_agreement(*, agreement: Agreement, user, ended_on: datetime.date) -> Agreement:
    agreement = _locked(agreement)
    if agreement.status == Agreement.Status.DRAFT:
        raise ValidationError(_("A draft cannot be ended; it was never in force."), code="draft")
    if agreement.status == Agreement.Status.ENDED:
        raise ValidationError(_("The agreement has already ended."), code="ended")
    if ended_on < agreement.start_date:
        raise ValidationError(
            _("The end date cannot be before the start date %(start)s.")
            % {"start": f"{agreement.start_date:%d.%m.%Y}"},
            code="before_start",
        )
    agreement.status = Agreement.Status.ENDED
    agreement.ended_on = ended_on
    _save(agreement, user=user, event=Event.ENDED)
    return agreement


@transaction.atomic
def new_version(*, agreement: Agreement, user) -> Agreement:
    """A change after issue: a new draft that copies the old one; the old stays readable as it was."""
    agreement = _locked(agreement)
    if agreement.status == Agreement.Status.DRAFT:
        raise ValidationError(_("This is still a draft: edit it instead of making a new version."), code="draft")
    if Agreement.objects.filter(previous_version=agreement).exists():
        raise ValidationError(_("A newer version of this agreement exists already."), code="has_next")
    last_version = Agreement.objects.filter(intervention_id=agreement.intervention_id).aggregate(last=Max("version"))[
        "last"
    ]
    draft = Agreement(
        citizen_id=agreement.citizen_id,
        intervention_id=agreement.intervention_id,
        version=last_version + 1,
        previous_version=agreement,
        action_plan=current_plan(agreement.citizen),
        created_by=user,
        **{field: getattr(agreement, field) for field in DRAFT_FIELDS},
    )
    draft.citizen = agreement.citizen
    _refresh_record_fields(draft)
    _save(draft, user=user, event=Event.NEW_VERSION)
    return draft


@transaction.atomic
def save_agreement_text(*, sections: list[dict], user) -> AgreementText:
    """Every edit is a new version; issued agreements keep pointing at the version they were issued with."""
    current = AgreementText.objects.select_for_update().filter(is_current=True).first()
    if current is not None and current.sections == sections:
        raise ValidationError(_("Nothing was changed, so no new version was made."), code="unchanged")
    last = AgreementText.objects.aggregate(last=Max("version"))["last"] or 0
    AgreementText.objects.filter(is_current=True).update(is_current=False)
    return AgreementText.objects.create(version=last + 1, sections=sections, is_current=True, created_by=user)
