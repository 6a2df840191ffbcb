from django import forms
from django.conf import settings
from django.forms import inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from django_filters import ChoiceFilter, FilterSet, ModelChoiceFilter

from citizens.cpr import mask_cpr, normalize_cpr, passes_modulus_11, validate_cpr
from citizens.models import ActionPlan, Citizen, Consent, Goal, LifeArea
from citizens.selectors import SORTS, WITHOUT_WORKER, citizen_list, list_workers
from citizens.services import duplicate_cpr_error
from housingfirst.models import Caseworker, Method, Municipality, Team

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _private_document_field(form, name):
    # Uploaded files have no public URL (they are served through a permission check), so the
    # widget must not try to link the current file; say in words that one is on file instead.
    field = form.fields[name]
    field.widget = forms.FileInput(attrs={"accept": "application/pdf,.pdf"})
    if getattr(form.instance, name):
        field.help_text = _("A document is on file. Choose a new PDF only to replace it.")
    else:
        field.help_text = _("PDF only, at most %(limit)s MB.") % {"limit": settings.MAX_UPLOAD_MB}


def _caseworkers():
    return Caseworker.objects.filter(active=True).select_related("municipality")


class CitizenForm(forms.ModelForm):
    # Room for the dash people type (010190-1234); stored as ten digits.
    cpr = forms.CharField(
        label=gettext_lazy("CPR number"),
        max_length=20,
        help_text=gettext_lazy("Ten digits, with or without a dash: 010190-1234."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    class Meta:
        model = Citizen
        fields = [
            "first_name",
            "last_name",
            "cpr",
            "phone",
            "email",
            "address",
            "postal_code",
            "city",
            "move_in_date",
            "shelter_stay_from",
            "shelter_stay_to",
            "paying_municipality",
            "acting_municipality",
            "caseworker",
            "team",
            "status",
        ]
        widgets = {
            "move_in_date": DATE_INPUT,
            "shelter_stay_from": DATE_INPUT,
            "shelter_stay_to": DATE_INPUT,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.cpr_warning = ""
        self.fields["caseworker"].queryset = _caseworkers()
        if not user.sees_all_teams:
            self.fields["team"].queryset = Team.objects.filter(pk=user.team_id)
            self.fields["team"].initial = user.team_id
            self.fields["team"].empty_label = None
        if self.instance.pk:
            # Editing: the stored number is never put back into the page; type a new one only to correct it.
            self.fields["cpr"].required = False
            self.fields["cpr"].label = _("Correct the CPR number")
            self.fields["cpr"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
                "masked": mask_cpr(self.instance.cpr)
            }
            self.initial["cpr"] = ""

    @sensitive_variables("number", "value")
    def clean_cpr(self):
        value = self.cleaned_data.get("cpr", "")
        if not value and self.instance.pk:
            return self.instance.cpr
        number = normalize_cpr(value)
        validate_cpr(number)
        duplicate = duplicate_cpr_error(number, user=self.user, exclude_pk=self.instance.pk, link=True)
        if duplicate is not None:
            raise duplicate
        if not passes_modulus_11(number):
            self.cpr_warning = _(
                "Note: the CPR number does not pass the old modulus-11 check. Numbers issued since 2007 may "
                "fail it, so it is saved; check that it is typed correctly."
            )
        return number

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("shelter_stay_from"), cleaned.get("shelter_stay_to")
        if start and end and end < start:
            self.add_error("shelter_stay_to", _("The shelter stay cannot end before it starts."))
        return cleaned


class PdfDocumentMixin:
    """A form with a PDF `document`, asked for again when the form comes back with another error.

    The PDF check itself is the model field's validator (`validate_uploaded_pdf`), so the admin keeps it too.

    A browser never refills a file field, so after any other error the chosen PDF would silently be gone.
    """

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self._errors and self.files.get("document") and "document" not in self._errors:
            self.add_error(
                "document",
                _("Choose the PDF file again: a browser cannot keep a chosen file when the form comes back."),
            )


class ActionPlanForm(PdfDocumentMixin, forms.ModelForm):
    class Meta:
        model = ActionPlan
        fields = ["kind", "received_on", "municipality", "caseworker", "document", "notes"]
        widgets = {"received_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["caseworker"].queryset = _caseworkers()
        _private_document_field(self, "document")


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["life_area", "description", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        areas = LifeArea.objects.filter(active=True)
        if self.instance.pk and self.instance.life_area_id:
            areas = LifeArea.objects.filter(active=True) | LifeArea.objects.filter(pk=self.instance.life_area_id)
        self.fields["life_area"].queryset = areas


# A plan has a handful of goals. Without a bound, goals-TOTAL_FORMS=2000 builds 2000 forms (about 14 ms
# each) and holds a worker for half a minute; with it, more than MAX_GOALS is refused on the form.
MAX_GOALS = 30
_GOAL_BOUNDS = {"max_num": MAX_GOALS, "absolute_max": MAX_GOALS, "validate_max": True}
GoalFormSet = inlineformset_factory(ActionPlan, Goal, form=GoalForm, extra=3, can_delete=True, **_GOAL_BOUNDS)
# Editing a plan shows its goals and one empty row; "add another goal" makes more.
GoalEditFormSet = inlineformset_factory(ActionPlan, Goal, form=GoalForm, extra=1, can_delete=True, **_GOAL_BOUNDS)


class ConsentForm(PdfDocumentMixin, forms.ModelForm):
    class Meta:
        model = Consent
        fields = ["covers", "obtain_from", "given_on", "expires_on", "withdrawn_on", "document"]
        widgets = {
            "covers": forms.Textarea(attrs={"rows": 2}),
            "obtain_from": forms.Textarea(attrs={"rows": 2}),
            "given_on": DATE_INPUT,
            "expires_on": DATE_INPUT,
            "withdrawn_on": DATE_INPUT,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _private_document_field(self, "document")


class LifeAreaForm(forms.ModelForm):
    class Meta:
        model = LifeArea
        fields = ["name", "description", "position", "active"]


NO_WORKER = "none"


class CitizenFilter(FilterSet):
    team = ModelChoiceFilter(label=gettext_lazy("Team"), queryset=Team.objects.all(), empty_label=gettext_lazy("All"))
    worker = ChoiceFilter(
        label=gettext_lazy("Support worker"), choices=[], method="filter_worker", empty_label=gettext_lazy("All")
    )
    method = ChoiceFilter(
        label=gettext_lazy("Method"),
        choices=Method.choices,
        field_name="course_method",
        empty_label=gettext_lazy("All"),
    )
    municipality = ModelChoiceFilter(
        label=gettext_lazy("Paying municipality"),
        field_name="paying_municipality",
        queryset=Municipality.objects.filter(paying_for_citizens__isnull=False).distinct(),
        empty_label=gettext_lazy("All"),
    )
    status = ChoiceFilter(label=gettext_lazy("Status"), choices=Citizen.Status.choices, empty_label=gettext_lazy("All"))
    consent = ChoiceFilter(
        label=gettext_lazy("Consent"),
        choices=[("expired", gettext_lazy("Expired, none in force"))],
        method="filter_consent",
        empty_label=gettext_lazy("All"),
    )

    class Meta:
        model = Citizen
        fields = ["team", "worker", "method", "municipality", "status", "consent"]

    def filter_consent(self, queryset, name, value):
        # consent_expired is annotated by selectors.citizen_list.
        return queryset.filter(consent_expired=True) if value == "expired" else queryset

    def filter_worker(self, queryset, name, value):
        # The open course is joined by selectors.citizen_list.
        if value == NO_WORKER:
            return queryset.filter(WITHOUT_WORKER)
        return queryset.filter(course_worker_id=value)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        team_id = self.data.get("team") if self.data else None
        workers = list_workers(user, team_id if str(team_id or "").isdigit() else None)
        self.filters["worker"].extra["choices"] = [(NO_WORKER, _("No worker")), *((w.pk, str(w)) for w in workers)]
        if not user.sees_all_teams:
            # Someone who sees one team has nothing to filter by team.
            del self.filters["team"]
        for name in self.filters:
            self.form.fields[name].widget.attrs["class"] = "form-select"


def citizen_list_filter(user, params) -> CitizenFilter:
    """The citizen list as the search, the filters and the order in `params` narrow it: the page and its
    export both come from here, so the file holds what the page shows."""
    sort = params.get("sort", "name")
    citizens = citizen_list(user, query=params.get("q", ""), sort=sort if sort in SORTS else "name")
    return CitizenFilter(params or None, queryset=citizens, user=user)
