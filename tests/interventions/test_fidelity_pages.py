"""The fidelity and outcomes pages, meetings, the housing-status form, the exports and `manage.py report`."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from housingfirst.models import Export
from interventions.fidelity import quarter_of
from interventions.models import HousingStatus, Intervention, Phase, SupervisionMeeting
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    PauseFactory,
    PhaseTransitionFactory,
    TeamFactory,
    VisitFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db
URL = reverse("interventions:method_fidelity")
OUTCOMES = reverse("interventions:outcomes")


def courses(worker, n, start=None):
    start = start or quarter_of(timezone.localdate()).start
    made = []
    for _ in range(n):
        intervention = InterventionFactory(citizen=CitizenFactory(team=worker.team), worker=worker, start_date=start)
        PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=start)
        VisitFactory(intervention=intervention, date=start)
        made.append(intervention)
    return made


def test_team_lead_sees_the_figures_with_their_expectations(lead_client, worker):
    courses(worker, 2)
    response = lead_client.get(URL)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Metodetroskab" in text
    assert "Første kontakt på startdagen eller dagen efter" in text
    assert "2 af 2 (100,0 %)" in text
    assert "<svg" in text and 'role="img"' in text


def test_the_page_costs_the_same_queries_for_many_courses(lead_client, worker, django_assert_max_num_queries):
    courses(worker, 2)
    with django_assert_max_num_queries(40) as few:
        lead_client.get(URL)
    other = WorkerFactory(team=worker.team)
    courses(other, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = lead_client.get(URL)
    assert response.context["page"].paginator.count == 27


def test_another_teams_figures_answer_404(lead_client):
    assert lead_client.get(URL, {"team": TeamFactory().pk}).status_code == 404
    assert lead_client.get(OUTCOMES, {"team": TeamFactory().pk}).status_code == 404


def test_a_support_worker_may_not_see_the_page(worker_client):
    assert worker_client.get(URL).status_code == 403


def test_administrator_sees_teams_side_by_side(admin_client_, worker):
    courses(worker, 1)
    other = WorkerFactory(team=TeamFactory(name="Team Syd"))
    courses(other, 1)
    text = admin_client_.get(URL).content.decode()
    assert "Teams side om side" in text
    assert "Team Syd" in text and worker.team.name in text and "Alle teams" in text


def _outcome_courses(worker, n):
    """n courses this quarter, each with a visit and a return to the shelter, and n ended CTI courses with
    their end status recorded and their follow-ups due."""
    start = quarter_of(timezone.localdate()).start
    for course in courses(worker, n, start=start):
        PauseFactory(intervention=course, from_date=start, to_date=start + datetime.timedelta(days=3), reason="shelter")
    for _ in range(n):
        done = InterventionFactory(
            citizen=CitizenFactory(team=worker.team),
            worker=worker,
            start_date=start - datetime.timedelta(days=300),
            status=Intervention.Status.ENDED,
            end_date=start - datetime.timedelta(days=10),
            end_reason=Intervention.EndReason.GOALS_MET,
        )
        HousingStatus.objects.create(
            intervention=done, checkpoint=HousingStatus.Checkpoint.END, status="own_home_kept", recorded_by=worker
        )


@pytest.mark.parametrize("who", ["administrator", "team lead"])
def test_the_outcomes_page_costs_the_same_queries_for_many_courses(
    who, client, administrator, team_lead, worker, django_assert_max_num_queries
):
    from tests.conftest import logged_in

    logged_in(client, administrator if who == "administrator" else team_lead)
    _outcome_courses(worker, 1)
    with django_assert_max_num_queries(30) as few:
        assert client.get(OUTCOMES, {"show": "returns"}).status_code == 200
    _outcome_courses(worker, 8)
    _outcome_courses(WorkerFactory(team=worker.team), 4)
    _outcome_courses(WorkerFactory(team=TeamFactory(name="Team Syd")), 8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(OUTCOMES, {"show": "returns"})
    # The returns to the shelter this quarter: the lead's team's 13, or all 21 for the administrator.
    assert response.context["page"].paginator.count == (21 if who == "administrator" else 13)
    assert ("Team Syd" in response.content.decode()) == (who == "administrator")


def test_a_bad_period_is_told_on_the_field_and_the_quarter_shown(lead_client):
    response = lead_client.get(URL, {"from_date": "2026-03-01", "to_date": "2026-01-01"})
    assert "Perioden kan ikke slutte, før den begynder." in response.content.decode()
    assert response.context["period"] == quarter_of(timezone.localdate())


def test_the_link_from_a_figure_lists_the_courses_behind_it(lead_client, worker):
    on_time, late = courses(worker, 2)
    late.visits.all().delete()
    response = lead_client.get(URL, {"show": "first_contact"})
    assert [course.intervention.pk for course in response.context["page"]] == [late.pk]


def test_meetings_are_recorded_and_count_for_supervision(lead_client, team_lead, worker):
    url = reverse("interventions:meetings")
    today = timezone.localdate()
    response = lead_client.post(url, {"date": today.isoformat(), "kind": "supervision", "participants": [worker.pk]})
    assert response.status_code == 302
    meeting = SupervisionMeeting.objects.get()
    assert list(meeting.participants.all()) == [worker]
    future = lead_client.post(
        url,
        {"date": (today + datetime.timedelta(days=1)).isoformat(), "kind": "supervision", "participants": [worker.pk]},
    )
    assert "Et møde registreres, når det har fundet sted; datoen ligger i fremtiden." in future.content.decode()
    outsider = WorkerFactory()
    bad = lead_client.post(url, {"date": today.isoformat(), "kind": "supervision", "participants": [outsider.pk]})
    assert bad.status_code == 200 and SupervisionMeeting.objects.count() == 1


def test_housing_status_form_records_and_refuses_twice(worker_client, worker):
    course = InterventionFactory(
        citizen=CitizenFactory(team=worker.team),
        worker=worker,
        start_date=timezone.localdate() - datetime.timedelta(days=200),
        status=Intervention.Status.ENDED,
        end_date=timezone.localdate() - datetime.timedelta(days=1),
        end_reason=Intervention.EndReason.GOALS_MET,
    )
    dashboard = worker_client.get(reverse("dashboard")).content.decode()
    assert "Opfølgning på boligstatus" in dashboard
    url = reverse("interventions:housing_status", args=[course.pk, "end"])
    assert worker_client.post(url, {"status": "own_home_kept"}).status_code == 302
    assert HousingStatus.objects.get().status == "own_home_kept"
    again = worker_client.post(url, {"status": "shelter"})
    assert "Boligstatus er allerede registreret for dette tidspunkt." in again.content.decode()
    other = InterventionFactory()
    assert worker_client.get(reverse("interventions:housing_status", args=[other.pk, "end"])).status_code == 404


def _export(client, page, fmt, **extra):
    response = client.post(reverse("interventions:report_export", args=[page]), {"format": fmt, **extra})
    assert response.status_code == 302
    export = Export.objects.order_by("-requested_at").first()
    assert export.status == Export.Status.DONE, export.error
    return export


def test_fidelity_exports_as_csv_xlsx_and_pdf(lead_client, worker):
    courses(worker, 2)
    export = _export(lead_client, "fidelity", "csv")
    with export.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Metodetroskab"]
    assert any(
        len(row) > 3
        and row[1] == "Første kontakt på startdagen eller dagen efter"
        and row[3].startswith("2 af 2 (100,0 %)")
        for row in rows
    )
    assert len(export.citizen_ids) == 2

    export = _export(lead_client, "fidelity", "xlsx")
    with export.file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames[0] == "Metodetroskab"

    export = _export(lead_client, "fidelity", "pdf")
    with export.file.open("rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    assert "Metodetroskab" in pdf.pages[0].extract_text()


def test_an_export_of_another_team_answers_404(lead_client):
    response = lead_client.post(
        reverse("interventions:report_export", args=["fidelity"]), {"format": "csv", "team": TeamFactory().pk}
    )
    assert response.status_code == 404
    assert not Export.objects.exists()


def test_progress_report_for_the_caseworker(worker_client, worker):
    (course,) = courses(worker, 1)
    response = worker_client.post(reverse("interventions:progress_report", args=[course.pk]))
    assert response.status_code == 302
    export = Export.objects.get()
    assert export.status == Export.Status.DONE, export.error
    assert export.citizen_ids == [course.citizen_id]
    with export.file.open("rb") as handle:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Statusrapport" in text and course.citizen.full_name in text
    assert course.citizen.cpr not in text.replace("-", "")


def test_the_report_command_writes_csv_for_one_team(tmp_path, worker):
    worker.team.name = "Team Nord"
    worker.team.save()
    courses(worker, 1)
    period = quarter_of(timezone.localdate())
    out = tmp_path / "troskab.csv"
    call_command(
        "report",
        "fidelity",
        "--from",
        period.start.isoformat(),
        "--to",
        period.end.isoformat(),
        "--team",
        "team nord",
        "--format",
        "csv",
        "--output",
        str(out),
    )
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1][3] == "Team Nord"
    out = tmp_path / "resultater.xlsx"
    call_command(
        "report",
        "outcomes",
        "--from",
        period.start.isoformat(),
        "--to",
        period.end.isoformat(),
        "--by",
        "method",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    assert load_workbook(out).sheetnames == ["Resultater", "Forløb"]
