"""Two-factor sign-in: required for administrators, team leads and superusers, offered to support workers,
enrolment with a QR code and recovery codes, wrong codes locked out like wrong passwords, reset by an
administrator, the Django admin behind it too."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from housingfirst import twofactor
from tests.conftest import logged_in
from tests.factories import AdministratorFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db


def password_only(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def code_for(device: TOTPDevice, *, ahead: int = 0) -> str:
    """The code the app shows now (or `ahead` steps later: a code is taken only once)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + ahead * device.step
    return f"{totp.token():06d}"


def unthrottle(device: TOTPDevice) -> None:
    """django-otp slows repeated failures down (1 s, 2 s, 4 s, ...); the test does not wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def enrol(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("twofactor_enrol"))
    device = TOTPDevice.objects.get(confirmed=False)
    done = client.post(reverse("twofactor_enrol"), {"code": code_for(device)})
    codes = re.findall(r"<span class=\"border rounded px-2 py-1 d-inline-block\">(\w+)</span>", done.content.decode())
    assert page.status_code == 200 and done.status_code == 200
    return device, codes


def test_an_administrator_with_only_a_password_is_sent_to_enrolment_and_reaches_nothing(client, administrator):
    password_only(client, administrator)

    for path in ["/", reverse("citizens:list"), reverse("invoicing:month"), "/admin/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("twofactor_enrol") + "?next="), path


def test_enrolment_shows_a_qr_code_and_the_key_and_confirming_gives_eight_recovery_codes(client, administrator):
    password_only(client, administrator)

    page = client.get(reverse("twofactor_enrol") + "?next=/borgere/")
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)
    assert "Opsæt totrinsbekræftelse" in html
    assert '<svg width="' in html and 'class="qr-code"' in html  # inline, made here: no image service
    assert twofactor.grouped_key(device) in html
    assert " style=" not in html.split("<main", 1)[1]  # nothing the CSP would refuse

    wrong = client.post(reverse("twofactor_enrol"), {"code": "000000", "next": "/borgere/"})
    assert "Koden er ikke rigtig" in wrong.content.decode()
    unthrottle(device)
    done = client.post(reverse("twofactor_enrol"), {"code": code_for(device), "next": "/borgere/"})

    html = done.content.decode()
    assert "Totrinsbekræftelse er sat op" in html and "Dine gendannelseskoder" in html
    codes = re.findall(r'd-inline-block">(\w+)</span>', html)
    assert len(codes) == 8 and len(set(codes)) == 8
    assert 'href="/borgere/"' in html
    assert client.get(reverse("citizens:list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=administrator).count() == 8


def test_a_team_lead_with_an_app_gives_the_code_after_the_password(client, team_lead):
    device = TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)
    password_only(client, team_lead)

    sent = client.get(reverse("citizens:list"))
    assert sent["Location"] == reverse("twofactor_verify") + "?next=/borgere/"
    page = client.get(sent["Location"])
    assert "Kode fra din godkendelses-app" in page.content.decode()
    wrong = client.post(reverse("twofactor_verify"), {"code": "123456", "next": "/borgere/"})
    assert "Koden er ikke rigtig" in wrong.content.decode()
    unthrottle(device)
    right = client.post(reverse("twofactor_verify"), {"code": code_for(device), "next": "/borgere/"})

    assert right.status_code == 302 and right["Location"] == "/borgere/"
    assert client.get(reverse("citizens:list")).status_code == 200


def test_a_recovery_code_logs_in_once(client, administrator):
    password_only(client, administrator)
    _device, codes = enrol(client)
    client.post(reverse("logout"))

    password_only(client, administrator)
    used = client.post(reverse("twofactor_verify"), {"code": codes[0]}, follow=True)
    assert "Du brugte en gendannelseskode; 7 er tilbage" in used.content.decode()
    client.post(reverse("logout"))
    password_only(client, administrator)
    again = client.post(reverse("twofactor_verify"), {"code": codes[0]})
    assert "Koden er ikke rigtig" in again.content.decode()


def test_wrong_codes_count_like_wrong_passwords_and_lock_out(client, team_lead, settings):
    settings.AXES_FAILURE_LIMIT = 3
    TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)
    password_only(client, team_lead)

    for _attempt in range(2):
        assert client.post(reverse("twofactor_verify"), {"code": "000000"}).status_code == 200
    locked = client.post(reverse("twofactor_verify"), {"code": "000000"})

    assert locked.status_code == 429
    assert "For mange mislykkede logins" in locked.content.decode()
    assert client.get(reverse("citizens:list"))["Location"].startswith(reverse("login"))  # logged out
    # The right password does not wipe out the wrong codes: the name stays locked.
    assert client.post(reverse("login"), {"username": team_lead.username, "password": PASSWORD}).status_code == 429


def test_a_support_worker_is_offered_it_and_once_set_up_it_is_asked_for(client, worker):
    password_only(client, worker)
    assert client.get(reverse("interventions:my_citizens")).status_code == 200  # not required
    overview = client.get(reverse("twofactor")).content.decode()
    assert "Fra: login kræver kun din adgangskode" in overview

    device, _codes = enrol(client)
    client.post(reverse("logout"))
    password_only(client, worker)

    assert client.get(reverse("interventions:my_citizens"))["Location"].startswith(reverse("twofactor_verify"))


def test_a_setting_requires_it_of_every_role(client, worker, settings):
    settings.TWO_FACTOR_FOR_ALL = True
    password_only(client, worker)
    assert client.get("/")["Location"].startswith(reverse("twofactor_enrol"))


def test_the_password_alone_cannot_replace_the_app(client, team_lead):
    TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)
    password_only(client, team_lead)

    response = client.get(reverse("twofactor_enrol"))

    assert response["Location"].startswith(reverse("twofactor_verify"))
    assert not TOTPDevice.objects.filter(confirmed=False).exists()


def test_setting_up_a_new_phone_replaces_the_old_one_only_when_confirmed(client, team_lead):
    client = logged_in(client, team_lead)
    old = TOTPDevice.objects.get(user=team_lead)

    client.get(reverse("twofactor_enrol"))
    assert TOTPDevice.objects.filter(user=team_lead).count() == 2  # the old one still works meanwhile
    new = TOTPDevice.objects.get(user=team_lead, confirmed=False)
    client.post(reverse("twofactor_enrol"), {"code": code_for(new)})

    assert list(TOTPDevice.objects.filter(user=team_lead)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_an_administrator_resets_a_users_second_factor_in_the_app(client, admin_client_, team_lead, worker):
    TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)

    page = admin_client_.get(reverse("twofactor_users"))
    assert "Sat op" in page.content.decode() and "Ikke sat op" in page.content.decode()
    reset = admin_client_.post(reverse("twofactor_reset", args=[team_lead.pk]), follow=True)

    assert "Totrinsbekræftelsen for" in reset.content.decode()
    assert not TOTPDevice.objects.filter(user=team_lead).exists()
    worker_client = logged_in(client.__class__(), worker)
    assert worker_client.get(reverse("twofactor_users")).status_code == 403
    assert worker_client.post(reverse("twofactor_reset", args=[team_lead.pk])).status_code == 403


def test_the_users_page_has_a_constant_number_of_queries(admin_client_, django_assert_max_num_queries):
    from tests.factories import WorkerFactory

    WorkerFactory.create_batch(5)
    admin_client_.get(reverse("twofactor_users"))
    WorkerFactory.create_batch(10)
    with django_assert_max_num_queries(12):
        assert admin_client_.get(reverse("twofactor_users")).status_code == 200


def test_remove_second_factor_command(team_lead):
    TOTPDevice.objects.create(user=team_lead, name="app", confirmed=True)
    out = StringIO()
    call_command("remove_second_factor", team_lead.username, "--dry-run", stdout=out)
    assert TOTPDevice.objects.filter(user=team_lead).exists()
    call_command("remove_second_factor", team_lead.username, stdout=out)
    assert not TOTPDevice.objects.filter(user=team_lead).exists()
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        call_command("remove_second_factor", "nobody")


def test_the_django_admin_asks_for_the_second_factor_of_a_superuser(client):
    superuser = AdministratorFactory(is_superuser=True, is_staff=True)
    password_only(client, superuser)
    assert client.get("/admin/")["Location"].startswith(reverse("twofactor_enrol"))

    from tests.conftest import verify_second_factor

    verify_second_factor(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_every_user_can_change_their_password(worker_client, worker):
    page = worker_client.get(reverse("password_change"))
    assert "Skift din adgangskode" in page.content.decode()
    done = worker_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Rødgrød med fløde 42", "new_password2": "Rødgrød med fløde 42"},
        follow=True,
    )
    assert "Din adgangskode er ændret" in done.content.decode()
    worker.refresh_from_db()
    assert worker.check_password("Rødgrød med fløde 42")


def test_demo_code_prints_the_demo_users_code_only_with_debug(settings):
    from housingfirst.demo import seed_core

    seed_core()
    device = TOTPDevice.objects.get(user__username="admin")
    assert twofactor.base32_key(device) == twofactor.DEMO_TOTP_KEY
    assert TOTPDevice.objects.filter(user__username="teamleder", confirmed=True).exists()
    assert not TOTPDevice.objects.filter(user__username="medarbejder").exists()

    settings.DEBUG = True
    out = StringIO()
    call_command("demo_code", "admin", stdout=out)
    assert out.getvalue().startswith(twofactor.current_code(device))
    settings.DEBUG = False
    with pytest.raises(CommandError, match="only with DEBUG=true"):
        call_command("demo_code", "admin")
