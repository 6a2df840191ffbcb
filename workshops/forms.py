import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from citizens.models import Citizen
from housingfirst import roles
from housingfirst.models import User
from invoicing.forms import MonthField  # the month picker invoicing uses too
from workshops.models import LabourMarketContributionRate, WorkBonusRate, Workshop


def parse_day(value: str, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else default
    except ValueError:
        return default


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
