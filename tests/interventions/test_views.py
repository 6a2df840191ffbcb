import datetime

import lxml.html
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from housingfirst import panels
from interventions.models import Visit
from tests.conftest import logged_in
from tests.factories import (
    AdministratorFactory,
    CitizenFactory,
    InterventionFactory,
    LockedMonthFactory,
    VisitFactory,
    WorkerFactory,
    life_area,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _mine(worker, n=1, **kwargs):
    return [InterventionFactory(worker=worker, citizen__team=worker.team, **kwargs) for _i in range(n)]


def _other_team():
    # A name no factory makes, so "not in the page" cannot fail on a namesake.
    return InterventionFactory(citizen__first_name="Anden", citizen__last_name="Teamsen")


# --- Access: another team's things are 404 -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "interventions:detail",
        "interventions:assign",
        "interventions:edit",
        "interventions:phase",
        "interventions:pause",
        "interventions:change_method",
        "interventions:end",
    ],
)
def test_another_teams_intervention_is_404(lead_client, name):
    intervention = _other_team()
    assert lead_client.get(reverse(name, args=[intervention.pk])).status_code == 404


@pytest.mark.parametrize("name", ["interventions:visit_detail", "interventions:visit_edit"])
def test_another_teams_visit_is_404(lead_client, name):
    visit = VisitFactory()
    assert lead_client.get(reverse(name, args=[visit.pk])).status_code == 404
    assert lead_client.post(reverse("interventions:visit_delete", args=[visit.pk])).status_code == 404
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_another_teams_citizen_pages_are_404(lead_client):
    citizen = CitizenFactory()
    assert lead_client.get(reverse("interventions:citizen_visits", args=[citizen.pk])).status_code == 404
    assert lead_client.get(reverse("interventions:start", args=[citizen.pk])).status_code == 404


def test_a_visit_cannot_be_logged_on_another_teams_citizen(worker_client, worker):
    other = _other_team()
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {"intervention": other.pk, "date": TODAY, "start_time": "10:00", "duration_minutes": 30, "kind": "phone"},
    )
    assert response.status_code == 200
    assert (
        "Vælg en af dit teams borgere med en igangværende eller nyligt afsluttet indsats." in response.content.decode()
    )
    assert not Visit.objects.exists()


def test_worker_cannot_open_the_capacity_board(worker_client):
    assert worker_client.get(reverse("interventions:capacity")).status_code == 403


def test_worker_cannot_correct_a_colleagues_visit(worker_client, worker):
    colleague = WorkerFactory(team=worker.team)
    visit = VisitFactory(intervention=_mine(colleague)[0], worker=colleague)
    assert worker_client.get(reverse("interventions:visit_edit", args=[visit.pk])).status_code == 403
    assert worker_client.get(reverse("interventions:visit_detail", args=[visit.pk])).status_code == 200


# --- The visit form ------------------------------------------------------------------------------------


def test_visit_form_preselects_the_citizen_and_lists_only_the_team(worker_client, worker):
    mine = _mine(worker)[0]
    other = _other_team()
    response = worker_client.get(reverse("interventions:visit_create") + f"?citizen={mine.citizen.pk}")
    html = response.content.decode()
    assert f'<option value="{mine.pk}" selected>' in html
    assert f'<option value="{other.pk}"' not in html
    assert str(other.citizen) not in html
    for label in ("Hjemmebesøg", "Telefonopkald", "Møde på forsorgshjemmet", "Ledsagelse", "Forsøgt kontakt"):
        assert label in html
    assert 'data-minutes="90"' in html


def test_logging_a_visit(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {
            "intervention": intervention.pk,
            "date": TODAY.isoformat(),
            "start_time": "09:05",
            "duration_minutes": 45,
            "kind": "home_visit",
            "life_areas": [life_area("Bolig").pk],
            "note": "Hjalp med gardiner",
            "billable": "on",
        },
        follow=True,
    )
    visit = Visit.objects.get()
    assert visit.duration_minutes == 45 and visit.worker == worker and visit.billable
    assert "Besøget hos" in response.content.decode() and "er gemt (45 min)" in response.content.decode()


def test_a_refused_visit_keeps_what_was_typed(worker_client, worker):
    intervention = _mine(worker)[0]
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=TODAY.replace(day=1))
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {
            "intervention": intervention.pk,
            "date": TODAY.isoformat(),
            "start_time": "09:05",
            "duration_minutes": 50,
            "kind": "phone",
            "note": "Min lange note",
        },
    )
    html = response.content.decode()
    assert "er faktureret til borgerens betalingskommune" in html and "kreditnota" in html
    assert "Min lange note" in html and 'value="50"' in html and 'value="phone" autocomplete="off" checked' in html
    assert not Visit.objects.exists()


def test_a_zero_duration_is_refused_in_the_form(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {"intervention": intervention.pk, "date": TODAY, "start_time": "09:00", "duration_minutes": 0, "kind": "phone"},
    )
    assert "Varigheden skal være mindst 1 minut." in response.content.decode()


def _described_by(html: str, field_id: str) -> tuple[dict, list[str]]:
    """The field's attributes, and the texts of the elements its aria-describedby names (all must exist)."""
    page = lxml.html.fromstring(html)
    field = page.get_element_by_id(field_id)
    texts = [page.get_element_by_id(ref).text_content().strip() for ref in field.get("aria-describedby", "").split()]
    return dict(field.attrib), texts


def _post_tomorrows_visit(client, worker, **fields):
    """A visit dated tomorrow posted to the form, with what the test changes."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {
        "intervention": _mine(worker)[0].pk,
        "date": tomorrow.isoformat(),
        "start_time": "09:05",
        "duration_minutes": 45,
        "kind": "home_visit",
    }
    return client.post(reverse("interventions:visit_create"), {**data, **fields})


def test_a_future_date_is_read_out_and_marked_on_the_date_field(worker_client, worker):
    response = _post_tomorrows_visit(worker_client, worker)
    date, texts = _described_by(response.content.decode(), "id_date")
    assert texts == ["Datoen ligger i fremtiden. Registrér besøget, når det har fundet sted."]
    assert date["aria-invalid"] == "true"
    assert "is-invalid" in date["class"].split() and "form-control" in date["class"].split()
    # The fields without an error are not marked.
    start_time, texts = _described_by(response.content.decode(), "id_start_time")
    assert texts == [] and "aria-invalid" not in start_time and "is-invalid" not in start_time["class"]


def test_every_field_error_on_the_visit_form_is_linked_to_its_field(worker_client, worker):
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {"intervention": "", "date": "", "start_time": "", "duration_minutes": ""},
    )
    html = response.content.decode()
    for field_id, message in [
        ("id_intervention", "Vælg borgeren."),
        ("id_date", "Dette felt er påkrævet."),
        ("id_start_time", "Dette felt er påkrævet."),
        ("id_duration_minutes", "Dette felt er påkrævet."),
    ]:
        attrs, texts = _described_by(html, field_id)
        assert message in texts, (field_id, texts)
        assert attrs["aria-invalid"] == "true" and "is-invalid" in attrs["class"].split(), field_id
    kind = lxml.html.fromstring(html).xpath("//fieldset[.//input[@name='kind']]")[0]
    assert kind.get("aria-describedby") == "id_kind_error"
    assert "Dette felt er påkrævet." in lxml.html.fromstring(html).get_element_by_id("id_kind_error").text_content()


def test_the_visit_form_shows_every_mistake_in_one_round_and_keeps_the_note(worker_client, worker):
    """No start time, a date tomorrow and 0 minutes: all three at once, not the missing time first."""
    response = _post_tomorrows_visit(worker_client, worker, start_time="", duration_minutes=0, note="Talte om huslejen")
    html = response.content.decode()
    assert _described_by(html, "id_start_time")[1] == ["Dette felt er påkrævet."]
    assert _described_by(html, "id_date")[1] == [
        "Datoen ligger i fremtiden. Registrér besøget, når det har fundet sted."
    ]
    assert _described_by(html, "id_duration_minutes")[1] == ["Varigheden skal være mindst 1 minut."]
    assert "Talte om huslejen" in html
    assert not Visit.objects.exists()


def test_worker_corrects_own_visit(worker_client, worker):
    visit = VisitFactory(intervention=_mine(worker)[0], worker=worker)
    response = worker_client.post(
        reverse("interventions:visit_edit", args=[visit.pk]),
        {
            "intervention": visit.intervention_id,
            "date": visit.date.isoformat(),
            "start_time": "10:00",
            "duration_minutes": 60,
            "kind": "home_visit",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.duration_minutes == 60 and not visit.billable


# --- Intervention forms ------------------------------------------------------------------------------


def test_lead_starts_and_assigns_an_intervention(lead_client, worker):
    citizen = CitizenFactory(team=worker.team)
    response = lead_client.post(
        reverse("interventions:start", args=[citizen.pk]),
        {"method": "CTI", "start_date": TODAY.isoformat(), "worker": worker.pk},
    )
    intervention = citizen.interventions.get()
    assert response.url == intervention.get_absolute_url()
    assert intervention.worker == worker and intervention.coordinator == worker
    page = lead_client.get(intervention.get_absolute_url()).content.decode()
    assert "Kontaktperiode" in page and "Fase 3" in page and "I dag" in page


def test_capacity_assignment_refused_shows_who_has_room(lead_client, worker, team_lead):
    WorkerFactory(team=worker.team, first_name="Amina", last_name="Hassan")
    _mine(worker, 12)
    waiting = InterventionFactory(worker=None, coordinator=None, citizen__team=worker.team)
    response = lead_client.post(
        reverse("interventions:assign", args=[waiting.pk]), {"worker": worker.pk, "next": "capacity"}, follow=True
    )
    html = response.content.decode()
    assert "har ikke plads til endnu en CTI-borger: 12 CTI + 0 ICM = 1,00" in html
    assert "Plads til CTI: Amina Hassan." in html


def test_pause_form_pauses_and_moves_the_plan(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:pause", args=[intervention.pk]), {"reason": "hospital", "from_date": TODAY.isoformat()}
    )
    assert response.status_code == 302
    intervention.refresh_from_db()
    assert intervention.status == "paused"
    page = worker_client.get(intervention.get_absolute_url()).content.decode()
    assert "Indlæggelse" in page and "Registrér tilbagekomst" in page


def test_end_form_requires_a_reason(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(reverse("interventions:end", args=[intervention.pk]), {"end_date": TODAY})
    assert response.status_code == 200
    intervention.refresh_from_db()
    assert intervention.status == "active"


# --- Query counts: 5 rows cost what 50 rows cost ---------------------------------------------------------


def _fill(worker, n):
    interventions = _mine(worker, n)
    for intervention in interventions:
        VisitFactory(intervention=intervention, worker=worker, date=TODAY - datetime.timedelta(days=20))
    return interventions


def _count(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [5, 50])
def test_my_citizens_constant_queries(client, django_assert_max_num_queries, n, settings):
    settings.CASELOAD_CAP_CTI = 100
    worker = WorkerFactory()
    _fill(worker, n)
    html = logged_in(client, worker).get(reverse("interventions:my_citizens")).content.decode()
    assert html.count("Registrér besøg") >= n and "Ingen kontakt i 20 dage" in html
    _count(client, reverse("interventions:my_citizens"), django_assert_max_num_queries, 12)


@pytest.mark.parametrize("n", [5, 50])
def test_capacity_board_constant_queries(client, django_assert_max_num_queries, n, team_lead):
    for _i in range(n):
        WorkerFactory(team=team_lead.team)
        InterventionFactory(worker=None, coordinator=None, citizen__team=team_lead.team)
    logged_in(client, team_lead)
    html = client.get(reverse("interventions:capacity")).content.decode()
    assert "Borgere uden medarbejder" in html and "0 CTI + 0 ICM = 0,00" in html
    _count(client, reverse("interventions:capacity"), django_assert_max_num_queries, 12)


@pytest.mark.parametrize("n", [5, 50])
def test_fidelity_constant_queries(client, django_assert_max_num_queries, n, team_lead, settings):
    settings.CASELOAD_CAP_CTI = 100
    worker = WorkerFactory(team=team_lead.team)
    _fill(worker, n)
    logged_in(client, team_lead)
    assert client.get(reverse("interventions:fidelity")).content.decode().count("Ingen kontakt i 20 dage") == n
    # 13: one more since the team lead's second factor (django-otp reads the session's device).
    _count(client, reverse("interventions:fidelity"), django_assert_max_num_queries, 13)


@pytest.mark.parametrize("n", [5, 50])
def test_visit_list_constant_queries(client, django_assert_max_num_queries, n, settings):
    settings.CASELOAD_CAP_CTI = 100
    worker = WorkerFactory()
    _fill(worker, n)
    logged_in(client, worker)
    html = client.get(reverse("interventions:visit_list")).content.decode()
    assert f"{n * 45 / 60:.2f}".replace(".", ",") + " t" in html
    _count(client, reverse("interventions:visit_list"), django_assert_max_num_queries, 12)


@pytest.mark.parametrize("n", [5, 50])
def test_dashboard_constant_queries(client, django_assert_max_num_queries, n, team_lead, settings):
    settings.CASELOAD_CAP_CTI = 100
    worker = WorkerFactory(team=team_lead.team)
    _fill(worker, n)
    logged_in(client, worker)
    assert "Mine borgere" in client.get(reverse("dashboard")).content.decode()
    _count(client, reverse("dashboard"), django_assert_max_num_queries, 14)
    client.cookies.clear()
    logged_in(client, team_lead)
    assert "borgere med advarsler" in client.get(reverse("dashboard")).content.decode()
    _count(client, reverse("dashboard"), django_assert_max_num_queries, 16)


# --- Panels ---------------------------------------------------------------------------------------------


def test_citizen_panel_shows_the_timeline_and_the_log_button(worker):
    intervention = _mine(worker)[0]
    VisitFactory(intervention=intervention, worker=worker)
    request = RequestFactory().get("/")
    request.user = worker
    rendered = [
        render_to_string(name, {"panel": context, "perms": _Perms(worker)}, request=request)
        for name, context in panels.citizen_page.collect(request, intervention.citizen)
        if name.startswith("interventions/")
    ]
    html = rendered[0]
    assert "Kontaktperiode" in html and "Registrér besøg" in html
    assert f"?citizen={intervention.citizen.pk}" in html


class _Perms:
    def __init__(self, user):
        self.user = user

    def __getitem__(self, app):
        user = self.user

        class App:
            def __getitem__(self, codename):
                return user.has_perm(f"{app}.{codename}")

            def __getattr__(self, codename):
                return user.has_perm(f"{app}.{codename}")

        return App()


def test_phase_form_records_a_transition(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:phase", args=[intervention.pk]), {"phase": "1", "date": TODAY.isoformat()}
    )
    assert response.status_code == 302
    assert intervention.transitions.get().phase == "1"
    response = worker_client.post(
        reverse("interventions:phase", args=[intervention.pk]), {"phase": "1", "date": TODAY.isoformat()}
    )
    assert "Denne fase er allerede registreret." in response.content.decode()


def test_change_method_form_links_the_new_course(worker_client, worker):
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:change_method", args=[intervention.pk]),
        {"method": "ICM", "date": TODAY.isoformat(), "worker": worker.pk},
    )
    new = intervention.citizen.interventions.get(previous=intervention)
    assert response.url == new.get_absolute_url()
    page = worker_client.get(new.get_absolute_url()).content.decode()
    assert "Overgået til anden metode" in page and "ICM-opfølgninger" in page


def test_ended_intervention_forms_redirect_with_a_message(worker_client, worker):
    intervention = _mine(worker, status="ended", end_date=TODAY, end_reason="goals_met")[0]
    response = worker_client.get(reverse("interventions:pause", args=[intervention.pk]), follow=True)
    assert "Indsatsen er afsluttet." in response.content.decode()


def test_visit_hint_shows_the_last_visit(worker_client, worker):
    intervention = _mine(worker)[0]
    VisitFactory(intervention=intervention, worker=worker, kind=Visit.Kind.PHONE)
    response = worker_client.get(reverse("interventions:visit_hint"), {"intervention": intervention.pk})
    assert "Seneste besøg" in response.content.decode() and "Telefonopkald" in response.content.decode()
    other = _other_team()
    assert worker_client.get(reverse("interventions:visit_hint"), {"intervention": other.pk}).content == b""


def test_the_administrator_edits_the_phase_template_in_the_admin(client):
    from interventions.models import PhaseTemplate

    # The Django admin is superuser-only (the operator's tool): an administrator of the app uses the app.
    operator = logged_in(client, AdministratorFactory(is_superuser=True))
    template = PhaseTemplate.current()
    url = reverse("admin:interventions_phasetemplate_change", args=[template.pk])
    assert operator.get(url).status_code == 200
    response = operator.post(
        url,
        {
            "contact_period_weeks": 3,
            "phase_1_months": 2,
            "phase_2_months": 4,
            "phase_3_months": 3,
            "icm_follow_up_months": 6,
            "contact_every_days_phase_1": 7,
            "contact_every_days_phase_2": 14,
            "contact_every_days_phase_3": 30,
            "icm_contact_every_days": 14,
            "act_contact_every_days": 7,
            "supervision_every_days": 14,
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.contact_period_weeks, template.phase_2_months) == (3, 4)


# --- Changing method: only a team lead chooses the worker -----------------------------------------------


def test_a_workers_change_method_form_has_no_worker_field_and_keeps_the_worker(worker_client, worker):
    intervention = _mine(worker)[0]
    colleague = WorkerFactory(team=worker.team)
    url = reverse("interventions:change_method", args=[intervention.pk])
    page = worker_client.get(url).content.decode()
    assert 'name="worker"' not in page
    assert "Det nye forløb beholder sin bostøttemedarbejder" in page
    # A hand-made POST naming a colleague is ignored: the worker cannot assign.
    response = worker_client.post(url, {"method": "ICM", "date": TODAY.isoformat(), "worker": colleague.pk})
    new = intervention.citizen.interventions.get(previous=intervention)
    assert response.url == new.get_absolute_url()
    assert new.worker == worker
    assert not colleague.caseload.exists()


def test_a_workers_method_change_without_qualification_waits_for_a_lead(worker_client, worker):
    worker.qualified_icm = False
    worker.save()
    intervention = _mine(worker)[0]
    response = worker_client.post(
        reverse("interventions:change_method", args=[intervention.pk]),
        {"method": "ICM", "date": TODAY.isoformat()},
        follow=True,
    )
    html = response.content.decode()
    assert "Forløbet fortsætter som ICM." in html
    assert "Det nye forløb har endnu ingen bostøttemedarbejder; en teamleder tildeler en." in html
    assert intervention.citizen.interventions.get(previous=intervention).worker is None


def test_a_lead_chooses_the_worker_when_changing_method(lead_client, worker):
    intervention = _mine(worker)[0]
    colleague = WorkerFactory(team=worker.team)
    url = reverse("interventions:change_method", args=[intervention.pk])
    assert 'name="worker"' in lead_client.get(url).content.decode()
    lead_client.post(url, {"method": "ICM", "date": TODAY.isoformat(), "worker": colleague.pk})
    assert intervention.citizen.interventions.get(previous=intervention).worker == colleague


# --- Capacity board: distinct region names, and words beside the colours -------------------------------


def test_capacity_board_says_nearly_full_and_names_its_regions_apart(lead_client, team_lead):
    nearly = WorkerFactory(team=team_lead.team, first_name="Sara", last_name="Nielsen")
    for _i in range(11):  # 11/12 = 92 %: the yellow bar
        InterventionFactory(worker=nearly, citizen__team=team_lead.team)
    html = lead_client.get(reverse("interventions:capacity")).content.decode()
    assert "11 CTI + 0 ICM = 0,92" in html
    assert "næsten fuld" in html and "bi-hourglass-split" in html
    assert 'aria-label="Medarbejdere"' not in html
    assert 'aria-label="Belastning pr. medarbejder"' in html
    assert html.count(">Medarbejdere</h2>") == 1


def test_capacity_board_an_empty_worker_is_not_nearly_full(lead_client, team_lead):
    WorkerFactory(team=team_lead.team)
    html = lead_client.get(reverse("interventions:capacity")).content.decode()
    assert "næsten fuld" not in html


# --- Month totals: the newest months, limited in the query -------------------------------------------------


def test_visit_list_shows_the_twelve_newest_months_limited_in_the_database(worker_client, worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from interventions.selectors import month_totals

    intervention = _mine(worker, start_date=TODAY - datetime.timedelta(days=800))[0]
    first = TODAY.replace(day=1)
    months = []
    for back in range(20):
        month = first
        for _i in range(back):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
        months.append(month)
        VisitFactory(intervention=intervention, worker=worker, date=month, duration_minutes=60)
    with CaptureQueriesContext(connection) as queries:
        rows = month_totals(Visit.objects.filter(worker=worker))
    assert [row["month"] for row in rows] == months[:12]
    assert "LIMIT 12" in queries.captured_queries[-1]["sql"].upper()
    html = worker_client.get(reverse("interventions:visit_list")).content.decode()
    table = html.split("Timer pr. måned")[-1].split("</table>")[0]
    assert table.count("<tr><td>") == 12


def test_an_invoiced_visit_shows_it_is_locked_instead_of_correct_and_delete(worker_client, worker):
    visit = VisitFactory(intervention=_mine(worker)[0], worker=worker)
    LockedMonthFactory(municipality=visit.intervention.citizen.paying_municipality, month=visit.date.replace(day=1))
    html = worker_client.get(visit.get_absolute_url()).content.decode()
    assert "Låst: faktureret" in html
    assert reverse("interventions:visit_edit", args=[visit.pk]) not in html


def test_administrator_opens_a_workers_visit_list_from_the_capacity_board(admin_client_, worker):
    VisitFactory(intervention=_mine(worker)[0], worker=worker)
    response = admin_client_.get(reverse("interventions:visit_list") + f"?worker={worker.pk}")
    assert response.status_code == 200
    assert str(worker) in response.content.decode()
