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


class AgreementText(models.Model):
    """The provider's standard text printed in every agreement, kept in versions.

    There is one provider per installation (`Provider.current()`), so the texts are that provider's.
    Saving an edit makes a new version and leaves the old one untouched: an issued agreement points
    at the version it was issued with, so its wording can always be shown again.

    `sections` is a list of {"key", "heading", "body"}; in a body, a blank line starts a new paragraph
    and a line starting with "- " is a bullet.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    sections = models.JSONField(_("sections"), default=list)
    is_current = models.BooleanField(_("current"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("agreement standard text")
        verbose_name_plural = _("agreement standard texts")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="one_current_agreement_text"
            )
        ]

    def __str__(self):
        return _("Standard text, version %(version)s") % {"version": self.version}

    @classmethod
    def current(cls):
        return cls.objects.filter(is_current=True).first()

    def rendered_sections(self) -> list[dict]:
        """Sections with their body split into blocks: {"kind": "p" | "ul", "text" | "items"}."""
        return [{**section, "blocks": text_blocks(section.get("body", ""))} for section in self.sections]


def text_blocks(body: str) -> list[dict]:
    blocks = []
    for chunk in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            blocks.append({"kind": "ul", "items": [line[2:].strip() for line in lines]})
        else:
            blocks.append({"kind": "p", "text": " ".join(lines)})
    return blocks


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
    text = models.ForeignKey(
        AgreementText,
        verbose_name=_("standard text"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
        help_text=_("The version of the standard text the agreement was issued with."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        permissions = [("issue_agreement", _("Can issue and sign agreements"))]
        constraints = [
            models.UniqueConstraint(fields=["intervention", "version"], name="one_agreement_per_version"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(issued_at__isnull=False, text__isnull=False),
                name="issued_agreement_has_time_and_text",
            ),
        ]
        indexes = [models.Index(fields=["status", "issued_at"])]

    def __str__(self):
        return _("Agreement v%(version)s for %(citizen)s") % {"version": self.version, "citizen": self.citizen}

    def get_absolute_url(self):
        return reverse("agreements:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_current_version(self) -> bool:
        """False once a newer version replaces it (needs `next_version` fetched to avoid a query)."""
        try:
            return self.next_version is None
        except Agreement.next_version.RelatedObjectDoesNotExist:
            return True
