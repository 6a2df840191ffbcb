import datetime

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_filters import ChoiceFilter, DateFromToRangeFilter, FilterSet, ModelChoiceFilter
from django_filters.widgets import DateRangeWidget

from citizens.models import Citizen, LifeArea
from housingfirst.forms import BootstrapBoundField
from housingfirst.models import Method, User
from interventions.models import Intervention, Pause, Phase, Visit
from interventions.services import visit_field_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
QUICK_MINUTES = (15, 30, 45, 60, 90)


def now_rounded() -> datetime.time:
    """The current local time rounded down to 5 minutes."""
    now = timezone.localtime()
    return now.time().replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)


class InterventionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, intervention):
        if intervention.end_date:
            return _("%(citizen)s (%(method)s, ended %(date)s)") % {
                "citizen": intervention.citizen,
                "method": intervention.method,
                "date": date_format(intervention.end_date, "d.m.Y"),
            }
        return f"{intervention.citizen} ({intervention.method})"


class VisitForm(forms.Form):
    """The phone-first visit form. The rules (dates, locks, overlap) live in `services.log_visit`."""

    bound_field_class = BootstrapBoundField
    intervention = InterventionChoiceField(
        queryset=Intervention.objects.none(),
        label=_("Citizen"),
        error_messages={
            "invalid_choice": _("Choose one of your team's citizens with an ongoing or recently ended intervention."),
            "required": _("Choose the citizen."),
        },
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": 300, "class": "form-control"}, format="%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5})
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices, widget=forms.RadioSelect)
    life_areas = forms.ModelMultipleChoiceField(
        queryset=LifeArea.objects.filter(active=True),
        label=_("Life areas touched"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Short note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)

    def __init__(self, *args, interventions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = interventions

    def clean(self):
        """The rules that need no database, beside the fields' own: every mistake shows in one round."""
        cleaned = super().clean()
        for field, message in visit_field_errors(
            date=cleaned.get("date"), duration_minutes=cleaned.get("duration_minutes")
        ).items():
            self.add_error(field, message)
        return cleaned


class AnswerSelect(forms.NullBooleanSelect):
    """Yes / no / not answered yet; unlike a plain Select it shows a stored True or False as chosen."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Not answered yet")), ("true", _("Yes")), ("false", _("No"))]


class InterventionDetailsForm(forms.Form):
    """The facts of a course that are set at its start and change as it goes."""

    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Coordinator"),
        required=False,
        help_text=_("Empty: the support worker is also the coordinator."),
    )
    follow_up_date = forms.DateField(label=_("Follow-up date"), widget=DATE, required=False)
    chosen_worker = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("The citizen's choice of worker (§85a)"), required=False
    )
    choice_accepted = forms.NullBooleanField(
        label=_("Did the municipality follow the choice?"),
        required=False,
        widget=AnswerSelect,
    )
    choice_rejection_reason = forms.CharField(
        label=_("The municipality's reason for not following it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    employment_department = forms.BooleanField(label=_("Provider's employment department involved"), required=False)

    def __init__(self, *args, team_members, may_assign=True, **kwargs):
        """Without `may_assign` there is no coordinator field: choosing one is the team lead's."""
        super().__init__(*args, **kwargs)
        for name in ("worker", "coordinator", "chosen_worker"):
            if name in self.fields:
                self.fields[name].queryset = team_members
        if not may_assign:
            del self.fields["coordinator"]


class StartInterventionForm(InterventionDetailsForm):
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.CTI)
    start_date = forms.DateField(label=_("Start date"), widget=DATE, initial=timezone.localdate)
    worker = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Support worker"), required=False)

    field_order = ["method", "start_date", "worker", "coordinator"]


class AssignForm(forms.Form):
    worker = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Support worker"))
    coordinator = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Coordinator"),
        required=False,
        help_text=_("Empty: keep the coordinator (or the new worker if there is none)."),
    )

    def __init__(self, *args, team_members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = team_members
        self.fields["coordinator"].queryset = team_members


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=[c for c in Phase.choices if c[0] != Phase.CONTACT])
    date = forms.DateField(label=_("Began on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PauseForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Pause.Reason.choices)
    from_date = forms.DateField(label=_("From"), widget=DATE, initial=timezone.localdate)
    to_date = forms.DateField(
        label=_("To"), widget=DATE, required=False, help_text=_("Leave empty while the pause lasts.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    to_date = forms.DateField(label=_("Back on"), widget=DATE, initial=timezone.localdate)


class ShelterAgreementForm(forms.Form):
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DATE, initial=timezone.localdate)
    caseworker = forms.CharField(
        label=_("Agreed with (caseworker)"), max_length=150, help_text=_("The municipal caseworker's name.")
    )


class ChangeMethodForm(forms.Form):
    method = forms.ChoiceField(label=_("New method"), choices=Method.choices)
    date = forms.DateField(label=_("New course starts on"), widget=DATE, initial=timezone.localdate)
    worker = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Support worker"), required=False)

    def __init__(self, *args, team_members=None, **kwargs):
        """Without `team_members` (the user may not assign) there is no worker field: the service keeps
        the worker if it can."""
        super().__init__(*args, **kwargs)
        if team_members is None:
            del self.fields["worker"]
        else:
            self.fields["worker"].queryset = team_members


class EndForm(forms.Form):
    end_date = forms.DateField(label=_("End date"), widget=DATE, initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—")]
        + [c for c in Intervention.EndReason.choices if c[0] != Intervention.EndReason.METHOD_CHANGE],
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PeriodForm(forms.Form):
    """The period and team of the fidelity and outcomes pages (GET, so a page can be bookmarked)."""

    bound_field_class = BootstrapBoundField
    from_date = forms.DateField(label=_("From"), widget=DATE)
    to_date = forms.DateField(label=_("To"), widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("from_date"), data.get("to_date")
        if start and end and end < start:
            self.add_error("to_date", _("The period cannot end before it starts."))
        elif start and end and (end - start).days > 3 * 366:
            self.add_error("to_date", _("Choose a period of at most three years."))
        return data


class SupervisionMeetingForm(forms.Form):
    bound_field_class = BootstrapBoundField
    date = forms.DateField(label=_("Date"), widget=DATE)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    participants = forms.ModelMultipleChoiceField(
        label=_("Who took part"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, team_members=None, **kwargs):
        from interventions.models import SupervisionMeeting

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SupervisionMeeting.Kind.choices
        self.fields["participants"].queryset = team_members if team_members is not None else User.objects.none()


class HousingStatusForm(forms.Form):
    bound_field_class = BootstrapBoundField
    status = forms.ChoiceField(label=_("Housing status"), choices=[], widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        from interventions.models import HousingStatus

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = HousingStatus.Status.choices


class ExpectationsForm(forms.Form):
    """The fidelity expectations (contact rhythm and supervision), in days; the rules are the template's."""

    bound_field_class = BootstrapBoundField

    def __init__(self, *args, template, **kwargs):
        from interventions.outcome_services import EXPECTATION_FIELDS, MAX_EXPECTATION_DAYS

        super().__init__(*args, initial={name: getattr(template, name) for name in EXPECTATION_FIELDS}, **kwargs)
        message = _("Choose between 1 and %(max)s days.") % {"max": MAX_EXPECTATION_DAYS}
        for name in EXPECTATION_FIELDS:
            model_field = template._meta.get_field(name)
            self.fields[name] = forms.IntegerField(
                label=model_field.verbose_name,
                help_text=model_field.help_text,
                min_value=1,
                max_value=MAX_EXPECTATION_DAYS,
                error_messages={
                    "required": _("Write a number of days."),
                    "invalid": _("Write a whole number of days, e.g. 14."),
                    "min_value": message,
                    "max_value": message,
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )


class VisitFilter(FilterSet):
    """The visit list narrowed by citizen, period and kind (django-filter)."""

    citizen = ModelChoiceFilter(
        label=_("Citizen"), field_name="intervention__citizen", queryset=Citizen.objects.none(), empty_label=_("All")
    )
    date = DateFromToRangeFilter(
        label=_("Period"),
        widget=DateRangeWidget(attrs={"type": "date", "class": "form-control"}),
    )
    kind = ChoiceFilter(label=_("Kind"), choices=Visit.Kind.choices, empty_label=_("All"))

    class Meta:
        model = Visit
        fields = ["citizen", "date", "kind"]

    def __init__(self, *args, citizens, **kwargs):
        super().__init__(*args, **kwargs)
        # The names only: the choice list never decrypts a CPR number.
        self.filters["citizen"].queryset = citizens.only("pk", "first_name", "last_name").order_by(
            "first_name", "last_name", "pk"
        )
        for name in ("citizen", "kind"):
            self.form.fields[name].widget.attrs["class"] = "form-select"
