"""The worker's day: planned visits (bookings), the calendar feed's secret, and notifications in the app."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from interventions.models import Intervention, Visit


class Booking(models.Model):
    """A visit planned with a citizen. Logging it makes a Visit; the booking then points at it."""

    class Place(models.TextChoices):
        HOME = "home", _("At home")
        SHELTER = "shelter", _("At the shelter")
        OUTSIDE = "outside", _("Outside")
        PHONE = "phone", _("By phone")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Logged")
        CANCELLED = "cancelled", _("Cancelled")

    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.PROTECT, related_name="bookings"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="bookings"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("expected length (minutes)"), default=60)
    place = models.CharField(_("place"), max_length=10, choices=Place.choices, default=Place.HOME)
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    visit = models.OneToOneField(
        Visit, verbose_name=_("logged visit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="booking"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("booked by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["date", "start_time", "pk"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="booking_duration_1_to_720_minutes",
                violation_error_message=_("A visit lasts from 1 to 720 minutes."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(visit__isnull=False),
                name="logged_booking_has_visit",
            ),
        ]
        indexes = [models.Index(fields=["worker", "status", "date"])]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.start_time:%H:%M} ({self.duration_minutes} min)"

    def get_absolute_url(self):
        return reverse("agenda:booking_edit", args=[self.pk])

    @property
    def ends_at_time(self) -> datetime.time:
        start = datetime.datetime.combine(self.date, self.start_time)
        return (start + datetime.timedelta(minutes=self.duration_minutes)).time()

    @property
    def visit_kind(self) -> str:
        """The kind of visit a booking at this place becomes when logged."""
        return {
            self.Place.HOME: Visit.Kind.HOME_VISIT,
            self.Place.SHELTER: Visit.Kind.SHELTER_MEETING,
            self.Place.OUTSIDE: Visit.Kind.ACCOMPANIMENT,
            self.Place.PHONE: Visit.Kind.PHONE,
        }[self.place]


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret in a worker's calendar URL. Renewing replaces it, so an old URL stops working at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("secret"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)


class Notification(models.Model):
    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("New citizen")
        BOOKING_MOVED = "booking_moved", _("Booking moved")
        BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
        CONSENT_EXPIRING = "consent_expiring", _("Consent expiring")
        FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Set for the kinds that must not repeat (one note per consent and day it expires).
    key = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~models.Q(key=""), name="one_notification_per_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.text
