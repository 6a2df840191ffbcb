import datetime
import re

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from invoicing.models import Invoice, Rate, ShelterDayRate
from invoicing.selectors import municipality_filter_choices, previous_month

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str) -> datetime.date:
    """'2026-10' → date(2026, 10, 1); ValueError with a readable message otherwise."""
    match = MONTH_PATTERN.match((value or "").strip())
    if not match:
        raise ValueError(_("Write the month as YYYY-MM, e.g. 2026-10."))
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValueError(_("Write the month as YYYY-MM, e.g. 2026-10."))
    return datetime.date(year, month, 1)


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
        if isinstance(value, datetime.date):
            return f"{value:%Y-%m}"
        return value


class MonthForm(forms.Form):
    month = MonthField(label=_("Month"))

    @classmethod
    def from_request(cls, data):
        default = previous_month(timezone.localdate())
        form = cls(data if data.get("month") else {"month": f"{default:%Y-%m}"})
        month = form.cleaned_data["month"] if form.is_valid() else default
        return form, month


class IssueForm(MonthForm):
    # Invoice numbers cannot be taken back, so issuing asks for a deliberate tick, not just a click.
    confirmed = forms.BooleanField(
        label=_("I have checked the amounts and the warnings. Issued invoices cannot be changed."),
        error_messages={"required": _("Tick the box to confirm that you have checked the amounts and the warnings.")},
    )


class CreditNoteForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("Shown on the credit note, e.g. 'Visits registered on the wrong citizen'."),
    )


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


STATUS_CHOICES = [("", _("All")), *[(s.value, s.label) for s in Invoice.Status if s != Invoice.Status.DRAFT]]
STATUS_CHOICES.append(("overdue", _("Overdue")))


class PlainSelect(forms.Select):
    """A <select> whose options are formatted in one pass (escaped), not a template include each."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) == chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Invoice.Kind.choices], required=False)
    # Ids and names, not model instances, drawn in one string: 98 options through the widget templates
    # were a fifth of the list page.
    municipality = forms.TypedChoiceField(
        label=_("Paying municipality"), coerce=int, empty_value=None, required=False, widget=PlainSelect
    )
    month = MonthField(label=_("Month"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = [("", _("All")), *municipality_filter_choices()]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css


class RateForm(forms.ModelForm):
    class Meta:
        model = Rate
        fields = ["hourly_rate", "valid_from", "note"]
        localized_fields = ["hourly_rate"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_hourly_rate(self):
        rate = self.cleaned_data["hourly_rate"]
        if rate is not None and rate <= 0:
            raise forms.ValidationError(_("The rate must be more than 0 kr."))
        return rate


class ShelterDayRateForm(forms.ModelForm):
    class Meta:
        model = ShelterDayRate
        fields = ["day_rate", "valid_from", "note"]
        localized_fields = ["day_rate"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
