"""Journey: a team lead on a phone follows an overview count to the rows behind it, filters the citizen
list by worker and method, and reads the capacity board, a CTI phase table and a visit list, all within
390 px and axe clean."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from housingfirst.models import Method
from tests.e2e.helpers import assert_accessible, assert_fits, open_menu, shoot
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    PhaseTransitionFactory,
    TeamFactory,
    TeamLeadFactory,
    VisitFactory,
    WorkerFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/work/tools/shots/i14")


def _look(page, name, *, docs=False):
    assert_fits(page, name)
    assert_accessible(page, name)
    path = shoot(page, name, docs=docs)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_a_lead_follows_a_count_and_filters_the_citizen_list_on_a_phone(pages, phone):
    team = TeamFactory(name="Team Syd")
    lead = TeamLeadFactory(team=team, first_name="Lone")
    anna = WorkerFactory(team=team, first_name="Anna", last_name="Berg")
    bo = WorkerFactory(team=team, first_name="Bo", last_name="Friis")
    course = InterventionFactory(
        citizen=CitizenFactory(team=team, first_name="Jens", last_name="Østergaard"), worker=anna
    )
    PhaseTransitionFactory(intervention=course, phase="1", date=course.start_date)
    VisitFactory(intervention=course)
    InterventionFactory(citizen=CitizenFactory(team=team, first_name="Kirsten", last_name="Aagaard"), worker=bo)
    InterventionFactory(
        citizen=CitizenFactory(team=team, first_name="Ole", last_name="Bæk"), worker=anna, method=Method.ICM
    )
    InterventionFactory(
        citizen=CitizenFactory(team=team, first_name="Karl", last_name="Venter"), worker=None, coordinator=None
    )
    CitizenFactory(team=team, first_name="Mia", last_name="Ny")  # registered, no course yet

    page = pages.log_in(phone, lead)
    _look(page, "lead-overview-phone")
    page.get_by_role("link", name="2 borgere uden medarbejder").click()
    expect(page).to_have_url(pages.url("/borgere/?worker=none"))
    expect(page.get_by_text("2 borgere", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Venter, Karl")).to_be_visible()
    expect(page.get_by_role("link", name="Ny, Mia")).to_be_visible()
    _look(page, "citizen-list-without-worker-phone")

    # Anna's CTI citizens: the filters post, and the list comes back as an ordinary GET.
    page.get_by_label("Bostøttemedarbejder").select_option(label=str(anna))
    page.get_by_label("Metode").select_option("CTI")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_text("1 borger", exact=True)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Østergaard, Jens")
    expect(row).to_contain_text("Anna Berg")
    expect(row).to_contain_text("Fase 1")
    expect(page.get_by_role("link", name="Bæk, Ole")).to_have_count(0)
    _look(page, "citizen-list-filtered-phone")
    shoot(page, "citizen-list-phone", docs=True)  # the README's picture (`make screenshots`)

    # A name typed without Danish letters finds it.
    page.get_by_label("Navn eller fødselsdato").fill("oestergaard")
    page.get_by_label("Bostøttemedarbejder").select_option("")
    page.get_by_label("Metode").select_option("")
    page.get_by_role("button", name="Søg").click()
    expect(page.get_by_role("link", name="Østergaard, Jens")).to_be_visible()
    expect(page.get_by_text("1 borger", exact=True)).to_be_visible()

    # The pages the lead reads next fit the phone too.
    open_menu(page, "Kapacitet")
    expect(page.get_by_role("heading", name="Kapacitet · Team Syd")).to_be_visible()
    _look(page, "capacity-board-phone")
    page.goto(pages.url(course.get_absolute_url()))
    expect(page.get_by_role("region", name="Planlagte og faktiske fasedatoer")).to_be_visible()
    _look(page, "cti-phases-phone")
    page.goto(pages.url(f"/indsatser/besoeg/?worker={anna.pk}&kind=home_visit"))
    expect(page.get_by_text("1 besøg passer")).to_be_visible()
    _look(page, "visit-list-filtered-phone")
