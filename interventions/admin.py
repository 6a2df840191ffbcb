from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from housingfirst.admin import ReadOnlyAdminMixin
from interventions.models import (
    HousingStatus,
    Intervention,
    LockedMonth,
    Pause,
    PhaseTemplate,
    PhaseTransition,
    SupervisionMeeting,
    Visit,
)


@admin.register(PhaseTemplate)
class PhaseTemplateAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "contact_period_weeks", "phase_1_months", "phase_2_months", "phase_3_months"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not PhaseTemplate.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Intervention)
class InterventionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: interventions change through the app's forms, so the caps and rules always apply."""

    list_display = ["citizen", "method", "worker", "status", "start_date", "end_date"]
    list_filter = ["method", "status", "citizen__team"]
    list_select_related = ["citizen", "worker"]
    search_fields = ["citizen__first_name", "citizen__last_name"]


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["date", "start_time", "intervention", "worker", "kind", "duration_minutes", "billable"]
    list_filter = ["kind", "billable"]
    list_select_related = ["intervention__citizen", "worker"]
    date_hierarchy = "date"


@admin.register(LockedMonth)
class LockedMonthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["municipality", "month", "reference", "locked_at"]


@admin.register(PhaseTransition)
class PhaseTransitionAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["intervention", "phase", "date", "recorded_by"]
    list_filter = ["phase"]
    list_select_related = ["intervention__citizen", "recorded_by"]


@admin.register(Pause)
class PauseAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["intervention", "reason", "from_date", "to_date", "recorded_by"]
    list_filter = ["reason"]
    list_select_related = ["intervention__citizen", "recorded_by"]


@admin.register(SupervisionMeeting)
class SupervisionMeetingAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):  # recorded through the service
    list_display = ["date", "kind", "team"]
    list_filter = ["kind", "team"]
    filter_horizontal = ["participants"]
    date_hierarchy = "date"


@admin.register(HousingStatus)
class HousingStatusAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):  # recorded through the service
    list_display = ["intervention", "checkpoint", "status", "recorded_at"]
    list_filter = ["checkpoint", "status"]
    raw_id_fields = ["intervention"]
