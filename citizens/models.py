"""Citizens (borgere), their §141/§142 action plans with goals by life area, and consents."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.cpr import mask_cpr, validate_cpr
from citizens.crypto import EncryptedCprField
from citizens.names import fold_name
from housingfirst.models import Caseworker, Municipality, Team
from housingfirst.uploads import random_upload_name, validate_uploaded_pdf


def plan_upload_to(instance, filename):
    return random_upload_name("plans", filename)


def consent_upload_to(instance, filename):
    return random_upload_name("consents", filename)


class LifeArea(models.Model):
    """A life area (livsområde) that plan goals and visits are tagged with; the provider edits the list."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("life area")
        verbose_name_plural = _("life areas")

    def __str__(self):
        return self.name


class SearchNameField(models.CharField):
    """The folded "first last" (citizens/names.py), computed from the names on every save and in
    `bulk_create` (both call `pre_save`), so no path that writes a citizen leaves it stale."""

    def pre_save(self, model_instance, add):
        value = fold_name(f"{model_instance.first_name} {model_instance.last_name}")
        setattr(model_instance, self.attname, value)
        return value


class Citizen(models.Model):
    class Status(models.TextChoices):
        MOVING_OUT = "moving_out", _("Moving out of the shelter")
        SUPPORTED = "supported", _("Receiving support")
        ENDED = "ended", _("Support ended")

    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    search_name = SearchNameField(_("name for search"), max_length=201, editable=False, default="")
    # Encrypted at rest (citizens/crypto.py); reads and writes as ten digits. The two columns after it are
    # filled from it on every save: the blind index that keeps numbers unique, and the birth date that
    # lists and the masked form show without decrypting.
    cpr = EncryptedCprField(_("CPR number"), validators=[validate_cpr])
    cpr_hash = models.CharField(
        _("CPR blind index"),
        max_length=64,
        unique=True,
        editable=False,
        error_messages={"unique": _("A citizen with this CPR number is already registered.")},
    )
    birth_date = models.DateField(_("birth date"), null=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address of the new home"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    move_in_date = models.DateField(_("move-in date"), null=True, blank=True)
    shelter_stay_from = models.DateField(_("shelter stay from"), null=True, blank=True)
    shelter_stay_to = models.DateField(_("shelter stay to"), null=True, blank=True)
    paying_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("paying municipality"),
        on_delete=models.PROTECT,
        related_name="paying_for_citizens",
    )
    acting_municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("acting municipality"),
        on_delete=models.PROTECT,
        related_name="acting_for_citizens",
    )
    caseworker = models.ForeignKey(
        Caseworker,
        verbose_name=_("municipal caseworker"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="citizens",
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="citizens")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.MOVING_OUT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Set when the retention period ran out or an erasure was approved (citizens/erasure.py).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        permissions = [
            ("view_full_cpr", _("Can see full CPR numbers")),
            ("view_auditlog", _("Can see the audit log")),
            ("export_personal_data", _("Can make a citizen's access export (GDPR art. 15)")),
            ("export_citizen_list", _("Can export the citizen list")),
        ]
        indexes = [models.Index(fields=["team", "status"]), models.Index(fields=["last_name", "first_name"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shelter_stay_to__isnull=True)
                | models.Q(shelter_stay_from__isnull=True)
                | models.Q(shelter_stay_to__gte=models.F("shelter_stay_from")),
                name="shelter_stay_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None and "cpr" in update_fields:
            update_fields = {*update_fields, "cpr_hash", "birth_date"}
        if update_fields is not None and {"first_name", "last_name"} & set(update_fields):
            update_fields = {*update_fields, "search_name"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def get_absolute_url(self):
        return reverse("citizens:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def cpr_masked(self) -> str:
        """DDMMYY-XXXX from the stored birth date, so lists never decrypt."""
        if self.birth_date is not None and "cpr" not in self.__dict__:
            return f"{self.birth_date:%d%m%y}-XXXX"
        return mask_cpr(self.cpr)


class ErasureRequest(models.Model):
    """An administrator's request to anonymise a citizen before the retention period ends.

    A second administrator decides; the database refuses a decision by the one who asked.
    """

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    citizen = models.ForeignKey(
        Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="erasure_requests"
    )
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        permissions = [("decide_erasure", _("Can request and decide the erasure of a citizen"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True) | ~models.Q(decided_by=models.F("requested_by")),
                name="erasure_decided_by_another",
                violation_error_message=_("Another administrator must decide an erasure you asked for."),
            ),
            models.CheckConstraint(
                condition=models.Q(decision="", decided_by__isnull=True, decided_at__isnull=True)
                | (~models.Q(decision="") & models.Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="erasure_decision_has_who_and_when",
            ),
            models.UniqueConstraint(
                fields=["citizen"],
                condition=models.Q(decision=""),
                name="one_open_erasure_request_per_citizen",
                violation_error_message=_("An erasure of this citizen is already waiting for a decision."),
            ),
        ]

    def __str__(self):
        return f"{self.citizen} ({self.requested_at:%d.%m.%Y})"


class CprAccess(models.Model):
    """Every time someone is shown a full CPR number: who, when, which citizen."""

    citizen = models.ForeignKey(Citizen, on_delete=models.CASCADE, related_name="cpr_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), default=timezone.now)
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("CPR view")
        verbose_name_plural = _("CPR views")

    def __str__(self):
        return f"{self.user} → {self.citizen} ({self.at:%d.%m.%Y %H:%M})"


class ActionPlan(models.Model):
    """The municipality's action plan (handleplan): the basis of the support and of any agreement."""

    class Kind(models.TextChoices):
        SEL_141 = "141", _("§141 action plan")
        SEL_142 = "142", _("§142 action plan")

    citizen = models.ForeignKey(Citizen, verbose_name=_("citizen"), on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("type"), max_length=3, choices=Kind.choices, default=Kind.SEL_142)
    received_on = models.DateField(_("received on"))
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("issuing municipality"), on_delete=models.PROTECT, related_name="+"
    )
    caseworker = models.ForeignKey(
        Caseworker, verbose_name=_("caseworker"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.FileField(
        _("document (PDF)"), upload_to=plan_upload_to, blank=True, validators=[validate_uploaded_pdf]
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        get_latest_by = ["received_on", "pk"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.received_on:%d.%m.%Y})"

    def get_absolute_url(self):
        return reverse("citizens:plan_detail", args=[self.citizen_id, self.pk])


class Goal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    plan = models.ForeignKey(ActionPlan, verbose_name=_("action plan"), on_delete=models.CASCADE, related_name="goals")
    life_area = models.ForeignKey(LifeArea, verbose_name=_("life area"), on_delete=models.PROTECT, related_name="goals")
    description = models.TextField(_("goal"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)

    history = HistoricalRecords()

    class Meta:
        ordering = ["life_area__position", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self):
        return f"{self.life_area}: {self.description[:60]}"


class Consent(models.Model):
    """The citizen's consent (samtykke) to obtain and share information."""

    citizen = models.ForeignKey(Citizen, verbose_name=_("citizen"), on_delete=models.CASCADE, related_name="consents")
    covers = models.TextField(_("what it covers"))
    obtain_from = models.TextField(
        _("may be obtained from"), blank=True, help_text=_("E.g. jobcenter, GP, psychiatry, the housing association.")
    )
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    document = models.FileField(
        _("signed document (PDF)"), upload_to=consent_upload_to, blank=True, validators=[validate_uploaded_pdf]
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=models.F("given_on")),
                name="consent_expires_after_given",
            )
        ]

    def __str__(self):
        return f"{self.covers[:60]} ({self.given_on:%d.%m.%Y})"

    def clean(self):
        """The date rules, here so the app's form and the Django admin both keep them."""
        errors = {}
        given, expires, withdrawn = self.given_on, self.expires_on, self.withdrawn_on
        if given and given > timezone.localdate():
            errors["given_on"] = _("A consent cannot be given in the future; record it when it is signed.")
        if given and expires and expires < given:
            errors["expires_on"] = _("A consent cannot expire before it is given.")
        if given and withdrawn and withdrawn < given:
            errors["withdrawn_on"] = _("A consent cannot be withdrawn before it is given.")
        if errors:
            raise ValidationError(errors)

    def is_expired(self, on=None) -> bool:
        on = on or timezone.localdate()
        return bool(self.withdrawn_on and self.withdrawn_on <= on) or bool(self.expires_on and self.expires_on < on)
