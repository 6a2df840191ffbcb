"""Interventions (CTI, ICM, ACT) for a citizen, and the visits and calls logged against them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.models import Citizen, LifeArea
from housingfirst.models import Method, Municipality


class Intervention(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")

    class EndReason(models.TextChoices):
        GOALS_MET = "goals_met", _("Goals met")
        NEED_CHANGED = "need_changed", _("Marked change in need")
        CITIZEN_DECLINED = "citizen_declined", _("Citizen no longer wants support")
        MOVED_OUT = "moved_out", _("Citizen moved out")
        VIOLENCE = "violence", _("Violence or threats")
        METHOD_CHANGE = "method_change", _("Moved to another method")
        OTHER = "other", _("Other")

    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="interventions"
    )
    method = models.CharField(_("method"), max_length=3, choices=Method.choices, default=Method.CTI)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("support worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="caseload",
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coordinated_interventions",
    )
    start_date = models.DateField(_("start date"))
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(_("note on the ending"), blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("continues"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
        help_text=_("The intervention this one continues after a change of method (e.g. CTI → ICM)."),
    )
    # §85a: the citizen's own choice of worker and the municipality's answer.
    chosen_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("the citizen's choice of worker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    choice_accepted = models.BooleanField(_("municipality accepted the choice"), null=True, blank=True)
    choice_rejection_reason = models.TextField(_("the municipality's reason for not following it"), blank=True)
    employment_department = models.BooleanField(_("provider's employment department involved"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        permissions = [
            ("assign_worker", _("Can assign citizens to workers")),
            ("view_capacity", _("Can see the team's capacity board")),
            ("record_phase", _("Can record phases, pauses and endings")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen"],
                condition=~models.Q(status="ended"),
                name="one_open_intervention_per_citizen",
                violation_error_message=_("The citizen already has an intervention that has not ended."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="intervention_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ended") | (models.Q(end_date__isnull=False) & ~models.Q(end_reason="")),
                name="ended_intervention_has_date_and_reason",
            ),
        ]
        indexes = [models.Index(fields=["worker", "status"])]

    def __str__(self):
        return f"{self.get_method_display()}: {self.citizen}"

    def get_absolute_url(self):
        return reverse("interventions:detail", args=[self.pk])


class Visit(models.Model):
    """A visit or call: the documented hours that are invoiced to the paying municipality."""

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Home visit")
        PHONE = "phone", _("Phone call")
        SHELTER_MEETING = "shelter_meeting", _("Meeting at the shelter")
        ACCOMPANIMENT = "accompaniment", _("Accompaniment")
        NETWORK_MEETING = "network_meeting", _("Network meeting")
        ATTEMPTED_CONTACT = "attempted_contact", _("Attempted contact")

    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.PROTECT, related_name="visits"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="visits"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.HOME_VISIT)
    life_areas = models.ManyToManyField(LifeArea, verbose_name=_("life areas"), blank=True, related_name="visits")
    note = models.TextField(_("note"), blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[life_areas])

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=720),
                name="visit_duration_1_to_720_minutes",
                violation_error_message=_("A visit lasts from 1 to 720 minutes."),
            ),
        ]
        indexes = [models.Index(fields=["worker", "date"]), models.Index(fields=["intervention", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y} ({self.duration_minutes} min)"

    def get_absolute_url(self):
        return reverse("interventions:visit_detail", args=[self.pk])


class LockedMonth(models.Model):
    """A month whose billable visits for a paying municipality are invoiced and so frozen.

    Written by invoicing when it issues; read here so no visit can be added or changed in it.
    """

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    reference = models.CharField(_("reference"), max_length=50, blank=True, help_text=_("E.g. the invoice number."))

    class Meta:
        ordering = ["-month"]
        verbose_name = _("locked month")
        verbose_name_plural = _("locked months")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "month"], name="one_lock_per_municipality_month"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="locked_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.municipality} {self.month:%m.%Y}"
