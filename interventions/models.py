"""Interventions (CTI, ICM, ACT) for a citizen, and the visits and calls logged against them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.models import Citizen, LifeArea
from housingfirst.models import Method, Municipality, Team


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
        indexes = [
            models.Index(fields=["worker", "date"]),
            models.Index(fields=["intervention", "date"]),
            # The month's billable visits across all interventions (the invoicing month's preview and
            # its issue): without it each reads every visit ever logged.
            models.Index(fields=["date"], name="visit_date_idx"),
        ]

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


class Phase(models.TextChoices):
    """The stages of a CTI course, in order."""

    CONTACT = "contact", _("Contact period")
    PHASE_1 = "1", _("Phase 1")
    PHASE_2 = "2", _("Phase 2")
    PHASE_3 = "3", _("Phase 3")


class PhaseTemplate(models.Model):
    """The provider's CTI template: how long the contact period and each phase last.

    There is one row (`PhaseTemplate.current()` creates it with the defaults).

    Decision: the contact period lies *inside* the nine months, at the start of phase 1. The phase
    boundaries are calendar months from the start date (start + 3, + 6, + 9 months with the default),
    and the contact period ends `contact_period_weeks` after the start. So the whole course keeps the
    "up to nine months in all" of the shelter's agreement form, and phase 1 still has its three months
    counted from the move.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    contact_period_weeks = models.PositiveSmallIntegerField(_("contact period (weeks)"), default=2)
    phase_1_months = models.PositiveSmallIntegerField(_("phase 1 (months)"), default=3)
    phase_2_months = models.PositiveSmallIntegerField(_("phase 2 (months)"), default=3)
    phase_3_months = models.PositiveSmallIntegerField(_("phase 3 (months)"), default=3)
    icm_follow_up_months = models.PositiveSmallIntegerField(
        _("ICM follow-up every (months)"), default=3, help_text=_("How often an ICM course is followed up.")
    )
    # The contact rhythm the method expects (DOMAIN.md, "Method fidelity"): intensity falls phase by phase.
    contact_every_days_phase_1 = models.PositiveSmallIntegerField(
        _("contact at least every (days), phase 1"),
        default=7,
        help_text=_("Also in the contact period. The CTI model expects weekly contact."),
    )
    contact_every_days_phase_2 = models.PositiveSmallIntegerField(
        _("contact at least every (days), phase 2"), default=14, help_text=_("The CTI model expects every two weeks.")
    )
    contact_every_days_phase_3 = models.PositiveSmallIntegerField(
        _("contact at least every (days), phase 3"), default=30, help_text=_("The CTI model expects monthly contact.")
    )
    icm_contact_every_days = models.PositiveSmallIntegerField(_("ICM: contact at least every (days)"), default=14)
    act_contact_every_days = models.PositiveSmallIntegerField(_("ACT: contact at least every (days)"), default=7)
    supervision_every_days = models.PositiveSmallIntegerField(
        _("method supervision at least every (days)"),
        default=14,
        help_text=_("How often each worker is expected to take part in method supervision."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phase template")
        verbose_name_plural = _("phase template")
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=True), name="phase_template_is_singleton"),
            models.CheckConstraint(
                condition=models.Q(phase_1_months__gte=1, phase_2_months__gte=1, phase_3_months__gte=1),
                name="phase_template_phases_at_least_one_month",
            ),
            models.CheckConstraint(condition=models.Q(icm_follow_up_months__gte=1), name="icm_follow_up_at_least_1"),
            models.CheckConstraint(
                condition=models.Q(
                    contact_every_days_phase_1__gte=1,
                    contact_every_days_phase_2__gte=1,
                    contact_every_days_phase_3__gte=1,
                    icm_contact_every_days__gte=1,
                    act_contact_every_days__gte=1,
                ),
                name="phase_template_contact_rhythm_at_least_one_day",
            ),
        ]

    def __str__(self):
        return str(_("CTI phase template"))

    def clean(self):
        """The method's intensity falls from phase to phase: a later phase may not expect closer contact."""
        super().clean()
        errors = {}
        one, two, three = (
            self.contact_every_days_phase_1,
            self.contact_every_days_phase_2,
            self.contact_every_days_phase_3,
        )
        if one and two and two < one:
            errors["contact_every_days_phase_2"] = _(
                "Phase 2 cannot expect closer contact than phase 1: the intensity falls from phase to phase."
            )
        if two and three and three < two:
            errors["contact_every_days_phase_3"] = _(
                "Phase 3 cannot expect closer contact than phase 2: the intensity falls from phase to phase."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def current(cls) -> "PhaseTemplate":
        template, _created = cls.objects.get_or_create(singleton=True)
        return template

    @property
    def total_months(self) -> int:
        return self.phase_1_months + self.phase_2_months + self.phase_3_months


class PhaseTransition(models.Model):
    """The day a CTI course actually moved into a phase, as the worker recorded it."""

    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="transitions"
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("phase transition")
        verbose_name_plural = _("phase transitions")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "phase"],
                name="one_transition_per_phase",
                violation_error_message=_("This phase is already recorded."),
            )
        ]

    def __str__(self):
        return f"{self.get_phase_display()} {self.date:%d.%m.%Y}"


class Pause(models.Model):
    """A break in the course: a return to the shelter, a hospital admission or prison.

    While a pause runs the intervention is paused; afterwards every later planned phase date moves
    by the pause's length in days.
    """

    class Reason(models.TextChoices):
        SHELTER = "shelter", _("Temporary return to the shelter")
        HOSPITAL = "hospital", _("Hospital admission")
        PRISON = "prison", _("Prison")
        OTHER = "other", _("Other")

    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="pauses"
    )
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True, help_text=_("Leave empty while the pause lasts."))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # The agreement form: a return to the shelter is agreed with the municipality and then billed at the
    # shelter's day rate. Until it is agreed its days are not invoiced.
    agreed_on = models.DateField(_("agreed with the municipality on"), null=True, blank=True)
    agreed_caseworker = models.CharField(_("agreed with (caseworker)"), max_length=150, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreement recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["from_date", "pk"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_date__isnull=True) | models.Q(to_date__gte=models.F("from_date")),
                name="pause_ends_after_start",
                violation_error_message=_("A pause cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["intervention"],
                condition=models.Q(to_date__isnull=True),
                name="one_running_pause_per_intervention",
                violation_error_message=_("The intervention is already paused."),
            ),
            models.CheckConstraint(
                condition=models.Q(agreed_on__isnull=True, agreed_caseworker="")
                | models.Q(reason="shelter", agreed_on__isnull=False) & ~models.Q(agreed_caseworker=""),
                name="only_a_shelter_return_is_agreed_with_date_and_caseworker",
                violation_error_message=_("Only a return to the shelter is agreed, with a date and a caseworker."),
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} {self.from_date:%d.%m.%Y}"

    @property
    def is_agreed_shelter_return(self) -> bool:
        return self.reason == self.Reason.SHELTER and self.agreed_on is not None

    def shelter_nights(self, first: datetime.date, following: datetime.date) -> tuple[datetime.date, int]:
        """(first night, count) of the nights spent at the shelter in [first, following).

        A night is counted on the day it begins: a stay from the 30th to a return on the 4th is the
        30th, 31st, 1st, 2nd and 3rd, five nights (the pause's length in days). A stay still running
        counts up to `following`."""
        start = max(self.from_date, first)
        end = min(self.to_date or following, following)
        return start, max((end - start).days, 0)

    def length_days(self, today) -> int:
        """Days the course stood still; a running pause counts up to today."""
        return pause_length_days(self.from_date, self.to_date, today)


def pause_length_days(from_date: datetime.date, to_date: datetime.date | None, today: datetime.date) -> int:
    """A pause's length in days (the one rule, for a pause and for fidelity's plain pause rows)."""
    return ((to_date or max(today, from_date)) - from_date).days


class SupervisionMeeting(models.Model):
    """Method supervision or a team meeting: fidelity counts who took part against the expected rhythm."""

    class Kind(models.TextChoices):
        SUPERVISION = "supervision", _("Method supervision")
        TEAM_MEETING = "team_meeting", _("Team meeting")

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUPERVISION)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("who took part"), related_name="meetings_attended"
    )
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("supervision or team meeting")
        verbose_name_plural = _("supervision and team meetings")
        indexes = [models.Index(fields=["team", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}"


class HousingStatus(models.Model):
    """Where the citizen lives at the end of a CTI course and 3 and 12 months after: the outcome."""

    class Checkpoint(models.TextChoices):
        END = "end", _("At the end of the course")
        MONTHS_3 = "3m", _("3 months after the end")
        MONTHS_12 = "12m", _("12 months after the end")

    class Status(models.TextChoices):
        OWN_HOME_KEPT = "own_home_kept", _("Kept the own home")
        OTHER_OWN_HOME = "other_own_home", _("Moved to another own home")
        SHELTER = "shelter", _("Back at a shelter (§110)")
        HOSPITAL = "hospital", _("Hospital")
        PRISON = "prison", _("Prison")
        INSTITUTION = "institution", _("Institution")
        HOMELESS = "homeless", _("Homeless")
        UNKNOWN = "unknown", _("Unknown")

    OWN_HOME = (Status.OWN_HOME_KEPT, Status.OTHER_OWN_HOME)

    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.CASCADE, related_name="housing_statuses"
    )
    checkpoint = models.CharField(_("when"), max_length=3, choices=Checkpoint.choices)
    status = models.CharField(_("housing status"), max_length=20, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["intervention", "checkpoint"]
        verbose_name = _("housing status")
        verbose_name_plural = _("housing statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "checkpoint"],
                name="one_housing_status_per_checkpoint",
                violation_error_message=_("The housing status is already recorded for this time."),
            )
        ]

    def __str__(self):
        return f"{self.get_checkpoint_display()}: {self.get_status_display()}"
