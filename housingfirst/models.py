"""The organisation running the app: users, teams, the provider and the municipalities it serves."""

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housingfirst import roles
from housingfirst.validators import validate_cvr, validate_ean


class Method(models.TextChoices):
    """The three Housing First methods (DOMAIN.md, "The three methods")."""

    CTI = "CTI", _("CTI (Critical Time Intervention)")
    ICM = "ICM", _("ICM (Intensive Case Management)")
    ACT = "ACT", _("ACT (Assertive Community Treatment)")


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    act_cap = models.PositiveSmallIntegerField(
        _("ACT cap"), default=10, help_text=_("The most ACT citizens the team supports at once.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in: support worker, team lead or administrator (never a citizen)."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    qualified_cti = models.BooleanField(_("qualified for CTI"), default=False)
    qualified_icm = models.BooleanField(_("qualified for ICM"), default=False)
    qualified_act = models.BooleanField(_("qualified for ACT"), default=False)

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def _in_group(self, name: str) -> bool:
        # Cache the group names on the instance: navigation asks several times per request.
        if not hasattr(self, "_group_names"):
            self._group_names = set(self.groups.values_list("name", flat=True)) if self.pk else set()
        return name in self._group_names

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self._in_group(roles.ADMINISTRATOR)

    @property
    def is_team_lead(self) -> bool:
        return self._in_group(roles.TEAM_LEAD)

    @property
    def is_support_worker(self) -> bool:
        return self._in_group(roles.SUPPORT_WORKER)

    @property
    def is_workshop_leader(self) -> bool:
        return self._in_group(roles.WORKSHOP_LEADER)

    @property
    def sees_all_teams(self) -> bool:
        """Administrators work across teams; everyone else sees only their own team's citizens."""
        return self.is_administrator

    @property
    def role_label(self) -> str:
        if self.is_administrator:
            return str(_("Administrator"))
        if self.is_team_lead:
            return str(_("Team lead"))
        if self.is_support_worker:
            return str(_("Support worker"))
        if self.is_workshop_leader:
            return str(_("Workshop leader"))
        return ""

    @property
    def methods(self) -> list[str]:
        flags = {Method.CTI: self.qualified_cti, Method.ICM: self.qualified_icm, Method.ACT: self.qualified_act}
        return [method for method, qualified in flags.items() if qualified]

    def is_qualified_for(self, method: str) -> bool:
        return method in self.methods


class Municipality(models.Model):
    """One of the 98 Danish municipalities, with its official 3-digit code."""

    code = models.CharField(_("municipality code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    invoice_email = models.EmailField(
        _("invoice e-mail"), blank=True, help_text=_("Where invoices are sent by e-mail.")
    )
    # The buyer's legal identity on electronic invoices (Peppol: CVR as legal registration, scheme 0184).
    cvr = models.CharField(_("CVR number"), max_length=8, blank=True, validators=[validate_cvr])
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("municipality_detail", args=[self.pk])

    @property
    def default_ean(self):
        """The EAN invoices go to: the one marked default, else the first registered."""
        eans = list(self.eans.all())
        return next((e for e in eans if e.is_default), eans[0] if eans else None)


class MunicipalityEAN(models.Model):
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="eans"
    )
    ean = models.CharField(_("EAN number"), max_length=13, unique=True, validators=[validate_ean])
    label = models.CharField(
        _("department"), max_length=100, blank=True, help_text=_("E.g. Socialafdelingen, Voksenområdet.")
    )
    is_default = models.BooleanField(_("used for invoices"), default=False)

    class Meta:
        ordering = ["-is_default", "label", "ean"]
        verbose_name = _("EAN number")
        verbose_name_plural = _("EAN numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(is_default=True),
                name="one_default_ean_per_municipality",
            ),
            models.CheckConstraint(condition=models.Q(ean__regex=r"^[0-9]{13}$"), name="ean_is_13_digits"),
        ]

    def __str__(self):
        return f"{self.ean} ({self.label})" if self.label else self.ean


class Caseworker(models.Model):
    """A municipal caseworker (sagsbehandler): grants the support and writes the action plan."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.PROTECT, related_name="caseworkers"
    )
    name = models.CharField(_("name"), max_length=150)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("caseworker")
        verbose_name_plural = _("caseworkers")

    def __str__(self):
        return f"{self.name} ({self.municipality})"


class Provider(models.Model):
    """The organisation running this installation: a shelter or a municipality's own team.

    There is exactly one; `Provider.current()` returns it.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=150)
    address = models.CharField(_("address"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=4)
    city = models.CharField(_("city"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    cvr = models.CharField(_("CVR number"), max_length=8, validators=[validate_cvr])
    ean = models.CharField(_("EAN number"), max_length=13, validators=[validate_ean])
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_reg_number = models.CharField(_("bank registration number"), max_length=4, blank=True)
    bank_account_number = models.CharField(_("bank account number"), max_length=10, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(_("payment terms (days)"), default=30)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("own municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_(
            "Set only when the provider is a municipality's own team: it does not invoice itself, "
            "its own citizens' hours go into a monthly hours statement instead."
        ),
    )

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("provider")
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="provider_is_singleton")]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.select_related("municipality").first()

    @property
    def postal_address(self) -> str:
        return f"{self.address}, {self.postal_code} {self.city}"

    @property
    def bank_account(self) -> str:
        if self.bank_reg_number and self.bank_account_number:
            return f"{self.bank_reg_number} {self.bank_account_number}"
        return ""


def export_upload_to(instance, filename):
    # A random name keeps the title (which may name a citizen) out of the storage; the extension stays.
    suffix = Path(filename).suffix.lower()[:10]
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Export(models.Model):
    """A file made on the task queue for the one user who asked for it: a report, a list, a statement.

    The request only records what is wanted; a worker makes the file (`housingfirst.exports`), and the
    page polls until it is ready. Files hold personal data, so they are served only to their owner,
    checked against their SHA-256, and deleted after `EXPORT_KEEP_DAYS` (`manage.py prune_exports`).
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, default="da")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="exports"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # Whose personal data the file holds: each download is logged against these citizens.
    citizen_ids = models.JSONField(_("citizens"), default=list, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "-requested_at"]),
            models.Index(fields=["status", "finished_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(sha256=""), name="finished_export_has_hash"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("export_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class DailyJobRun(models.Model):
    """One daily job enqueued for one day (`manage.py run_daily`).

    The unique pair (job, day) is what makes the daily run safe on two machines at once: the second
    `run_daily` meets the first one's row and enqueues nothing. The row and the task commit together.
    """

    job = models.CharField(_("job"), max_length=200)
    day = models.DateField(_("day"))
    enqueued_at = models.DateTimeField(_("enqueued at"), default=timezone.now)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        ordering = ["-day", "job"]
        verbose_name = _("daily job run")
        verbose_name_plural = _("daily job runs")
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="one_daily_job_run_per_day")]

    def __str__(self):
        return f"{self.job} {self.day:%d.%m.%Y}"
