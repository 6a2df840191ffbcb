from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import selectors, services
from agreements.documents import render_agreement_pdf, render_consent_pdf
from agreements.forms import AgreementForm, AgreementTextForm, EndForm, SignaturesForm, SignedCopyForm
from agreements.models import Agreement, AgreementText
from citizens.models import CprAccess
from citizens.selectors import current_plan, visible_citizens
from housingfirst.integrity import DocumentMismatch, verified_file
from housingfirst.uploads import private_file_response
from interventions.models import Intervention

# Written to the CPR log whenever a document with the full CPR number is opened.
PDF_PURPOSE = "aftale-PDF"
CONSENT_PURPOSE = "samtykkeerklæring-PDF"
SIGNED_COPY_PURPOSE = "aftale, underskrevet kopi"


def _messages_of(error: ValidationError) -> list[str]:
    return list(error.messages)


def _show_refusal(request, error: ValidationError) -> None:
    for message in _messages_of(error):
        messages.error(request, message)


@permission_required("agreements.view_agreement", raise_exception=True)
def agreement_list(request):
    status = request.GET.get("status", "")
    if status not in Agreement.Status.values:
        status = ""
    reminder = request.GET.get("reminder", "")
    if reminder not in selectors.REMINDERS or not request.user.has_perm("agreements.issue_agreement"):
        reminder = ""
    agreements = selectors.agreement_list(request.user, status=status, reminder=reminder)
    page = Paginator(agreements, 25).get_page(request.GET.get("page"))
    querystring = "&".join(f"{key}={value}" for key, value in (("status", status), ("reminder", reminder)) if value)
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Agreement.Status.choices,
            "querystring": querystring,
            "reminder_label": selectors.reminder_label(reminder) if reminder else "",
        },
    )


@permission_required("agreements.view_agreement", raise_exception=True)
def agreement_detail(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    can_issue = request.user.has_perm("agreements.issue_agreement")
    context = {
        "agreement": agreement,
        "timeline": selectors.timeline(agreement),
        "versions": selectors.versions(agreement),
        "can_issue": can_issue,
        "issue_refusals": services.issue_refusals(agreement) if can_issue and agreement.is_draft else [],
        "end_form": EndForm(),
        "plan": agreement.action_plan or current_plan(agreement.citizen),
        "consent_missing": agreement.is_draft and not _has_consent_in_force(agreement.citizen),
    }
    return render(request, "agreements/agreement_detail.html", context)


def _has_consent_in_force(citizen) -> bool:
    return any(not consent.is_expired() for consent in citizen.consents.all())


def _form_context(*, form, intervention, citizen, agreement=None) -> dict:
    """The form page, with the rate and the paying municipality the draft will get shown read-only."""
    record = services.record_fields(citizen, agreement.start_date if agreement else intervention.start_date)
    return {
        "form": form,
        "agreement": agreement,
        "intervention": intervention,
        "citizen": citizen,
        "plan": current_plan(citizen),
        "hourly_rate": record["hourly_rate"],
        "paying_municipality": record["paying_municipality"],
        "paying_ean": record["paying_municipality"].default_ean,
        "record_changed": agreement is not None
        and (
            agreement.hourly_rate != record["hourly_rate"]
            or agreement.paying_municipality_id != record["paying_municipality"].pk
        ),
    }


@permission_required("agreements.add_agreement", raise_exception=True)
def agreement_create(request):
    intervention_id = request.GET.get("intervention") or request.POST.get("intervention") or ""
    if not intervention_id.isdecimal():
        raise Http404("No intervention given")
    intervention = get_object_or_404(
        Intervention.objects.select_related("citizen__paying_municipality").filter(
            citizen__in=visible_citizens(request.user)
        ),
        pk=int(intervention_id),
    )
    citizen = intervention.citizen
    if request.method == "POST":
        form = AgreementForm(request.POST, citizen=citizen)
        if form.is_valid():
            try:
                agreement = services.create_draft(intervention=intervention, user=request.user, data=form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft agreement is saved. Check it and issue it."))
                return redirect(agreement)
    else:
        form = AgreementForm(initial=services.prefill(intervention), citizen=citizen)
    context = _form_context(form=form, intervention=intervention, citizen=citizen)
    return render(request, "agreements/agreement_form.html", context)


@permission_required("agreements.change_agreement", raise_exception=True)
def agreement_edit(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    if not agreement.is_draft:
        messages.error(request, _("An issued agreement cannot be changed. Make a new version of it instead."))
        return redirect(agreement)
    form = AgreementForm(request.POST or None, instance=agreement, citizen=agreement.citizen)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(agreement=agreement, user=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect(agreement)
    context = _form_context(
        form=form, intervention=agreement.intervention, citizen=agreement.citizen, agreement=agreement
    )
    return render(request, "agreements/agreement_form.html", context)


@require_POST
@permission_required("agreements.issue_agreement", raise_exception=True)
def agreement_issue(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    try:
        services.issue_agreement(agreement=agreement, user=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _("The agreement is issued. Print the PDF for the two signatures."))
    return redirect(agreement)


@permission_required("agreements.issue_agreement", raise_exception=True)
def agreement_sign(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    if agreement.status == Agreement.Status.SIGNED:
        messages.error(request, services.signed_refusal())
        return redirect(agreement)
    initial = {
        "provider_signed_by": agreement.provider_signed_by,
        "provider_signed_on": agreement.provider_signed_on,
        "municipality_signed_by": agreement.municipality_signed_by,
        "municipality_signed_on": agreement.municipality_signed_on,
    }
    form = SignaturesForm(request.POST or None, initial=initial)
    if agreement.issued_at:
        limits = {"min": timezone.localdate(agreement.issued_at).isoformat(), "max": timezone.localdate().isoformat()}
        for name in ("provider_signed_on", "municipality_signed_on"):
            form.fields[name].widget.attrs.update(limits)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.record_signatures(agreement=agreement, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if agreement.status == Agreement.Status.SIGNED:
                messages.success(request, _("Both signatures are recorded: the agreement is signed."))
            else:
                messages.success(request, _("The signature is recorded. The agreement awaits the other party."))
            return redirect(agreement)
    return render(request, "agreements/agreement_sign.html", {"agreement": agreement, "form": form})


@permission_required("agreements.issue_agreement", raise_exception=True)
def agreement_upload(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    form = SignedCopyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.upload_signed_copy(
                agreement=agreement, user=request.user, uploaded=form.cleaned_data["signed_copy"]
            )
        except ValidationError as error:
            form.add_error("signed_copy" if error.code in ("not_pdf", "file_too_large") else None, error)
        else:
            messages.success(request, _("The signed copy is uploaded."))
            return redirect(agreement)
    return render(request, "agreements/agreement_upload.html", {"agreement": agreement, "form": form})


@require_POST
@permission_required("agreements.issue_agreement", raise_exception=True)
def agreement_end(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    form = EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the agreement ended."))
        return redirect(agreement)
    try:
        services.end_agreement(agreement=agreement, user=request.user, ended_on=form.cleaned_data["ended_on"])
    except ValidationError as error:
        _show_refusal(request, error)
    else:
        messages.success(request, _("The agreement has ended."))
    return redirect(agreement)


@require_POST
@permission_required("agreements.issue_agreement", raise_exception=True)
def agreement_new_version(request, pk):
    agreement = selectors.get_visible_agreement(request.user, pk)
    try:
        draft = services.new_version(agreement=agreement, user=request.user)
    except ValidationError as error:
        _show_refusal(request, error)
        return redirect(agreement)
    messages.success(
        request,
        _("Version %(version)s is a new draft. Version %(old)s stays as it was until the new one is issued.")
        % {"version": draft.version, "old": agreement.version},
    )
    return redirect(draft)


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _log_cpr_view(request, citizen, purpose: str) -> None:
    CprAccess.objects.create(citizen=citizen, user=request.user, purpose=purpose)


def _agreement_with_full_cpr(request, pk) -> Agreement:
    """The agreement for a document that prints the full CPR number.

    Another team's agreement answers 404 (the lookup comes first, so nothing is given away); on the
    user's own team, a role without `citizens.view_full_cpr` (support workers) answers 403.
    """
    agreement = selectors.get_visible_agreement(request.user, pk)
    if not request.user.has_perm("citizens.view_full_cpr"):
        raise PermissionDenied
    return agreement


@permission_required("agreements.view_agreement", raise_exception=True)
def agreement_pdf(request, pk):
    agreement = _agreement_with_full_cpr(request, pk)
    filename = f"aftale-{agreement.pk}-v{agreement.version}.pdf"
    if agreement.is_draft:
        # A draft is rendered fresh each time, marked KLADDE; only issuing freezes the bytes.
        content = render_agreement_pdf(agreement).content
        _log_cpr_view(request, agreement.citizen, PDF_PURPOSE)
        return _pdf_response(content, f"kladde-{filename}")
    if not agreement.pdf:
        raise Http404
    try:
        label = _("Agreement %(pk)s") % {"pk": agreement.pk}
        content = verified_file(agreement.pdf, agreement.pdf_sha256, document=label)
    except FileNotFoundError:
        raise Http404 from None
    except DocumentMismatch as error:
        messages.error(request, str(error))
        return redirect(agreement)
    _log_cpr_view(request, agreement.citizen, PDF_PURPOSE)
    return _pdf_response(content, filename)


@permission_required("agreements.view_agreement", raise_exception=True)
def consent_pdf(request, pk):
    agreement = _agreement_with_full_cpr(request, pk)
    content = render_consent_pdf(agreement.citizen).content
    _log_cpr_view(request, agreement.citizen, CONSENT_PURPOSE)
    return _pdf_response(content, f"samtykkeerklaering-{agreement.citizen_id}.pdf")


@permission_required("agreements.view_agreement", raise_exception=True)
def signed_copy(request, pk):
    agreement = _agreement_with_full_cpr(request, pk)
    response = private_file_response(
        agreement.signed_copy, f"aftale-{agreement.pk}-v{agreement.version}-underskrevet.pdf"
    )
    _log_cpr_view(request, agreement.citizen, SIGNED_COPY_PURPOSE)
    return response


@permission_required("agreements.change_agreementtext", raise_exception=True)
def text_edit(request):
    current = AgreementText.current()
    sections = current.sections if current else []
    form = AgreementTextForm(request.POST or None, sections=sections)
    if request.method == "POST" and form.is_valid():
        try:
            text = services.save_agreement_text(sections=form.sections(), user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)s of the standard text is saved. New agreements use it when issued.")
                % {"version": text.version},
            )
            return redirect("agreements:text")
    history = AgreementText.objects.select_related("created_by")[:10]
    return render(request, "agreements/text_form.html", {"form": form, "current": current, "history": history})
