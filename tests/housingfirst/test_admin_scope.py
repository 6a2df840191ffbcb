"""The Django admin is the operator's tool: superusers only, and it answers no question about a CPR number."""

import pytest

from tests.conftest import logged_in
from tests.factories import AdministratorFactory, CitizenFactory

pytestmark = pytest.mark.django_db


def test_a_staff_administrator_who_is_not_a_superuser_is_kept_out_of_the_admin(client):
    client = logged_in(client, AdministratorFactory(is_staff=True, is_superuser=False))
    response = client.get("/admin/citizens/citizen/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert "/admin/" not in client.get("/").content.decode()


def test_the_citizen_list_refuses_a_cpr_lookup(client):
    citizen = CitizenFactory(cpr="0101901238")
    client = logged_in(client, AdministratorFactory(is_superuser=True))
    for lookup in ["cpr__startswith=0101", "cpr=0101901238", "cpr__contains=9012"]:
        response = client.get(f"/admin/citizens/citizen/?{lookup}")
        assert response.status_code == 400, lookup
    assert client.get("/admin/citizens/citizen/?q=").status_code == 200
    assert citizen.full_name in client.get("/admin/citizens/citizen/").content.decode()
