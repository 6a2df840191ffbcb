"""Two-factor sign-in: a time-based code (TOTP, django-otp) from an authenticator app after the password.

Required for superusers and the roles in TWO_FACTOR_ROLES (administrators and team leads: they reach
every CPR number, invoicing or a team's caseload), for everyone with TWO_FACTOR_FOR_ALL, and for anyone
who set it up (offered to the others). `SecondFactorMiddleware` keeps a signed-in user who must give a
code on the code page (or enrolment, the first time) until the session is verified. Eight recovery codes
(django-otp's static device) stand in for a lost phone; an administrator can reset a user's second factor.
"""

import base64
import binascii
import logging
from urllib.parse import quote

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)

RECOVERY_CODES = 8
ISSUER = "Bostøtte"
# Whether this session must be verified with a code; decided at login (no query on later requests).
SESSION_KEY = "hf_second_factor_needed"
# The views a signed-in user reaches before giving the code: the code page, enrolment, logging out.
OPEN_VIEWS = {"twofactor_verify", "twofactor_enrol", "logout", "set_language", "health", "login"}


def required_for(user) -> bool:
    """The rule: who may not work without a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or settings.TWO_FACTOR_FOR_ALL:
        return True
    return any(user._in_group(role) for role in settings.TWO_FACTOR_ROLES)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_code(user) -> bool:
    return required_for(user) or has_second_factor(user)


def reset_failed_logins(request, user) -> None:
    """A login is complete: the user name's and address's failures are forgotten (django-axes). Done here, not
    by axes at the password, so a password alone does not wipe out the wrong codes guessed after it."""
    from axes.handlers.proxy import AxesProxyHandler

    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": user.get_username()})


@receiver(user_logged_in)
def _decide_at_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    needed = request.session[SESSION_KEY] = needs_code(user)
    if not needed:
        reset_failed_logins(request, user)


class SecondFactorMiddleware:
    """A signed-in user who must give a code reaches nothing but the code page (or enrolment) until the
    session is verified. After django_otp's OTPMiddleware (which marks a verified session) and the login
    check; the Django admin is held here too, and its site asks for a verified session as well."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_VIEWS and not match.namespace:
            return None
        needed = request.session.get(SESSION_KEY)
        if needed is None:  # a session from before this was deployed
            needed = request.session[SESSION_KEY] = needs_code(user)
        if not needed or user.is_verified():
            return None
        if has_second_factor(user):
            target = "twofactor_verify"
        elif required_for(user):
            target = "twofactor_enrol"
        else:  # offered only, and reset meanwhile: nothing to ask for
            request.session[SESSION_KEY] = False
            return None
        return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", None) and user.is_verified())


# --- enrolment ---------------------------------------------------------------------------------------


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment under way (its key stays the same while the page is reloaded)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=str(ISSUER), confirmed=False)
    return device


def base32_key(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def grouped_key(device: TOTPDevice) -> str:
    key = base32_key(device)
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def provisioning_uri(device: TOTPDevice) -> str:
    label = quote(f"{ISSUER}:{device.user.get_username()}")
    return (
        f"otpauth://totp/{label}?secret={base32_key(device)}&issuer={quote(ISSUER)}"
        f"&digits={device.digits}&period={device.step}"
    )


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The QR code as inline SVG (made here by segno, no image service; attributes only, no style, for the CSP)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(
        scale=5, border=2, title=title, svgclass="qr-code", lineclass=None
    )


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def confirm_enrolment(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a code from the app: it replaces any earlier one, and new recovery
    codes replace the old. Returns the recovery codes (shown once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    if device is None or not device.verify_token(code.strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    logger.info("Second factor set up for user %s", user.pk)
    return _new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    logger.info("New recovery codes made for user %s", user.pk)
    return _new_recovery_codes(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(user, code: str):
    """The confirmed device (the app's, or the recovery codes) that accepts `code`, or None. A used recovery
    code is used up; a TOTP code cannot be used twice."""
    code = code.strip().replace(" ", "")
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_is_allowed()[0] and device.verify_token(code):
                return device
    return None


@transaction.atomic
def reset_second_factor(*, user, by) -> int:
    """Remove every device of `user` (a lost phone): at the next login a required user enrols again."""
    deleted = 0
    for model in (TOTPDevice, StaticDevice):
        count, _rows = model.objects.filter(user=user).delete()
        deleted += count
    logger.info("Second factor of user %s reset by %s", user.pk, by.username if by is not None else "a command")
    return deleted


# --- the demo ----------------------------------------------------------------------------------------

# The demo's administrator and team lead share one fixed key, printed by seed_demo, so `make demo` and the
# production smoke test can sign in with a code computed from it (`manage.py demo_code`).
DEMO_TOTP_KEY = "BOSTOTTEDEMOBOSTOTTEDEMOBOSTOTTE"


def key_hex(base32: str) -> str:
    padded = base32.upper() + "=" * (-len(base32) % 8)
    try:
        return base64.b32decode(padded).hex()
    except binascii.Error as error:
        raise ValueError(f"not a base32 key: {base32!r}") from error


def give_demo_device(user) -> TOTPDevice:
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="Demo", defaults={"key": key_hex(DEMO_TOTP_KEY), "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def bench_device(user) -> TOTPDevice:
    """The user's confirmed device, or one made for `bench_pages` (a benchmark database, never production's)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
