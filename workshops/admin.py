from django.contrib import admin

from housingfirst.admin import ReadOnlyAdminMixin
from workshops.models import LabourMarketContributionRate, WorkBonusMonth, WorkBonusRate, Workshop, WorkshopHours


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["name", "leader", "active"]
    # Participants are chosen on the workshop's page in the app; the admin shows no citizens.
    exclude = ["participants"]


@admin.register(WorkshopHours)
class WorkshopHoursAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: hours are logged on the attendance list, which refuses a paid month."""

    list_display = ["workshop", "date", "hours", "bonus_month", "is_correction"]
    list_filter = ["workshop", "bonus_month", "is_correction"]
    exclude = ["citizen"]


@admin.register(WorkBonusRate)
class WorkBonusRateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a rate is added on the rates page, which refuses one that reaches a paid month."""

    list_display = ["valid_from", "hourly_rate", "note"]


@admin.register(LabourMarketContributionRate)
class LabourMarketContributionRateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["valid_from", "percent", "note"]


@admin.register(WorkBonusMonth)
class WorkBonusMonthAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: a month is paid on the work-bonus page."""

    list_display = ["month", "paid_at", "paid_by", "citizens", "total_gross", "total_contribution"]
