from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from housingfirst.models import Caseworker, User


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(forms.ModelForm):
    """The draft's typed-in fields. The rate and the paying municipality are not among them: the service
    takes them from the rate table and the citizen (`services.record_fields`), as invoicing does."""

    class Meta:
        model = Agreement
        fields = [
            "method",
            "start_date",
            "follow_up_date",
            "caseworker",
            "employment_department",
            "coordinator",
        ]
        widgets = {"start_date": DateInput(), "follow_up_date": DateInput()}

    def __init__(self, *args, citizen, **kwargs):
        super().__init__(*args, **kwargs)
        self.citizen = citizen
        self.fields["caseworker"].queryset = Caseworker.objects.filter(active=True).select_related("municipality")
        # The coordinator is one of the citizen's own team.
        self.fields["coordinator"].queryset = User.objects.filter(is_active=True, team_id=citizen.team_id)

    def clean(self):
        cleaned = super().clean()
        start, follow_up = cleaned.get("start_date"), cleaned.get("follow_up_date")
        if start and follow_up and follow_up < start:
            self.add_error("follow_up_date", _("The follow-up date cannot be before the start date."))
        caseworker = cleaned.get("caseworker")
        if caseworker and caseworker.municipality_id != self.citizen.paying_municipality_id:
            self.add_error(
                "caseworker",
                _("%(caseworker)s works for another municipality than the paying one.") % {"caseworker": caseworker},
            )
        return cleaned


class SignaturesForm(forms.Form):
    provider_signed_by = forms.CharField(label=_("Signed for the provider by"), max_length=150, required=False)
    provider_signed_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    municipality_signed_by = forms.CharField(
        label=_("Signed for the paying municipality by"), max_length=150, required=False
    )
    municipality_signed_on = forms.DateField(label=_("Date"), required=False, widget=DateInput())


class SignedCopyForm(forms.Form):
    signed_copy = forms.FileField(
        label=_("Scanned signed copy (PDF)"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"})
    )


class EndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput())


class AgreementTextForm(forms.Form):
    """One heading and one body per section of the current text; saving makes a new version."""

    def __init__(self, *args, sections: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = []
        for index, section in enumerate(sections):
            key = section.get("key") or f"section{index}"
            self.keys.append(key)
            self.fields[f"{key}__heading"] = forms.CharField(
                label=_("Heading"), max_length=120, initial=section.get("heading", "")
            )
            self.fields[f"{key}__body"] = forms.CharField(
                label=_("Text"),
                initial=section.get("body", ""),
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=_('A blank line starts a new paragraph; a line starting with "- " is a bullet.'),
            )

    def sections(self) -> list[dict]:
        return [
            {
                "key": key,
                "heading": self.cleaned_data[f"{key}__heading"].strip(),
                "body": self.cleaned_data[f"{key}__body"].strip(),
            }
            for key in self.keys
        ]

    def grouped(self):
        return [(self[f"{key}__heading"], self[f"{key}__body"]) for key in self.keys]
