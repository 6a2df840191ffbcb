"""Privacy by default: another team's citizen answers 404 everywhere; CPR is masked on every page."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from citizens.models import CprAccess
from tests.conftest import logged_in
from tests.factories import ActionPlanFactory, CitizenFactory, ConsentFactory, GoalFactory, TeamFactory

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def other_team_citizen(db):
    citizen = CitizenFactory(team=TeamFactory(name="Team B"), cpr="0101901238")
    plan = ActionPlanFactory(citizen=citizen)
    plan.document.save("plan.pdf", ContentFile(PDF))
    GoalFactory(plan=plan)
    consent = ConsentFactory(citizen=citizen)
    consent.document.save("consent.pdf", ContentFile(PDF))
    return citizen, plan, consent


def citizen_urls(citizen, plan, consent):
    pk = citizen.pk
    return [
        ("get", reverse("citizens:detail", args=[pk])),
        ("get", reverse("citizens:edit", args=[pk])),
        ("post", reverse("citizens:edit", args=[pk])),
        ("post", reverse("citizens:reveal_cpr", args=[pk])),
        ("get", reverse("citizens:plan_create", args=[pk])),
        ("get", reverse("citizens:plan_detail", args=[pk, plan.pk])),
        ("get", reverse("citizens:plan_edit", args=[pk, plan.pk])),
        ("post", reverse("citizens:plan_delete", args=[pk, plan.pk])),
        ("get", reverse("citizens:plan_document", args=[pk, plan.pk])),
        ("get", reverse("citizens:consent_create", args=[pk])),
        ("get", reverse("citizens:consent_edit", args=[pk, consent.pk])),
        ("post", reverse("citizens:consent_delete", args=[pk, consent.pk])),
        ("get", reverse("citizens:consent_document", args=[pk, consent.pk])),
    ]


@pytest.mark.parametrize("client_fixture", ["worker_client", "lead_client"])
def test_another_teams_citizen_answers_404_on_every_url_and_document(request, client_fixture, other_team_citizen):
    client = request.getfixturevalue(client_fixture)
    for method, url in citizen_urls(*other_team_citizen):
        response = getattr(client, method)(url)
        assert response.status_code == 404, (method, url, response.status_code)
    citizen = other_team_citizen[0]
    html = client.get(reverse("citizens:list")).content.decode()
    assert citizen.get_absolute_url() not in html
    assert citizen.full_name not in html
    assert not CprAccess.objects.exists()


def test_a_plan_of_another_citizen_is_not_reachable_through_my_citizen(worker_client, worker, other_team_citizen):
    mine = CitizenFactory(team=worker.team)
    _citizen, plan, consent = other_team_citizen
    assert worker_client.get(reverse("citizens:plan_detail", args=[mine.pk, plan.pk])).status_code == 404
    assert worker_client.get(reverse("citizens:plan_document", args=[mine.pk, plan.pk])).status_code == 404
    assert worker_client.get(reverse("citizens:consent_document", args=[mine.pk, consent.pk])).status_code == 404


def test_administrator_sees_every_team_and_downloads_the_document(admin_client_, other_team_citizen):
    citizen, plan, consent = other_team_citizen
    assert admin_client_.get(citizen.get_absolute_url()).status_code == 200
    response = admin_client_.get(reverse("citizens:plan_document", args=[citizen.pk, plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = admin_client_.get(reverse("citizens:consent_document", args=[citizen.pk, consent.pk]))
    assert response.status_code == 200


def test_own_team_worker_reads_but_cannot_change(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    plan = ActionPlanFactory(citizen=citizen)
    assert worker_client.get(citizen.get_absolute_url()).status_code == 200
    assert worker_client.get(plan.get_absolute_url()).status_code == 200
    assert worker_client.get(reverse("citizens:edit", args=[citizen.pk])).status_code == 403
    assert worker_client.get(reverse("citizens:plan_create", args=[citizen.pk])).status_code == 403
    assert worker_client.get(reverse("citizens:create")).status_code == 403


def test_cpr_is_masked_on_every_page_that_shows_a_citizen(administrator, team_lead, lead_client):
    admin_client_ = logged_in(Client(), administrator)
    citizen = CitizenFactory(team=team_lead.team, cpr="0101901238")
    plan = ActionPlanFactory(citizen=citizen)
    GoalFactory(plan=plan)
    consent = ConsentFactory(citizen=citizen)
    pages = [
        reverse("citizens:list"),
        reverse("citizens:list") + "?q=010190",
        reverse("citizens:list") + "?q=" + citizen.last_name,
        citizen.get_absolute_url(),
        reverse("citizens:edit", args=[citizen.pk]),
        plan.get_absolute_url(),
        reverse("citizens:plan_edit", args=[citizen.pk, plan.pk]),
        reverse("citizens:plan_create", args=[citizen.pk]),
        reverse("citizens:consent_create", args=[citizen.pk]),
        reverse("citizens:consent_edit", args=[citizen.pk, consent.pk]),
    ]
    for page in pages:
        html = lead_client.get(page, follow=True).content.decode()  # a search moves into the session
        assert "010190-XXXX" in html, page
        assert "0101901238" not in html and "010190-1238" not in html and "01901238" not in html, page
    # The audit log (administrators) is on the overview too; the number stays masked there as well.
    html = admin_client_.get(citizen.get_absolute_url()).content.decode()
    assert "0101901238" not in html and "010190-1238" not in html


def test_showing_the_cpr_writes_an_audit_entry(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team, cpr="0101901238")
    response = lead_client.post(reverse("citizens:reveal_cpr", args=[citizen.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "010190-1238" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    access = CprAccess.objects.get()
    assert (access.user, access.citizen) == (team_lead, citizen)
    # Without htmx the whole overview comes back with the number in it.
    response = lead_client.post(reverse("citizens:reveal_cpr", args=[citizen.pk]))
    assert "010190-1238" in response.content.decode()
    assert CprAccess.objects.count() == 2


def test_the_cpr_view_shows_in_the_administrators_audit_log(administrator, team_lead, lead_client):
    admin_client_ = logged_in(Client(), administrator)
    citizen = CitizenFactory(team=team_lead.team)
    lead_client.post(reverse("citizens:reveal_cpr", args=[citizen.pk]))
    html = admin_client_.get(citizen.get_absolute_url()).content.decode()
    assert "Revisionsspor" in html
    assert "Så det fulde CPR-nummer" in html
    assert str(team_lead) in html


def test_a_worker_has_no_show_cpr_button_and_cannot_post_it(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    html = worker_client.get(citizen.get_absolute_url()).content.decode()
    assert "Vis CPR" not in html
    assert "Revisionsspor" not in html
    assert worker_client.post(reverse("citizens:reveal_cpr", args=[citizen.pk])).status_code == 403
    assert not CprAccess.objects.exists()


def test_reveal_is_post_only(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    assert lead_client.get(reverse("citizens:reveal_cpr", args=[citizen.pk])).status_code == 405


@pytest.mark.parametrize("url_name", ["citizens:list", "citizens:create", "citizens:life_areas"])
def test_every_citizen_page_needs_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_user_without_a_team_sees_no_citizens(client, db):
    from tests.conftest import logged_in
    from tests.factories import WorkerFactory

    # A name no factory makes, so the signed-in user's own name in the menu cannot match it.
    citizen = CitizenFactory(first_name="Usynlig", last_name="Borgersen")
    client = logged_in(client, WorkerFactory(team=None))
    html = client.get(reverse("citizens:list")).content.decode()
    assert citizen.last_name not in html
    assert citizen.get_absolute_url() not in html
    assert client.get(citizen.get_absolute_url()).status_code == 404


def test_the_django_admin_opens_every_citizens_model_without_showing_the_cpr(client, administrator):
    from django.core.files.base import ContentFile

    from tests.conftest import logged_in

    citizen = CitizenFactory(cpr="0101901238")
    plan = ActionPlanFactory(citizen=citizen)
    plan.document.save("plan.pdf", ContentFile(PDF))
    GoalFactory(plan=plan)
    consent = ConsentFactory(citizen=citizen)
    consent.document.save("consent.pdf", ContentFile(PDF))
    CprAccess.objects.create(citizen=citizen, user=administrator)
    # The Django admin is superuser-only (the operator's tool): an administrator of the app uses the app.
    administrator.is_superuser = True
    administrator.save(update_fields=["is_superuser"])
    client = logged_in(client, administrator)
    for model, pk in [("citizen", citizen.pk), ("actionplan", plan.pk), ("consent", consent.pk), ("lifearea", 1)]:
        for url in (f"/admin/citizens/{model}/", f"/admin/citizens/{model}/{pk}/change/"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "0101901238" not in response.content.decode(), url
    for model in ("goal", "cpraccess"):
        assert client.get(f"/admin/citizens/{model}/").status_code == 200
