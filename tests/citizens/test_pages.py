import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from citizens.models import ActionPlan, Citizen, Consent, Goal, LifeArea
from citizens.services import save_citizen
from tests.citizens.test_cpr import citizen_data
from tests.conftest import logged_in
from tests.factories import ActionPlanFactory, CitizenFactory, ConsentFactory, GoalFactory, TeamFactory, municipality

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def today():
    return timezone.localdate()


# --- duplicates ---------------------------------------------------------------------------------


def test_a_duplicate_cpr_names_the_citizen_i_can_see(lead_client, team_lead):
    existing = CitizenFactory(team=team_lead.team, cpr="0101901238")
    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr="010190-1238"))
    html = response.content.decode()
    assert "allerede registreret for" in html
    assert f'<a href="{existing.get_absolute_url()}">{existing.full_name}</a>' in html
    assert Citizen.objects.count() == 1


def test_a_duplicate_in_another_team_says_only_that_it_exists(lead_client, team_lead):
    hidden = CitizenFactory(
        team=TeamFactory(name="Team B"), cpr="0101901238", first_name="Skjult", last_name="Borgersen"
    )
    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr="0101901238"))
    html = response.content.decode()
    assert "allerede registreret i et andet team" in html
    assert hidden.full_name not in html
    assert hidden.get_absolute_url() not in html


def test_the_service_refuses_a_duplicate_too(db, administrator):
    CitizenFactory(cpr="0101901238")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        save_citizen(citizen=CitizenFactory.build(cpr="010190-1238", team=TeamFactory()), user=administrator)


def test_editing_keeps_the_cpr_when_left_empty_and_never_shows_it(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team, cpr="0101901238")
    data = citizen_data(team_lead.team, cpr="", first_name="Jens")
    response = lead_client.post(reverse("citizens:edit", args=[citizen.pk]), data, follow=True)
    assert response.status_code == 200
    citizen.refresh_from_db()
    assert citizen.cpr == "0101901238"
    assert citizen.first_name == "Jens"
    assert citizen.history.first().history_user == team_lead


def test_a_team_lead_can_only_register_in_their_own_team(lead_client, team_lead):
    other = TeamFactory(name="Team B")
    response = lead_client.post(reverse("citizens:create"), citizen_data(other))
    assert response.status_code == 200
    assert "Marker en gyldig valgmulighed" in response.content.decode()
    assert not Citizen.objects.exists()


# --- uploads --------------------------------------------------------------------------------------


def plan_data(**overrides):
    data = {
        "kind": "142",
        "received_on": "2026-02-01",
        "municipality": municipality().pk,
        "caseworker": "",
        "notes": "",
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-life_area": LifeArea.objects.get(name="Bolig").pk,
        "goals-0-description": "Få møbler",
        "goals-0-status": "in_progress",
        "goals-1-life_area": LifeArea.objects.get(name="Økonomi").pk,
        "goals-1-description": "Betalingsservice for husleje",
        "goals-1-status": "not_started",
    }
    data.update(overrides)
    return data


def test_a_plan_with_its_goals_and_pdf_is_recorded(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = plan_data(document=SimpleUploadedFile("Jens Hansen 010190.pdf", PDF, "application/pdf"))
    response = lead_client.post(reverse("citizens:plan_create", args=[citizen.pk]), data, follow=True)
    plan = ActionPlan.objects.get()
    assert plan.citizen == citizen
    assert "010190" not in plan.document.name  # the uploaded name is not kept
    assert sorted(plan.goals.values_list("life_area__name", flat=True)) == ["Bolig", "Økonomi"]
    html = response.content.decode()
    assert "Handleplanen er gemt" in html
    overview = lead_client.get(citizen.get_absolute_url()).content.decode()
    assert "Betalingsservice for husleje" in overview
    assert "§142-handleplan" in overview


def test_a_non_pdf_upload_is_refused_with_a_message(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = plan_data(document=SimpleUploadedFile("plan.pdf", b"PK\x03\x04 a word file", "application/pdf"))
    response = lead_client.post(reverse("citizens:plan_create", args=[citizen.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "kun uploades PDF-filer" in html
    assert "Betalingsservice for husleje" in html  # the goals typed are kept
    assert not ActionPlan.objects.exists()


def test_an_oversized_upload_is_refused_with_a_message(lead_client, team_lead, settings):
    settings.MAX_UPLOAD_MB = 1
    citizen = CitizenFactory(team=team_lead.team)
    big = SimpleUploadedFile("consent.pdf", PDF + b"0" * (1024 * 1024 + 10), "application/pdf")
    data = {"covers": "Alt", "obtain_from": "", "given_on": "2026-01-01", "expires_on": "", "document": big}
    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)
    assert response.status_code == 200
    assert "grænsen er 1 MB" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_consent_cannot_expire_before_it_is_given(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = {"covers": "Alt", "given_on": "2026-02-01", "expires_on": "2026-01-01"}
    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)
    assert "kan ikke udløbe, før det er givet" in response.content.decode()


def test_a_consent_cannot_be_given_in_the_future(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    data = {"covers": "Alt", "given_on": tomorrow.isoformat(), "expires_on": ""}
    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)
    assert "Et samtykke kan ikke være givet i fremtiden" in response.content.decode()
    assert not Consent.objects.exists()


def test_a_chosen_pdf_is_asked_for_again_when_another_field_fails(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = {"covers": "", "given_on": "2026-01-01", "document": SimpleUploadedFile("s.pdf", PDF, "application/pdf")}
    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)
    html = response.content.decode()
    assert "Vælg PDF-filen igen" in html
    assert not Consent.objects.exists()


# --- the overview ---------------------------------------------------------------------------------


def test_expired_consent_is_flagged_on_the_overview(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    ConsentFactory(
        citizen=citizen,
        given_on=today() - datetime.timedelta(days=400),
        expires_on=today() - datetime.timedelta(days=1),
    )
    html = worker_client.get(citizen.get_absolute_url()).content.decode()
    assert "Samtykket er udløbet" in html
    assert "Udløbet" in html
    ConsentFactory(citizen=citizen)
    html = worker_client.get(citizen.get_absolute_url()).content.decode()
    assert "Samtykket er udløbet" not in html
    assert "Gælder" in html


def test_the_overview_shows_the_newest_plan_as_current(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    old = ActionPlanFactory(citizen=citizen, kind="141", received_on=today() - datetime.timedelta(days=300))
    new = ActionPlanFactory(citizen=citizen, received_on=today() - datetime.timedelta(days=30))
    GoalFactory(plan=new, description="Lære naboerne at kende", life_area=LifeArea.objects.get(name="Omgivelser"))
    GoalFactory(plan=old, description="Gammelt mål")
    html = worker_client.get(citizen.get_absolute_url()).content.decode()
    assert "Lære naboerne at kende" in html
    assert "Gammelt mål" not in html
    assert "Tidligere handleplaner" in html


def test_the_overview_uses_a_fixed_number_of_queries(admin_client_, django_assert_max_num_queries):
    citizen = CitizenFactory()
    for _ in range(3):
        plan = ActionPlanFactory(citizen=citizen)
        for _ in range(4):
            GoalFactory(plan=plan)
        ConsentFactory(citizen=citizen)
    with django_assert_max_num_queries(30) as captured:
        admin_client_.get(citizen.get_absolute_url())
    few = len(captured)
    for _ in range(10):
        plan = ActionPlanFactory(citizen=citizen)
        GoalFactory(plan=plan)
        ConsentFactory(citizen=citizen)
    with django_assert_max_num_queries(few):
        admin_client_.get(citizen.get_absolute_url())


def test_the_audit_log_shows_who_changed_what_with_the_cpr_masked(administrator, team_lead, lead_client):
    admin_client_ = logged_in(Client(), administrator)
    citizen = CitizenFactory(team=team_lead.team, cpr="0101901238", phone="11 11 11 11")
    data = citizen_data(team_lead.team, first_name=citizen.first_name, last_name=citizen.last_name,
                        cpr="020290-1234", phone="22 22 22 22")  # fmt: skip
    response = lead_client.post(reverse("citizens:edit", args=[citizen.pk]), data)
    assert response.status_code == 302
    html = admin_client_.get(citizen.get_absolute_url()).content.decode()
    assert "11 11 11 11" in html and "22 22 22 22" in html
    assert "010190-XXXX" in html and "020290-XXXX" in html
    assert "0202901234" not in html and "020290-1234" not in html
    assert str(team_lead) in html


# --- the list -------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["010190", "01.01.1990", "01-01-90", "1.1.1990"])
def test_search_by_birth_date(worker_client, worker, query):
    wanted = CitizenFactory(team=worker.team, cpr="0101901238", first_name="Ib", last_name="Nørgaard")
    CitizenFactory(team=worker.team, cpr="0201901234", first_name="Bo", last_name="Aagaard")
    html = worker_client.get(reverse("citizens:list"), {"q": query}, follow=True).content.decode()
    assert wanted.last_name in html
    assert "Aagaard" not in html


def test_search_by_name(worker_client, worker):
    CitizenFactory(team=worker.team, first_name="Ib", last_name="Nørgaard")
    CitizenFactory(team=worker.team, first_name="Bo", last_name="Aagaard")
    html = worker_client.post(reverse("citizens:list"), {"q": "nørg"}, follow=True).content.decode()
    assert "Nørgaard" in html and "Aagaard" not in html
    html = worker_client.post(reverse("citizens:list"), {"q": "ib nør"}, follow=True).content.decode()
    assert "Nørgaard" in html


def test_the_search_posts_so_a_full_cpr_never_reaches_a_url(worker_client, worker):
    mine = CitizenFactory(team=worker.team, cpr="0101901238")
    response = worker_client.post(reverse("citizens:list"), {"q": "010190-1238", "sort": "name"})
    assert response.status_code == 302 and response["Location"] == mine.get_absolute_url()
    response = worker_client.post(reverse("citizens:list"), {"q": "Hansen", "status": "supported"})
    assert response["Location"] == reverse("citizens:list") + "?status=supported&search=1"
    form = worker_client.get(reverse("citizens:list")).content.decode()
    assert '<form method="post" action="/borgere/"' in form and 'name="csrfmiddlewaretoken"' in form


def test_a_full_cpr_of_someone_i_cannot_see_becomes_the_birth_date(worker_client, worker):
    CitizenFactory(cpr="0101901238")  # another team's
    response = worker_client.post(reverse("citizens:list"), {"q": "0101901238"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("citizens:list") + "?search=1"
    html = response.content.decode()
    assert "1238" not in response.redirect_chain[0][0]
    assert "Ingen borger, du kan se, har det CPR-nummer" in html


def test_a_full_cpr_in_the_search_is_cut_to_the_birth_date(worker_client, worker):
    response = worker_client.get(reverse("citizens:list"), {"q": "010190-1238"})
    assert response.status_code == 302
    assert "1238" not in response["Location"]
    assert response["Location"] == reverse("citizens:list") + "?search=1"


def test_a_search_term_never_reaches_a_url_or_the_access_log(worker_client, worker, caplog):
    CitizenFactory(team=worker.team, first_name="Ib", last_name="Nørgaard", cpr="0101901238")
    CitizenFactory.create_batch(26, team=worker.team, last_name="Nørgaard")  # two pages
    with caplog.at_level("INFO", logger="housingfirst.requests"):
        response = worker_client.post(reverse("citizens:list"), {"q": "Nørgaard", "status": "supported"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("citizens:list") + "?status=supported&search=1", 302)]
    assert "27 borgere" in html and 'value="Nørgaard"' in html
    links = re.findall(r'href="([^"]*)"', html)
    assert any("page=2" in link and "search=1" in link for link in links)
    assert not [link for link in links if "rgaard" in link or "q=" in link]
    assert "rgaard" not in caplog.text and "N%C3%B8" not in caplog.text
    # The next page keeps the search; the bare list (the menu's link) does not.
    assert "27 borgere" in worker_client.get(reverse("citizens:list"), {"search": "1", "page": "2"}).content.decode()
    assert "Nørgaard" not in worker_client.get(reverse("citizens:list"), {"status": "ended"}).content.decode()


def test_the_list_filters_and_sorts(admin_client_):
    a = CitizenFactory(last_name="Aaboholt", status=Citizen.Status.ENDED, move_in_date=datetime.date(2026, 5, 1))
    b = CitizenFactory(last_name="Bechgaardsen", move_in_date=datetime.date(2026, 1, 1))
    html = admin_client_.get(reverse("citizens:list"), {"status": "ended"}).content.decode()
    assert "Aaboholt" in html and "Bechgaardsen" not in html
    html = admin_client_.get(reverse("citizens:list"), {"team": b.team_id}).content.decode()
    assert "Bechgaardsen" in html and "Aaboholt" not in html
    html = admin_client_.get(reverse("citizens:list"), {"sort": "move_in"}).content.decode()
    assert html.index("Bechgaardsen") < html.index("Aaboholt")
    html = admin_client_.get(reverse("citizens:list")).content.decode()
    assert html.index("Aaboholt") < html.index("Bechgaardsen")
    assert a.cpr_masked in html


def test_the_list_uses_the_same_number_of_queries_for_5_and_50(admin_client_, django_assert_max_num_queries):
    team = TeamFactory()
    for _ in range(5):
        plan = ActionPlanFactory(citizen=CitizenFactory(team=team))
        ConsentFactory(citizen=plan.citizen)
    with django_assert_max_num_queries(20) as captured:
        assert admin_client_.get(reverse("citizens:list")).status_code == 200
    five = len(captured)
    for _ in range(45):
        plan = ActionPlanFactory(citizen=CitizenFactory(team=team))
        ConsentFactory(citizen=plan.citizen)
    with django_assert_max_num_queries(five) as captured:
        admin_client_.get(reverse("citizens:list"))
    assert len(captured) == five


def test_expired_consents_on_the_dashboard(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    ConsentFactory(citizen=citizen, given_on=today() - datetime.timedelta(days=400),
                   expires_on=today() - datetime.timedelta(days=3))  # fmt: skip
    html = worker_client.get("/").content.decode()
    assert "Find en borger" in html
    assert "1 borger med udløbet samtykke" in html
    assert "Registrér borger" not in html
    html = worker_client.get(reverse("citizens:list"), {"consent": "expired"}).content.decode()
    assert citizen.last_name in html


def test_the_lead_gets_the_register_button_on_the_dashboard(lead_client):
    assert "Registrér borger" in lead_client.get("/").content.decode()


# --- life areas -----------------------------------------------------------------------------------


def test_an_administrator_adds_a_life_area(admin_client_):
    response = admin_client_.post(
        reverse("citizens:life_area_create"),
        {"name": "Beskæftigelse", "description": "", "position": 8, "active": "on"},
    )
    assert response.status_code == 302
    assert LifeArea.objects.filter(name="Beskæftigelse").exists()
    assert "Beskæftigelse" in admin_client_.get(reverse("citizens:life_areas")).content.decode()


def test_a_team_lead_cannot_edit_life_areas(lead_client):
    assert lead_client.get(reverse("citizens:life_areas")).status_code == 403


def test_deleting_a_plan_is_logged(admin_client_):
    plan = ActionPlanFactory()
    GoalFactory(plan=plan)
    response = admin_client_.post(reverse("citizens:plan_delete", args=[plan.citizen_id, plan.pk]))
    assert response.status_code == 302
    assert not Goal.objects.exists()
    html = admin_client_.get(plan.citizen.get_absolute_url()).content.decode()
    assert "Slettet" in html


def test_editing_a_plan_and_a_consent_with_a_document_on_file(lead_client, team_lead):
    from django.core.files.base import ContentFile

    plan = ActionPlanFactory(citizen=CitizenFactory(team=team_lead.team))
    plan.document.save("plan.pdf", ContentFile(PDF))
    consent = ConsentFactory(citizen=plan.citizen)
    consent.document.save("consent.pdf", ContentFile(PDF))
    html = lead_client.get(reverse("citizens:plan_edit", args=[plan.citizen_id, plan.pk])).content.decode()
    assert "Der er et dokument" in html
    html = lead_client.get(reverse("citizens:consent_edit", args=[plan.citizen_id, consent.pk])).content.decode()
    assert "Der er et dokument" in html
    assert "/media/" not in html


def test_the_life_areas_are_listed_in_their_order(admin_client_):
    html = admin_client_.get(reverse("citizens:life_areas")).content.decode()
    positions = [html.index(name) for name in ("Bolig", "Hverdag", "Økonomi", "Post", "Omgivelser", "Behandling")]
    assert positions == sorted(positions)


def test_a_plan_form_with_thousands_of_goal_forms_is_refused_quickly(lead_client, team_lead):
    """Claiming 2,000 goal forms costs what claiming 31 (one over the cap) costs: the formset never builds
    more than its cap. Timed against that anchor in the same run, so a loaded machine slows both alike
    (before the cap, 2,000 forms took about 28 s against the anchor's tenth of a second)."""
    import time

    citizen = CitizenFactory(team=team_lead.team)
    url = reverse("citizens:plan_create", args=[citizen.pk])

    def timed(total_forms: str) -> float:
        started = time.perf_counter()
        response = lead_client.post(url, plan_data(**{"goals-TOTAL_FORMS": total_forms}))
        assert response.status_code == 200
        assert "Indsend venligst højst 30 formularer" in response.content.decode()
        return time.perf_counter() - started

    timed("31")  # warm
    anchor = min(timed("31") for _ in range(2))
    elapsed = min(timed("2000") for _ in range(2))

    assert not ActionPlan.objects.exists()
    assert elapsed < 3 * anchor + 0.25, f"2,000 forms took {elapsed:.3f} s against {anchor:.3f} s for 31"
