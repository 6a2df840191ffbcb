"""Writes to the audit trail. Only sign-ins are written here; every other entry is written by the service
that made the change (django-simple-history) or showed the number (CprAccess)."""

from django.contrib.auth import get_user_model

from audit.models import SignInEvent


def record_sign_in(sender, request, user, **kwargs):
    SignInEvent.objects.create(user=user, username=user.get_username()[:150], succeeded=True)


def record_failed_sign_in(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; only the user name is kept.
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first() if username else None
    SignInEvent.objects.create(user=user, username=username, succeeded=False)
