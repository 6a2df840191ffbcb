from django.urls import path

from agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("book/", views.booking_create, name="booking_create"),
    path("book/<int:pk>/", views.booking_edit, name="booking_edit"),
    path("book/<int:pk>/aflys/", views.booking_cancel, name="booking_cancel"),
    path("book/<int:pk>/log/", views.booking_log, name="booking_log"),
    path("team/", views.team_week, name="team_week"),
    path("kalender/", views.calendar_settings, name="calendar"),
    path("kalender/<str:token>.ics", views.feed, name="feed"),
    path("beskeder/", views.notifications, name="notifications"),
]
