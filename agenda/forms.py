from django import forms
from django.utils.translation import gettext_lazy as _

from agenda.models import Booking
from housingfirst.forms import BootstrapBoundField
from interventions.forms import QUICK_MINUTES, InterventionChoiceField
from interventions.models import Intervention

__all__ = ["BookingForm", "QUICK_MINUTES"]


class BookingForm(forms.Form):
    """Date, time, expected length and place. The rules (past, overlap, ended course) are the service's."""

    bound_field_class = BootstrapBoundField
    intervention = InterventionChoiceField(
        queryset=Intervention.objects.none(),
        label=_("Citizen"),
        error_messages={
            "invalid_choice": _("Choose one of your team's citizens with an ongoing intervention."),
            "required": _("Choose the citizen."),
        },
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300, "class": "form-control"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Expected length (minutes)"),
        min_value=1,
        max_value=720,
        initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5, "class": "form-control"}),
    )
    place = forms.ChoiceField(label=_("Place"), choices=Booking.Place.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("Seen in your calendar too: no CPR number and no surname."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions
