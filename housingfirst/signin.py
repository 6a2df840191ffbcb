"""Sign-in hardening: login throttling with django-axes (see settings.py, "Login throttling")."""

import logging

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class LockoutBackend(AxesStandaloneBackend):
    """Refuses a locked-out user name or address before any password is checked.

    Without a request (the test client's login(), a management command, the shell) nobody can be
    guessing over HTTP, and django-axes would raise; there the lockout check is skipped and the next
    backend decides, as it always does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str:
    """The client's address: with PROXY_COUNT proxies in front, the one the outermost proxy saw."""
    proxies = settings.LOGIN_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def retry_at():
    return timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)


def lockout_message() -> str:
    return _(
        "Too many failed logins for this user name or from this address. Try again at %(time)s, "
        "or ask an administrator to lift the lockout."
    ) % {"time": date_format(retry_at(), "H:i")}


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, with the lockout message instead of a bare 429 page (app and admin login)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    return render(
        request,
        "registration/login.html",
        {"form": form, "lockout_message": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )


def active_lockouts():
    """Attempts that have reached the limit and whose cool-off has not yet run out, newest first."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


@transaction.atomic
def lift_lockout(*, attempt_id: int, by) -> AccessAttempt | None:
    attempt = AccessAttempt.objects.select_for_update().filter(pk=attempt_id).first()
    if attempt is None:
        return None
    logger.info(
        "Login lockout lifted for user name %r, address %s by %s", attempt.username, attempt.ip_address, by.username
    )
    attempt.delete()
    return attempt
