from django import forms
from django.utils.translation import gettext_lazy as _

from housingfirst.models import Caseworker, Municipality, MunicipalityEAN, Provider
from housingfirst.validators import normalize_digits


class BootstrapBoundField(forms.BoundField):
    """A field rendered with `{{ field }}` that has errors gets Bootstrap's `is-invalid` (red border and icon).

    Django already adds aria-invalid and aria-describedby="<id>_error"; the template gives the error that id.
    """

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            classes = attrs.get("class", widget.attrs.get("class", ""))
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


class ProviderForm(forms.ModelForm):
    # Room for spaces and dashes as people type them; the value is normalised before validation.
    cvr = forms.CharField(label=_("CVR number"), max_length=12)
    ean = forms.CharField(label=_("EAN number"), max_length=20)

    class Meta:
        model = Provider
        fields = [
            "name",
            "address",
            "postal_code",
            "city",
            "phone",
            "email",
            "website",
            "cvr",
            "ean",
            "bank_name",
            "bank_reg_number",
            "bank_account_number",
            "iban",
            "payment_terms_days",
            "municipality",
        ]

    def clean_cvr(self):
        return normalize_digits(self.cleaned_data["cvr"])

    def clean_ean(self):
        return normalize_digits(self.cleaned_data["ean"])

    def clean_bank_reg_number(self):
        value = normalize_digits(self.cleaned_data["bank_reg_number"])
        if value and (not value.isdigit() or len(value) != 4):
            raise forms.ValidationError(_("A bank registration number has 4 digits."))
        return value

    def clean_bank_account_number(self):
        value = normalize_digits(self.cleaned_data["bank_account_number"])
        if value and (not value.isdigit() or len(value) > 10):
            raise forms.ValidationError(_("A bank account number has up to 10 digits."))
        return value


class MunicipalityForm(forms.ModelForm):
    cvr = forms.CharField(label=_("CVR number"), max_length=12, required=False)

    class Meta:
        model = Municipality
        fields = ["cvr", "address", "postal_code", "city", "invoice_email"]

    def clean_cvr(self):
        return normalize_digits(self.cleaned_data["cvr"])


class MunicipalityEANForm(forms.ModelForm):
    ean = forms.CharField(label=_("EAN number"), max_length=20)

    class Meta:
        model = MunicipalityEAN
        fields = ["ean", "label", "is_default"]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality

    def clean_ean(self):
        return normalize_digits(self.cleaned_data["ean"])


class CaseworkerForm(forms.ModelForm):
    class Meta:
        model = Caseworker
        fields = ["name", "phone", "email", "department", "active"]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality


class SecondFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("The 6 digits the app shows for Bostøtte."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )
