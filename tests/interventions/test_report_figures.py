"""Every fidelity item and outcome figure, with its n and unknowns, reads the same on the page, in the CSV,
XLSX and PDF exports and from `manage.py report`: one known quarter (Q1 2026), numbers asserted exactly."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from housingfirst.models import Export, Method
from interventions.models import HousingStatus, Intervention, Pause, Phase, SupervisionMeeting, Visit
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    PauseFactory,
    PhaseTransitionFactory,
    VisitFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PERIOD = {"from_date": "2026-01-01", "to_date": "2026-03-31"}

FIDELITY = {
    "Medarbejdermåneder over loftet for sagsantal": "0 af 6 (0,0 %)",
    "Første kontakt på startdagen eller dagen efter": "1 af 2 (50,0 %) · 1 endnu uden kontakt · median 0,0 dage",
    "Mindst 2 kontakter i den første måned": "1 af 2 (50,0 %)",
    "Kontaktperioder opfyldt: Kontaktperiode": "2 af 4 (50,0 %) · længste hul 15 dage · 1 forsøg på kontakt",
    "Kontaktperioder opfyldt: Fase 1": "10 af 18 (55,6 %) · længste hul 45 dage · 0 forsøg på kontakt",
    "Kontaktperioder opfyldt: ICM": "2 af 4 (50,0 %) · længste hul 46 dage · 0 forsøg på kontakt",
    "Minutters kontakt pr. uge pr. fase": "Fase 1: 30,7 · forløb med stigning: 0 af 3 (0,0 %)",
    "Faseskift senere end planlagt": "1 af 2 (50,0 %) · gennemsnitligt 0,5 dage fra planen",
    "CTI-forløb ud over den planlagte afslutning": "0 af 3 (0,0 %)",
    "CTI-forløb afsluttet før den planlagte afslutning (frafald)": "1 af 1 (100,0 %)",
    "Medarbejdere til metodesupervision som forventet": "1 af 3 (33,3 %) · 7 af 18 deltagelser",
}
OUTCOMES = {
    "I egen bolig ved CTI-forløbets afslutning": "1 af 1 (100,0 %) i egen bolig · 0 ukendte af 1",
    "I egen bolig 12 måneder efter CTI": "0 af 1 (0,0 %) i egen bolig · 1 ukendt af 2",
    "Midlertidige ophold på forsorgshjem under støtten": "1 ophold for 1 borgere · gennemsnit 28,0 dage",
    "Dage fra udflytning fra forsorgshjem til første kontakt": "median 3,0 dage (n = 1) · 1 ukendt",
    "Afsluttede forløb": "1",
    "Afsluttet: Borgeren ønsker ikke længere støtte": "1",
}


@pytest.fixture
def quarter(team_lead):
    """Q1 2026 of one team: a weekly CTI course, one without visits, an ICM course with a shelter return,
    a drop-out, two earlier courses at their 12-month follow-up, and method supervision."""
    worker = team_lead.team and WorkerFactory(team=team_lead.team)
    other = WorkerFactory(team=team_lead.team)
    team = worker.team
    team.name = "Team Nord"
    team.save()

    def course(start, method=Method.CTI, who=worker, shelter_to=None, **kwargs):
        citizen = CitizenFactory(team=team, shelter_stay_to=shelter_to)
        return InterventionFactory(citizen=citizen, worker=who, method=method, start_date=start, **kwargs)

    weekly = course(D(2026, 1, 5), shelter_to=D(2026, 1, 2))
    PhaseTransitionFactory(intervention=weekly, phase=Phase.PHASE_1, date=D(2026, 1, 19))
    for week in range(12):
        VisitFactory(intervention=weekly, date=D(2026, 1, 5) + datetime.timedelta(weeks=week), duration_minutes=60)
    VisitFactory(intervention=weekly, date=D(2026, 1, 7), duration_minutes=10, kind=Visit.Kind.ATTEMPTED_CONTACT)
    # Started on a month's last day, never visited; phase 1 recorded a day late (planned 14 February).
    silent = course(D(2026, 1, 31), who=other)
    PhaseTransitionFactory(intervention=silent, phase=Phase.PHASE_1, date=D(2026, 2, 15))
    icm = course(D(2025, 12, 1), method=Method.ICM, who=other)
    PauseFactory(intervention=icm, from_date=D(2026, 1, 15), to_date=D(2026, 2, 12), reason=Pause.Reason.SHELTER)
    VisitFactory(intervention=icm, date=D(2026, 1, 2))
    VisitFactory(intervention=icm, date=D(2026, 2, 13))
    dropped = course(
        D(2025, 11, 3),
        shelter_to=D(2025, 10, 31),
        status=Intervention.Status.ENDED,
        end_date=D(2026, 1, 20),
        end_reason=Intervention.EndReason.CITIZEN_DECLINED,
    )
    VisitFactory(intervention=dropped, date=D(2025, 11, 3))
    PhaseTransitionFactory(intervention=dropped, phase=Phase.PHASE_1, date=D(2025, 11, 17))
    HousingStatus.objects.create(
        intervention=dropped, checkpoint="end", status=HousingStatus.Status.OWN_HOME_KEPT, recorded_by=worker
    )
    for end, status in ((D(2025, 2, 10), HousingStatus.Status.SHELTER), (D(2025, 3, 1), None)):
        earlier = course(
            D(2024, 5, 10), status=Intervention.Status.ENDED, end_date=end, end_reason=Intervention.EndReason.GOALS_MET
        )
        if status:
            HousingStatus.objects.create(intervention=earlier, checkpoint="12m", status=status, recorded_by=worker)
    for day in (D(2026, 1, 8), D(2026, 1, 22), D(2026, 2, 5), D(2026, 2, 19), D(2026, 3, 5), D(2026, 3, 19)):
        meeting = SupervisionMeeting.objects.create(team=team, date=day, recorded_by=team_lead)
        meeting.participants.add(worker)
    SupervisionMeeting.objects.create(team=team, date=D(2026, 3, 12), recorded_by=team_lead).participants.add(other)
    return team


def rows_of(text: str) -> dict[str, list[str]]:
    return {row[1] if len(row) > 3 else row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";") if row}


def test_the_page_shows_every_item_with_its_count(lead_client, quarter):
    page = lead_client.get(reverse("interventions:method_fidelity"), PERIOD).content.decode()
    for label, value in FIDELITY.items():
        assert label in page and value in page, label
    outcomes = lead_client.get(reverse("interventions:outcomes"), PERIOD).content.decode()
    for label, value in OUTCOMES.items():
        assert label in outcomes and value in outcomes, label


def _export(client, page, fmt) -> bytes:
    response = client.post(reverse("interventions:report_export", args=[page]), {"format": fmt, **PERIOD})
    assert response.status_code == 302
    export = Export.objects.order_by("-requested_at").first()
    assert export.status == Export.Status.DONE, export.error
    with export.file.open("rb") as handle:
        return handle.read()


def test_the_exports_carry_the_same_numbers(lead_client, quarter):
    rows = rows_of(_export(lead_client, "fidelity", "csv").decode("utf-8-sig"))
    for label, value in FIDELITY.items():
        assert rows[label][3] == value, label
    book = load_workbook(io.BytesIO(_export(lead_client, "fidelity", "xlsx")))
    sheet = {row[1]: row[3] for row in book["Metodetroskab"].iter_rows(min_row=2, values_only=True)}
    assert {label: sheet[label] for label in FIDELITY} == FIDELITY
    pdf = PdfReader(io.BytesIO(_export(lead_client, "fidelity", "pdf")))
    text = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)
    for value in ("0 af 6 (0,0 %)", "1 af 2 (50,0 %) · 1 endnu uden kontakt", "1 af 3 (33,3 %) · 7 af 18 deltagelser"):
        assert value in text
    outcome_rows = {
        row[0]: row
        for row in csv.reader(io.StringIO(_export(lead_client, "outcomes", "csv").decode("utf-8-sig")), delimiter=";")
        if row
    }
    for label, value in OUTCOMES.items():
        assert outcome_rows[label][1] == value, label


def test_the_command_writes_the_same_numbers(quarter, capsysbinary):
    call_command("report", "fidelity", "--from", "2026-01-01", "--to", "2026-03-31", "--team", "Team Nord")
    rows = rows_of(capsysbinary.readouterr().out.decode("utf-8-sig"))
    assert {label: rows[label][3] for label in FIDELITY} == FIDELITY
    call_command("report", "outcomes", "--from", "2026-01-01", "--to", "2026-03-31", "--team", "Team Nord")
    text = capsysbinary.readouterr().out.decode("utf-8-sig")
    outcome_rows = {row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";") if row}
    assert {label: outcome_rows[label][1] for label in OUTCOMES} == OUTCOMES
