"""Sign-ins for the audit trail; the rest of the trail is read from each app's history and access logs."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInEvent(models.Model):
    """A login or a failed login attempt: who got in, and who tried."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    # What was typed as the user name: a failed attempt may name nobody who exists.
    username = models.CharField(_("user name"), max_length=150)
    succeeded = models.BooleanField(_("succeeded"))
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")

    def __str__(self):
        return f"{self.username} ({self.at:%d.%m.%Y %H:%M})"
