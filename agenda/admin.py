from django.contrib import admin

from agenda.models import Booking, Notification


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["date", "start_time", "worker", "intervention", "place", "status"]
    list_filter = ["status", "place"]
    raw_id_fields = ["intervention", "worker", "visit", "created_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "text", "read_at"]
    list_filter = ["kind"]
    raw_id_fields = ["recipient"]
