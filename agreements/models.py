"""§110 agreements (aftale om indsats efter Housing First-metoder) between provider and paying municipality."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from citizens.models import ActionPlan, Citizen
from housingfirst.models import Caseworker, Method, Municipality
from housingfirst.uploads import random_upload_name
from interventions.models import Intervention


def agreement_pdf_upload_to(instance, filename):
    return random_upload_name("agreements/issued", filename)


def signed_copy_upload_to(instance, filename):
    return random_upload_name("agreements/signed", filename)


class Agreement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued, awaiting signatures")
        SIGNED = "signed", _("Signed")
        ENDED = "ended", _("Ended")

    citizen = models.ForeignKey(Citizen, verbose_name=_("citizen"), on_delete=models.PROTECT, related_name="agreements")
    intervention = models.ForeignKey(
        Intervention, verbose_name=_("intervention"), on_delete=models.PROTECT, related_name="agreements"
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self", verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    method = models.CharField(_("method"), max_length=3, choices=Method.choices)
    start_date = models.DateField(_("start date"))
    follow_up_date = models.DateField(_("follow-up date"), null=True, blank=True)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=8, decimal_places=2, default=Decimal("450.00"))
    paying_municipality = models.ForeignKey(
        Municipality, verbose_name=_("paying municipality"), on_delete=models.PROTECT, related_name="+"
    )
    caseworker = models.ForeignKey(
        Caseworker, verbose_name=_("caseworker"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    employment_department = models.BooleanField(_("employment department involved"), default=False)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action_plan = models.ForeignKey(
        ActionPlan, verbose_name=_("action plan"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    pdf = models.FileField(_("issued PDF"), upload_to=agreement_pdf_upload_to, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256 of the issued PDF"), max_length=64, blank=True, editable=False)
    provider_signed_by = models.CharField(_("signed for the provider by"), max_length=150, blank=True)
    provider_signed_on = models.DateField(_("provider signed on"), null=True, blank=True)
    municipality_signed_by = models.CharField(_("signed for the municipality by"), max_length=150, blank=True)
    municipality_signed_on = models.DateField(_("municipality signed on"), null=True, blank=True)
    signed_copy = models.FileField(_("signed copy (PDF)"), upload_to=signed_copy_upload_to, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        permissions = [("issue_agreement", _("Can issue and sign agreements"))]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "version"], name="one_agreement_per_version"),
        ]

    def __str__(self):
        return _("Agreement v%(version)s for %(citizen)s") % {"version": self.version, "citizen": self.citizen}

    def get_absolute_url(self):
        return reverse("agreements:detail", args=[self.pk])
