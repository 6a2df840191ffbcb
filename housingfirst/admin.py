from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from django.utils.translation import gettext_lazy as _

from housingfirst import roles
from housingfirst.models import Caseworker, DailyJobRun, Export, Municipality, MunicipalityEAN, Provider, Team, User
from housingfirst.twofactor import is_verified


def _operator_only(request) -> bool:
    """The Django admin is the operator's tool, not a user's: it sees every team and skips the app's
    services, audit and masking. Only superusers reach it, with a session verified by their second
    factor (housingfirst/twofactor.py); administrators do their work in the app."""
    user = request.user
    return user.is_active and user.is_superuser and is_verified(user)


admin.site.has_permission = _operator_only


class ReadOnlyAdminMixin:
    """For records that change only through the app's services (so their rules and audit apply):
    the admin may list and show them, never add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PrivateFilesAdminMixin:
    """Uploaded PDFs have no public URL (MEDIA_URL is None on purpose): the app's pages serve them through
    a permission check that logs the view. The admin offers a plain file input to replace one, and where a
    file field is read-only (a view-only page) it shows the stored name instead of Django's link, whose
    URL cannot be built (a 500 before)."""

    formfield_overrides = {models.FileField: {"widget": forms.FileInput(attrs={"accept": "application/pdf,.pdf"})}}

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.private_files = {}
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                shown = f"{field.name}_stored_name"
                setattr(self, shown, self._stored_name(field))
                self.private_files[field.name] = shown

    @staticmethod
    def _stored_name(field):
        def stored_name(obj):
            return getattr(obj, field.name).name or ""

        stored_name.short_description = field.verbose_name
        return stored_name

    def _shown(self, names, read_only):
        return [self.private_files.get(name, name) if name in read_only else name for name in names]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [self.private_files.get(name, name) for name in fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return self._shown(fields, set(self.private_files))  # the whole page is read-only
        return self._shown(fields, set(super().get_readonly_fields(request, obj)))


class UserChangeForm(DjangoUserAdmin.form):
    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        methods = [cleaned.get(name) for name in ("qualified_cti", "qualified_icm", "qualified_act")]
        if groups is not None and groups.filter(name=roles.SUPPORT_WORKER).exists() and not any(methods):
            # A support worker with no method could never be assigned a citizen.
            self.add_error(
                "qualified_cti", _("A support worker is qualified for at least one method: CTI, ICM or ACT.")
            )
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    list_display = ["username", "first_name", "last_name", "team", "qualified_cti", "qualified_icm", "qualified_act"]
    list_filter = ["team", "groups", "is_active", "qualified_cti", "qualified_icm", "qualified_act"]
    list_select_related = ["team"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Team and methods"), {"fields": ["team", "phone", "qualified_cti", "qualified_icm", "qualified_act"]}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "act_cap"]


class MunicipalityEANInline(admin.TabularInline):
    model = MunicipalityEAN
    extra = 0


class CaseworkerInline(admin.TabularInline):
    model = Caseworker
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "invoice_email"]
    search_fields = ["name", "code"]
    inlines = [MunicipalityEANInline, CaseworkerInline]


@admin.register(Caseworker)
class CaseworkerAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "phone", "email", "active"]
    list_filter = ["active", "municipality"]
    search_fields = ["name", "email"]
    list_select_related = ["municipality"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "cvr", "ean"]

    def has_add_permission(self, request):
        return not Provider.objects.exists()


@admin.register(Export)
class ExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Exports may hold personal data: the operator sees who asked for what and how it went, never the file."""

    list_display = ["title", "kind", "requested_by", "requested_at", "status", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by"]
    exclude = ["file", "params", "citizen_ids"]


@admin.register(DailyJobRun)
class DailyJobRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which daily job was enqueued for which day (written by `run_daily` only)."""

    list_display = ["day", "job", "enqueued_at", "task_id"]
    list_filter = ["job"]
    date_hierarchy = "day"
