from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agreements.models import Agreement, AgreementText
from housingfirst.admin import ReadOnlyAdminMixin


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Read-only: the life cycle (issue, signatures, new versions) runs through the agreement pages.

    The issued PDF and the signed copy are left out: they are served only through the permission-checked
    downloads (which log the full CPR view), never through a link here.
    """

    list_display = ["citizen", "version", "status", "method", "paying_municipality", "issued_at"]
    list_filter = ["status", "method", "paying_municipality"]
    list_select_related = ["citizen", "paying_municipality"]
    search_fields = ["citizen__first_name", "citizen__last_name"]
    exclude = ["pdf", "signed_copy"]

    def history_view(self, request, object_id, extra_context=None):
        # The agreement page shows its own timeline of who did what.
        from django.shortcuts import redirect

        return redirect(Agreement.objects.get(pk=object_id).get_absolute_url())


@admin.register(AgreementText)
class AgreementTextAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: an edit on the standard-text page makes a new version and leaves this one as it was."""

    list_display = ["version", "is_current", "created_at", "created_by"]
    readonly_fields = ["section_headings"]

    @admin.display(description=_("sections"))
    def section_headings(self, obj):
        return ", ".join(section.get("heading", "") for section in obj.sections)
