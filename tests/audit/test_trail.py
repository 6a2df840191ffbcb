"""The audit trail page: what an administrator reads, the filters, the CSV, and that nothing in it can change."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import SignInEvent
from citizens.models import Citizen, CprAccess
from citizens.services import reveal_cpr, save_citizen
from tests.conftest import logged_in
from tests.factories import AdministratorFactory, CitizenFactory, VisitFactory

# Marked so pytest-django runs these with the other database tests: a test that takes its client by name
# (`getfixturevalue`) would otherwise run after the transactional tests, whose flush empties the role groups.
pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


def change_city(citizen, city, user):
    citizen.city = city
    save_citizen(citizen=citizen, user=user)


def test_an_administrator_reads_cpr_views_changes_and_sign_ins(client, administrator, team_lead):
    client.post(reverse("login"), {"username": team_lead.username, "password": "wrong"})
    citizen = CitizenFactory(team=team_lead.team, cpr="0101901238", first_name="Ib", last_name="Holm")
    change_city(citizen, "Vojens", team_lead)
    citizen.cpr = "0202901234"
    save_citizen(citizen=citizen, user=team_lead)
    reveal_cpr(citizen=citizen, user=team_lead)
    visit = VisitFactory(intervention__citizen=citizen)
    visit.note = "Talte om huslejen"
    visit.save()
    html = logged_in(client, administrator).get(URL).content.decode()
    assert "Så det fulde CPR-nummer" in html
    assert "Vojens" in html and "Ib Holm" in html
    assert "010190-XXXX" in html and "020290-XXXX" in html  # the CPR change, masked
    assert "0101901238" not in html and "1234" not in html.replace("020290-XXXX", "")
    assert "Talte om huslejen" in html and "Besøg" in html
    assert "Mislykket login" in html and "Loggede ind" in html


@pytest.mark.parametrize("role", ["worker_client", "lead_client"])
def test_only_those_who_may_read_the_trail_see_it(request, role):
    client = request.getfixturevalue(role)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("audit:csv")).status_code == 403


def test_the_filters_by_user_citizen_kind_and_period(admin_client_, administrator, team_lead):
    mine = CitizenFactory(team=team_lead.team, first_name="Ib", last_name="Holm")
    other = CitizenFactory(team=team_lead.team, first_name="Bo", last_name="Lund")
    reveal_cpr(citizen=mine, user=team_lead)
    change_city(other, "Tønder", administrator)
    old = CprAccess.objects.create(citizen=other, user=administrator)
    CprAccess.objects.filter(pk=old.pk).update(at=datetime.datetime(2025, 1, 5, 12, tzinfo=datetime.UTC))

    html = admin_client_.get(URL, {"citizen": mine.pk}).content.decode()
    assert "Audit trail" not in html and "Revisionsspor: Ib Holm" in html
    assert "Tønder" not in html and "Så det fulde CPR-nummer" in html
    html = admin_client_.get(URL, {"user": team_lead.pk, "kind": "change"}).content.decode()
    assert "Så det fulde CPR-nummer" not in html
    html = admin_client_.get(URL, {"kind": "cpr", "date_from": "2025-01-01", "date_to": "2025-01-31"}).content
    assert b"1 post" in html and b"Bo Lund" in html
    response = admin_client_.get(URL, {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "Perioden kan ikke slutte, før den begynder." in response.content.decode()


def test_the_citizens_page_links_to_its_trail(admin_client_):
    citizen = CitizenFactory()
    html = admin_client_.get(citizen.get_absolute_url()).content.decode()
    assert f"{URL}?citizen={citizen.pk}" in html


def test_a_page_costs_the_same_queries_with_ten_times_the_history(
    admin_client_, administrator, django_assert_max_num_queries
):
    def grow(n):
        for _ in range(n):
            citizen = CitizenFactory()
            change_city(citizen, "Ribe", administrator)
            reveal_cpr(citizen=citizen, user=administrator)
            visit = VisitFactory(intervention__citizen=citizen)
            visit.note = "Ny note"
            visit.save()

    grow(3)
    with django_assert_max_num_queries(40) as small:
        admin_client_.get(URL)
    grow(27)
    # The bound comes from the number of source models on a page (two queries each), never the rows.
    with django_assert_max_num_queries(len(small) + 2):
        response = admin_client_.get(URL)
    assert "Side 1 af" in response.content.decode()


def test_the_csv_holds_the_filtered_trail_with_masked_numbers(admin_client_, administrator):
    citizen = CitizenFactory(cpr="0101901238", first_name="Ib", last_name="Holm")
    citizen.cpr = "0202901234"
    save_citizen(citizen=citizen, user=administrator)
    response = admin_client_.get(reverse("audit:csv"), {"citizen": citizen.pk})
    assert response["Content-Disposition"].startswith('attachment; filename="revisionsspor-')
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeffTidspunkt;Bruger;Type;Handling")
    assert "Ib Holm" in text and "010190-XXXX → 020290-XXXX" in text
    assert "0202901234" not in text and "1238" not in text


def test_nobody_can_change_or_delete_the_trail_through_the_app(client, admin_client_, administrator):
    citizen = CitizenFactory()
    reveal_cpr(citizen=citizen, user=administrator)
    for url in (URL, reverse("audit:csv")):
        assert admin_client_.post(url).status_code == 405
        assert admin_client_.delete(url).status_code == 405
    # The Django admin shows access logs and sign-ins read-only and has no page for history rows.
    superuser = AdministratorFactory(is_staff=True, is_superuser=True)
    logged_in(client, superuser)
    request = client.get("/admin/").wsgi_request
    for model in (CprAccess, SignInEvent):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request) and not model_admin.has_delete_permission(request)
        assert not model_admin.has_add_permission(request)
    assert Citizen.history.model not in admin.site._registry
    access = CprAccess.objects.get()
    response = client.post(reverse("admin:citizens_cpraccess_delete", args=[access.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert CprAccess.objects.filter(pk=access.pk).exists()
