import datetime
import re

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from citizens.models import Citizen
from housingfirst import roles
from housingfirst.models import User
from workshops.models import LabourMarketContributionRate, WorkBonusRate, Workshop

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def parse_month(value: str) -> datetime.date:
    match = MONTH_PATTERN.match((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2100:
        raise ValueError(_("Write the month as YYYY-MM, e.g. 2026-10."))
    return datetime.date(int(match[1]), int(match[2]), 1)


def parse_day(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, datetime.date) else value


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))

    @classmethod
    def from_request(cls, data):
        default = previous_month(timezone.localdate())
        form = cls(data if data.get("month") else {"month": f"{default:%Y-%m}"})
        month = form.cleaned_data["month"] if form.is_valid() else default
        return form, month


class PayForm(forms.Form):
    month = MonthField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("The statements are checked. Pay the month and lock its hours."),
        error_messages={"required": _("Tick the box to pay the month: its hours are locked afterwards.")},
    )


def hours_field(**kwargs) -> forms.DecimalField:
    # Danish decimals ("7,5"); the keyboard on a phone shows the decimal comma.
    return forms.DecimalField(
        localize=True,
        max_digits=4,
        decimal_places=2,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "class": "form-control hours-input"}
        ),
        error_messages={
            "invalid": _("Write the hours as a number, e.g. 7,5."),
            "max_decimal_places": _("Write the hours with at most two decimals, e.g. 7,25."),
            "max_digits": _("A day has at most 24 hours."),
            "max_whole_digits": _("A day has at most 24 hours."),
        },
        **kwargs,
    )


class AttendanceForm(forms.Form):
    """One hours field per citizen on the day's list; blank or 0 means not there."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for citizen, hours in rows:
            self.fields[f"hours_{citizen.pk}"] = hours_field(
                label=citizen.full_name, required=False, min_value=0, max_value=24, initial=hours
            )
            self.fields[f"hours_{citizen.pk}"].error_messages.update(
                {"min_value": _("Hours cannot be negative."), "max_value": _("A day has at most 24 hours.")}
            )

    def bound_rows(self):
        return [(citizen, self[f"hours_{citizen.pk}"]) for citizen, _hours in self.rows]

    def hours_by_citizen(self) -> dict:
        return {citizen.pk: self.cleaned_data.get(f"hours_{citizen.pk}") for citizen, _hours in self.rows}


class CorrectionForm(forms.Form):
    citizen = forms.ModelChoiceField(label=_("Citizen"), queryset=Citizen.objects.none())
    date = forms.DateField(label=_("Day worked"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = hours_field(label=_("Hours to add (negative to take away)"), min_value=-24, max_value=24)
    note = forms.CharField(label=_("Why"), max_length=200)

    def __init__(self, *args, workshop: Workshop, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["citizen"].queryset = Citizen.objects.filter(
            Q(workshops=workshop) | Q(workshop_hours__workshop=workshop)
        ).distinct()


class WorkshopForm(forms.ModelForm):
    class Meta:
        model = Workshop
        fields = ["name", "leader", "participants", "active"]
        widgets = {"participants": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = User.objects.filter(
            groups__name__in=[roles.WORKSHOP_LEADER, roles.ADMINISTRATOR], is_active=True
        ).distinct()
        # Citizens in support now, and those already on the list.
        current = self.instance.participants.all() if self.instance.pk else Citizen.objects.none()
        self.fields["participants"].queryset = (
            Citizen.objects.filter(Q(interventions__status__in=["planned", "active", "paused"]) | Q(pk__in=current))
            .distinct()
            .order_by("first_name", "last_name")
        )


class WorkBonusRateForm(forms.ModelForm):
    class Meta:
        model = WorkBonusRate
        fields = ["hourly_rate", "valid_from", "note"]
        localized_fields = ["hourly_rate"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ContributionRateForm(forms.ModelForm):
    class Meta:
        model = LabourMarketContributionRate
        fields = ["percent", "valid_from", "note"]
        localized_fields = ["percent"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
