"""Journey: a team lead assigns waiting CTI citizens on the capacity board, within the caps."""

import pytest
from playwright.sync_api import expect

from interventions.models import Intervention
from tests.e2e.helpers import assert_accessible, assert_colour_not_alone, open_menu, shoot
from tests.factories import InterventionFactory, TeamFactory, TeamLeadFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_team_lead_assigns_within_the_cap_and_is_told_who_has_room(pages, desktop):
    team = TeamFactory(name="Team Nord")
    lead = TeamLeadFactory(team=team, first_name="Lars", last_name="Kjær")
    anna = WorkerFactory(team=team, first_name="Anna", last_name="Berg")
    bo = WorkerFactory(team=team, first_name="Bo", last_name="Friis")
    for _ in range(12):  # a full CTI caseload: 12 × 1/12
        InterventionFactory(citizen__team=team, worker=bo)
    waiting = [
        InterventionFactory(
            citizen__team=team, citizen__first_name=first, citizen__last_name="Holm", worker=None, coordinator=None
        )
        for first in ("Karl", "Lise")
    ]
    page = pages.log_in(desktop, lead)

    open_menu(page, "Kapacitet")
    expect(page.get_by_role("heading", name="Kapacitet · Team Nord")).to_be_visible()
    workers = page.get_by_role("region", name="Medarbejdere")
    # Bo is at the cap: said in words and with an icon, not only by the colour of his bar.
    expect(workers.get_by_role("row", name="Bo Friis")).to_contain_text("12 CTI + 0 ICM = 1,00 fuld")
    expect(workers.get_by_role("row", name="Anna Berg")).to_contain_text("0 CTI + 0 ICM = 0,00")
    waiting_list = page.get_by_role("region", name="Borgere uden medarbejder")
    expect(waiting_list.get_by_role("listitem")).to_have_count(2)
    assert_accessible(page, "capacity-board-journey")
    assert_colour_not_alone(page, "capacity-board-journey")
    shoot(page, "capacity-board-journey")

    page.get_by_label("Medarbejder til Karl Holm").select_option(label="Anna Berg (0,00)")
    waiting_list.get_by_role("listitem").filter(has_text="Karl Holm").get_by_role("button", name="Tildel").click()
    expect(page.get_by_text("Karl Holm er tildelt Anna Berg.")).to_be_visible()
    expect(workers.get_by_role("row", name="Anna Berg")).to_contain_text("1 CTI + 0 ICM = 0,08")
    expect(waiting_list.get_by_role("listitem")).to_have_count(1)

    # Bo is offered under "Fuld"; choosing him anyway is refused, and the message says who has room.
    page.get_by_label("Medarbejder til Lise Holm").select_option(label="Bo Friis (1,00)")
    waiting_list.get_by_role("listitem").filter(has_text="Lise Holm").get_by_role("button", name="Tildel").click()
    refusal = page.get_by_role("alert").filter(has_text="Bo Friis har ikke plads til endnu en CTI-borger")
    expect(refusal).to_contain_text("12 CTI + 0 ICM = 1,00")
    expect(refusal).to_contain_text("Plads til CTI: Anna Berg")
    expect(waiting_list.get_by_role("listitem")).to_have_count(1)
    assert_accessible(page, "capacity-board-refused")
    assert_colour_not_alone(page, "capacity-board-refused")
    shoot(page, "capacity-board-refused")

    for intervention in waiting:
        intervention.refresh_from_db()
    assert (waiting[0].worker, waiting[0].coordinator, waiting[1].worker) == (anna, anna, None)
    assert Intervention.objects.filter(worker=bo).count() == 12

    # The warnings page shows its warnings in words too.
    open_menu(page, "Advarsler")
    expect(page.get_by_role("heading", name="Advarsler · Team Nord")).to_be_visible()
    assert_accessible(page, "warnings")
    assert_colour_not_alone(page, "warnings")
    shoot(page, "warnings")
