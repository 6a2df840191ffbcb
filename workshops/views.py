"""Workshop pages: the list, a day's attendance list, corrections of paid months, and the month's work bonus."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from citizens.selectors import get_visible_citizen
from housingfirst import exports
from invoicing.forms import MonthForm
from workshops import selectors, services
from workshops.forms import AttendanceForm, CorrectionForm, PayForm, WorkshopForm, parse_day

ONE_DAY = datetime.timedelta(days=1)


def _show_refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@permission_required("workshops.log_workshop_hours", raise_exception=True)
def workshop_list(request):
    can_add = request.user.has_perm("workshops.add_workshop")
    form = WorkshopForm(request.POST or None) if can_add else None
    if request.method == "POST" and form is not None and form.is_valid():
        workshop = form.save(commit=False)
        services.save_workshop(workshop=workshop, participants=form.cleaned_data["participants"], by=request.user)
        messages.success(request, _("The workshop %(name)s is created.") % {"name": workshop.name})
        return redirect("workshops:list")
    workshops = selectors.visible_workshops(request.user).prefetch_related("participants")
    return render(
        request, "workshops/workshop_list.html", {"workshops": workshops, "form": form, "today": timezone.localdate()}
    )


@permission_required("workshops.change_workshop", raise_exception=True)
def workshop_edit(request, pk):
    workshop = selectors.get_visible_workshop(request.user, pk)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        workshop = form.save(commit=False)
        services.save_workshop(workshop=workshop, participants=form.cleaned_data["participants"], by=request.user)
        messages.success(request, _("The workshop is saved."))
        return redirect("workshops:attendance", pk=workshop.pk)
    return render(request, "workshops/workshop_form.html", {"workshop": workshop, "form": form})


@permission_required("workshops.log_workshop_hours", raise_exception=True)
def attendance(request, pk):
    """The day's attendance list: every participant with an hours field, saved at once."""
    workshop = selectors.get_visible_workshop(request.user, pk)
    today = timezone.localdate()
    day = min(parse_day(request.GET.get("dato") or request.POST.get("dato", ""), today), today)
    rows = selectors.attendance(workshop, day, request.user)
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_attendance(
                workshop=workshop, date=day, hours_by_citizen=form.hours_by_citizen(), by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The attendance list for %(day)s is saved: %(count)s with hours.")
                % {"day": date_format(day, "l j. F"), "count": saved},
            )
            return redirect(f"{reverse('workshops:attendance', args=[workshop.pk])}?dato={day:%Y-%m-%d}")
    context = {
        "workshop": workshop,
        "form": form,
        "day": day,
        "previous_day": day - ONE_DAY,
        "next_day": day + ONE_DAY if day < today else None,
        "paid": selectors.month_is_paid(day),
        "correction_form": CorrectionForm(workshop=workshop, initial={"date": day}),
    }
    return render(request, "workshops/attendance.html", context)


@require_POST
@permission_required("workshops.log_workshop_hours", raise_exception=True)
def correction(request, pk):
    workshop = selectors.get_visible_workshop(request.user, pk)
    form = CorrectionForm(request.POST, workshop=workshop)
    if form.is_valid():
        try:
            entry = services.correct_hours(workshop=workshop, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The correction for %(day)s is booked in %(month)s.")
                % {"day": f"{entry.date:%d.%m.%Y}", "month": date_format(entry.bonus_month, "F Y")},
            )
            return redirect(f"{reverse('workshops:attendance', args=[workshop.pk])}?dato={entry.date:%Y-%m-%d}")
    day = form.cleaned_data.get("date") or timezone.localdate()
    rows = selectors.attendance(workshop, day, request.user)
    context = {
        "workshop": workshop,
        "form": AttendanceForm(rows=rows),
        "day": day,
        "previous_day": day - ONE_DAY,
        "next_day": day + ONE_DAY if day < timezone.localdate() else None,
        "paid": selectors.month_is_paid(day),
        "correction_form": form,
    }
    return render(request, "workshops/attendance.html", context, status=400)


@permission_required("workshops.pay_work_bonus", raise_exception=True)
def month(request):
    form, chosen = MonthForm.from_request(request.GET)
    statements = selectors.month_statements(chosen)
    row = selectors.month_of(chosen)
    context = {
        "form": form,
        "month": chosen,
        "statements": statements,
        "paid": row if row is not None and row.is_paid else None,
        "pay_form": PayForm(initial={"month": chosen}),
        "ended": chosen < timezone.localdate().replace(day=1),
    }
    return render(request, "workshops/month.html", context)


@require_POST
@permission_required("workshops.pay_work_bonus", raise_exception=True)
def pay(request):
    form = PayForm(request.POST)
    if form.is_valid():
        chosen = form.cleaned_data["month"]
        try:
            paid = services.pay_month(month=chosen, by=request.user)
        except ValidationError as error:
            _show_refusal(request, error)
        else:
            messages.success(
                request,
                _("The work bonus for %(month)s is paid for %(count)s citizens; its hours are locked.")
                % {"month": date_format(chosen, "F Y"), "count": paid.citizens},
            )
        return redirect(f"{reverse('workshops:month')}?month={chosen:%Y-%m}")
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(f"{reverse('workshops:month')}?month={request.POST.get('month', '')}")


@permission_required("workshops.pay_work_bonus", raise_exception=True)
def statement(request, citizen_pk):
    citizen = get_visible_citizen(request.user, citizen_pk)
    _form, chosen = MonthForm.from_request(request.GET)
    made = selectors.citizen_statement(citizen, chosen)
    context = {"citizen": citizen, "month": chosen, "made": made, "paid": selectors.month_is_paid(chosen)}
    return render(request, "workshops/statement.html", context)


@require_POST
@permission_required("workshops.pay_work_bonus", raise_exception=True)
def statement_pdf(request, citizen_pk):
    citizen = get_visible_citizen(request.user, citizen_pk)
    _form, chosen = MonthForm.from_request(request.POST)
    export = exports.request_export(
        kind="work_bonus_statement",
        params={"citizen": citizen.pk, "month": chosen.isoformat()},
        user=request.user,
        title=_("Work bonus %(month)s: %(citizen)s") % {"month": f"{chosen:%m.%Y}", "citizen": citizen.full_name},
    )
    return redirect("export_detail", pk=export.pk)


@require_POST
@permission_required("workshops.pay_work_bonus", raise_exception=True)
@permission_required("citizens.view_full_cpr", raise_exception=True)
def payroll_csv(request):
    _form, chosen = MonthForm.from_request(request.POST)
    if not selectors.month_is_paid(chosen):
        messages.error(request, _("Pay the month first: the payroll list is made of locked hours."))
        return redirect(f"{reverse('workshops:month')}?month={chosen:%Y-%m}")
    export = exports.request_export(
        kind="work_bonus_payroll",
        params={"month": chosen.isoformat()},
        user=request.user,
        title=_("Work bonus payroll list %(month)s") % {"month": f"{chosen:%m.%Y}"},
    )
    return redirect("export_detail", pk=export.pk)
