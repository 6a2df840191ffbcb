from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables
from simple_history.admin import SimpleHistoryAdmin

from citizens.cpr import normalize_cpr, validate_cpr
from citizens.forms import CitizenForm
from citizens.models import ActionPlan, Citizen, Consent, CprAccess, ErasureRequest, Goal, LifeArea
from citizens.services import duplicate_cpr_error
from housingfirst.admin import PrivateFilesAdminMixin, ReadOnlyAdminMixin


@admin.register(LifeArea)
class LifeAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "active", "description"]
    list_editable = ["position", "active"]


class CitizenAdminForm(forms.ModelForm):
    """The admin takes a CPR number the way the app's form does: with or without the dash, and a
    duplicate names the citizen who has it."""

    cpr = forms.CharField(label=_("CPR number"), max_length=11, required=False)
    user = None  # set by CitizenAdmin.get_form

    class Meta:
        model = Citizen
        fields = CitizenForm.Meta.fields  # the same fields as the app's form

    @sensitive_variables("number", "value")
    def clean_cpr(self):
        if self.instance.pk:
            return self.instance.cpr  # not shown in the admin; changed in the app's form
        number = normalize_cpr(self.cleaned_data.get("cpr", ""))
        validate_cpr(number)
        duplicate = duplicate_cpr_error(number, user=self.user)
        if duplicate is not None:
            raise duplicate
        return number


@admin.register(Citizen)
class CitizenAdmin(SimpleHistoryAdmin):
    form = CitizenAdminForm
    # The CPR number is shown masked and is never a search term (search terms land in the URL).
    list_display = ["full_name", "cpr_masked", "team", "paying_municipality", "status", "move_in_date"]
    list_filter = ["team", "status", "paying_municipality"]
    search_fields = ["first_name", "last_name"]
    list_select_related = ["team", "paying_municipality"]
    readonly_fields = ["cpr_masked", "created_at", "updated_at"]

    def lookup_allowed(self, lookup, value, request=None):
        # ?cpr__startswith=0101 answered yes or no without an audit row: a full number in 16 requests.
        if lookup.split("__", 1)[0] == "cpr" or "__cpr" in lookup:
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in ("cpr_masked", "created_at", "updated_at")]
        if obj is not None:
            # Changing the number goes through the app's form; the admin never puts it in a page.
            fields = [("cpr_masked" if f == "cpr" else f) for f in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["cpr_masked", "created_at", "updated_at"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    @admin.display(description=_("CPR number"))
    def cpr_masked(self, obj):
        return obj.cpr_masked

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    def history_view(self, request, object_id, extra_context=None):
        # simple_history's diff would show the full number; the app's audit log masks it.
        from django.shortcuts import redirect

        return redirect(Citizen.objects.get(pk=object_id).get_absolute_url())


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


@admin.register(ActionPlan)
class ActionPlanAdmin(PrivateFilesAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "citizen", "municipality", "received_on"]
    list_filter = ["kind", "municipality"]
    list_select_related = ["citizen", "municipality"]
    raw_id_fields = ["citizen"]
    inlines = [GoalInline]


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "plan", "life_area", "status"]
    list_filter = ["life_area", "status"]
    list_select_related = ["plan__citizen", "life_area"]
    raw_id_fields = ["plan"]


@admin.register(Consent)
class ConsentAdmin(PrivateFilesAdminMixin, SimpleHistoryAdmin):
    list_display = ["citizen", "given_on", "expires_on", "withdrawn_on"]
    list_select_related = ["citizen"]
    raw_id_fields = ["citizen"]


@admin.register(CprAccess)
class CprAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "citizen", "purpose"]
    list_select_related = ["user", "citizen"]
    date_hierarchy = "at"


@admin.register(ErasureRequest)
class ErasureRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Requested and decided in the app (two administrators); the admin only shows them."""

    list_display = ["citizen", "requested_by", "requested_at", "decision", "decided_by", "decided_at"]
    list_select_related = ["citizen", "requested_by", "decided_by"]
