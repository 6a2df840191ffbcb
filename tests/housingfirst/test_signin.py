"""Login throttling: five wrong passwords lock the user name and the address, in the app and the admin."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from tests.factories import AdministratorFactory, WorkerFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db


def post_login(client, path, username, password, ip="10.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_user_name_even_with_the_right_password(path):
    user = AdministratorFactory(is_staff=True, is_superuser=True)
    client = Client()
    for _ in range(4):
        assert post_login(client, path, user.username, "wrong").status_code == 200
    response = post_login(client, path, user.username, "wrong")
    assert response.status_code == 429
    response = post_login(client, path, user.username, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "For mange mislykkede logins" in text and "Prøv igen kl." in text
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_for_the_user_name_from_another_address():
    user = WorkerFactory()
    client = Client()
    for _ in range(5):
        post_login(client, "/login/", user.username, "wrong", ip="10.0.0.1")
    assert post_login(Client(), "/login/", user.username, PASSWORD, ip="10.9.9.9").status_code == 429


def test_one_address_guessing_many_names_is_locked_out():
    user = WorkerFactory()
    client = Client()
    for number in range(5):
        post_login(client, "/login/", f"guess{number}", "wrong", ip="10.0.0.7")
    assert post_login(client, "/login/", user.username, PASSWORD, ip="10.0.0.7").status_code == 429
    # Another address is not held back by it.
    assert post_login(Client(), "/login/", user.username, PASSWORD, ip="10.0.0.8").status_code == 302


def test_fewer_failures_then_the_right_password_logs_in_and_resets_the_count():
    user = WorkerFactory()
    client = Client()
    for _ in range(4):
        post_login(client, "/login/", user.username, "wrong")
    assert post_login(client, "/login/", user.username, PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username, failures_since_start__gt=0).exists()


def test_an_administrator_sees_and_lifts_the_lockout(admin_client_):
    user = WorkerFactory()
    for _ in range(5):
        post_login(Client(), "/login/", user.username, "wrong", ip="10.0.0.3")
    page = admin_client_.get("/laaste-logins/")
    assert page.status_code == 200
    assert user.username in page.content.decode() and "10.0.0.3" in page.content.decode()
    attempt = AccessAttempt.objects.get(username=user.username)
    response = admin_client_.post(f"/laaste-logins/{attempt.pk}/ophaev/", follow=True)
    assert "er ophævet" in response.content.decode()
    assert post_login(Client(), "/login/", user.username, PASSWORD, ip="10.0.0.3").status_code == 302


def test_a_support_worker_cannot_see_the_lockouts(worker_client):
    assert worker_client.get("/laaste-logins/").status_code == 403


def test_the_proxy_address_is_read_from_x_forwarded_for(settings):
    settings.LOGIN_PROXY_COUNT = 1
    user = WorkerFactory()
    for _ in range(5):
        Client().post(
            "/login/", {"username": "x", "password": "y"}, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.5"
        )
    # Another client behind the same proxy is not locked out with the first.
    response = Client().post(
        "/login/",
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.6",
    )
    assert response.status_code == 302
