"""The citizen list: worker, method and phase columns, filters, sorting, the folded name search, the
birthday typed without a year, and the list as CSV and XLSX."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from citizens.models import Citizen
from housingfirst.models import Export, Method
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    PhaseTransitionFactory,
    TeamFactory,
    WorkerFactory,
)

LIST = reverse("citizens:list")


def html_of(client, **params):
    response = client.get(LIST, params, follow=True)  # a search (q) moves into the session first
    assert response.status_code == 200
    return response.content.decode()


def listed(client, **params):
    """The citizens the list shows, as "Last, First", in the order shown. Assertions look here and not
    at the whole page, where a random worker called Vestergaard or Julie in the menu is not a result."""
    return " | ".join(re.findall(r'class="cell-title"><a href="[^"]*">([^<]*)</a>', html_of(client, **params)))


def test_the_list_shows_worker_method_and_phase(lead_client, team_lead, worker):
    course = InterventionFactory(citizen=CitizenFactory(team=worker.team, last_name="Holm"), worker=worker)
    PhaseTransitionFactory(intervention=course, phase="1", date=course.start_date)
    InterventionFactory(citizen=CitizenFactory(team=worker.team, last_name="Krog"), worker=worker, method=Method.ICM)
    html = html_of(lead_client)
    row = html[html.index("Holm") : html.index("Krog")]
    assert f"{worker.first_name} {worker.last_name}" in row
    assert "CTI" in row and "Fase 1" in row
    assert "ICM" in html[html.index("Krog") :]


def test_filter_by_worker_none_and_method(lead_client, team_lead, worker):
    team = worker.team
    other = WorkerFactory(team=team)
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Qvist"), worker=worker)
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Xander"), worker=other, method=Method.ICM)
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Yding"), worker=None)
    CitizenFactory(team=team, last_name="Zorn")  # no course yet
    CitizenFactory(team=team, last_name="Wulff", status=Citizen.Status.ENDED)

    html = listed(lead_client, worker=worker.pk)
    assert "Qvist" in html and "Xander" not in html and "Yding" not in html
    html = listed(lead_client, worker="none")
    assert "Yding" in html and "Zorn" in html
    assert "Qvist" not in html and "Xander" not in html and "Wulff" not in html
    assert "2 borgere" in html_of(lead_client, worker="none")
    html = listed(lead_client, method="ICM")
    assert "Xander" in html and "Qvist" not in html
    # Another team's worker is not a choice: the filter is ignored rather than leaking who exists.
    stranger = WorkerFactory(team=TeamFactory())
    assert f'value="{stranger.pk}"' not in html_of(lead_client)


def test_filter_by_paying_municipality_and_status(admin_client_):
    a = CitizenFactory(last_name="Aabo", status=Citizen.Status.SUPPORTED)
    b = CitizenFactory(last_name="Bech", status=Citizen.Status.MOVING_OUT)
    html = listed(admin_client_, municipality=a.paying_municipality_id)
    assert "Aabo" in html and ("Bech" not in html or b.paying_municipality_id == a.paying_municipality_id)
    html = listed(admin_client_, status="supported")
    assert "Aabo" in html and "Bech" not in html


def test_sort_by_worker_and_method(lead_client, worker):
    team = worker.team
    anna = WorkerFactory(team=team, first_name="Anna", last_name="A")
    carl = WorkerFactory(team=team, first_name="Carl", last_name="C")
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Zeta"), worker=anna, method=Method.ICM)
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Alfa"), worker=carl, method=Method.CTI)
    html = listed(lead_client, sort="worker")
    assert html.index("Zeta") < html.index("Alfa")
    html = listed(lead_client, sort="-worker")
    assert html.index("Alfa") < html.index("Zeta")
    html = listed(lead_client, sort="method")
    assert html.index("Alfa") < html.index("Zeta")


def _fill(team, n):
    for i in range(n):
        citizen = CitizenFactory(team=team)
        if i % 3 == 0:
            course = InterventionFactory(citizen=citizen)
            PhaseTransitionFactory(intervention=course, phase="1", date=course.start_date)
        elif i % 3 == 1:
            InterventionFactory(citizen=citizen, worker=None, method=Method.ICM)


@pytest.mark.parametrize("params", [{}, {"worker": "none"}, {"method": "CTI", "sort": "-worker"}])
def test_the_list_costs_the_same_queries_for_6_and_30(admin_client_, django_assert_max_num_queries, params):
    team = TeamFactory()
    _fill(team, 6)
    params = {"team": team.pk, **params}
    with django_assert_max_num_queries(25) as captured:
        assert admin_client_.get(LIST, params).status_code == 200
    six = len(captured)
    _fill(team, 24)
    with django_assert_max_num_queries(six):
        assert admin_client_.get(LIST, params).status_code == 200


def test_the_list_is_paginated(lead_client, team_lead):
    for _ in range(27):
        CitizenFactory(team=team_lead.team)
    html = html_of(lead_client)
    assert "Side 1 af 2" in html
    assert html.count('class="cell-title"') == 25


# --- search ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["oestergaard", "Østergaard", "østergård", "OESTERGÅRD", "ib oester"])
def test_a_name_typed_without_danish_letters_finds_them(worker_client, worker, query):
    CitizenFactory(team=worker.team, first_name="Ib", last_name="Østergaard")
    CitizenFactory(team=worker.team, first_name="Bo", last_name="Vestergaard")
    html = listed(worker_client, q=query)
    assert "Østergaard" in html and "Vestergaard" not in html


def test_aa_finds_å_and_ae_finds_æ(worker_client, worker):
    CitizenFactory(team=worker.team, first_name="Søren", last_name="Ærtebjerg")
    CitizenFactory(team=worker.team, first_name="Åse", last_name="Holm")
    assert "Ærtebjerg" in listed(worker_client, q="aertebjerg")
    assert "Holm" in listed(worker_client, q="aase")
    assert "Holm" not in listed(worker_client, q="aertebjerg")


def test_the_folded_name_is_kept_on_save_and_bulk_create(db):
    citizen = CitizenFactory(first_name="Åge", last_name="Bæk")
    assert citizen.search_name == "aage baek"
    citizen.last_name = "Sø"
    citizen.save(update_fields=["last_name"])
    citizen.refresh_from_db()
    assert citizen.search_name == "aage soe"
    template = CitizenFactory.build(first_name="Ørn", last_name="Ås", team=citizen.team)
    template.paying_municipality = template.acting_municipality = citizen.paying_municipality
    template.caseworker = None
    (made,) = Citizen.objects.bulk_create([template])
    assert Citizen.objects.get(pk=made.pk).search_name == "oern aas"


@pytest.mark.parametrize("query", ["0702", "07.02", "7.2", "07-02", "7/2."])
def test_a_birthday_without_the_year_finds_the_citizen(worker_client, worker, query):
    CitizenFactory(team=worker.team, cpr="0702851234", first_name="Ane", last_name="Februar")
    CitizenFactory(team=worker.team, cpr="0802851234", first_name="Ane", last_name="Dagefter")
    CitizenFactory(team=worker.team, cpr="0207851234", first_name="Ane", last_name="Juli")
    html = listed(worker_client, q=query)
    assert "Februar" in html and "Dagefter" not in html and "Juli" not in html


def test_a_day_that_does_not_exist_is_a_name_search(worker_client, worker):
    CitizenFactory(team=worker.team, cpr="0702851234", last_name="Februar")
    assert "Februar" not in listed(worker_client, q="3102")


# --- export ------------------------------------------------------------------------------------------


def _export(client, **params):
    response = client.post(reverse("citizens:export"), params)
    assert response.status_code == 302
    export = Export.objects.order_by("-requested_at").first()
    assert response["Location"] == reverse("export_detail", args=[export.pk])
    assert export.status == Export.Status.DONE, export.error
    with export.file.open("rb") as handle:
        return export, handle.read()


def test_the_filtered_list_exports_as_csv_and_xlsx(lead_client, team_lead, worker):
    team = worker.team
    mine = InterventionFactory(citizen=CitizenFactory(team=team, last_name="Østergaard", cpr="0702851234"))
    PhaseTransitionFactory(intervention=mine, phase="1", date=mine.start_date)
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Krog"), method=Method.ICM)
    CitizenFactory(team=TeamFactory(), last_name="Fremmed")

    export, content = _export(lead_client, format="csv", method="CTI", sort="name")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Efternavn", "Fornavn", "CPR"]
    assert len(rows) == 2
    assert rows[1][0] == "Østergaard" and rows[1][2] == "070285-XXXX"
    assert "CTI" in rows[1] and "Fase 1" in rows[1]
    assert "1234" not in content.decode("utf-8-sig")
    assert export.citizen_ids == [mine.citizen_id]

    _export_, content = _export(lead_client, format="xlsx", q="krog")
    sheet = load_workbook(io.BytesIO(content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 2 and values[1][0] == "Krog" and "ICM" in values[1]


def test_a_support_worker_cannot_export_the_list(worker_client, worker):
    CitizenFactory(team=worker.team)
    assert worker_client.post(reverse("citizens:export"), {"format": "csv"}).status_code == 403
    assert not Export.objects.exists()
    assert "citizens:export" not in html_of(worker_client) and "/borgere/eksport/" not in html_of(worker_client)


def test_the_export_checks_the_right_again_when_it_is_made(db, worker):
    from django.core.exceptions import ValidationError

    from citizens.exports import citizen_list_export

    with pytest.raises(ValidationError):
        citizen_list_export({"format": "csv", "filters": {}}, worker)


def test_a_move_in_date_and_status_in_the_export(lead_client, team_lead):
    CitizenFactory(team=team_lead.team, last_name="Dato", move_in_date=datetime.date(2026, 3, 2))
    _export_, content = _export(lead_client, format="csv")
    text = content.decode("utf-8-sig")
    assert "02.03.2026" in text
