from django.contrib import admin

from audit.models import SignInEvent
from housingfirst.admin import ReadOnlyAdminMixin


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "username", "user", "succeeded"]
    list_filter = ["succeeded"]
    list_select_related = ["user"]
    date_hierarchy = "at"
