"""Journey: an administrator makes a citizen's access export and asks for erasure; a second one approves it."""

import os
import shutil

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, shoot
from tests.factories import AdministratorFactory, CitizenFactory, ProviderFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _keep(path, name):
    # For the helper's notes: SHOTS_DIR=/work/tools/shots/i11 copies the pictures there.
    if os.environ.get("SHOTS_DIR"):
        shutil.copy(path, os.path.join(os.environ["SHOTS_DIR"], f"{name}.png"))


def test_access_export_and_erasure_by_two_administrators(pages, desktop, new_context):
    from tests.e2e.helpers import DESKTOP

    ProviderFactory()
    first = AdministratorFactory(first_name="Anna", last_name="Første")
    second = AdministratorFactory(first_name="Bent", last_name="Anden")
    citizen = CitizenFactory(first_name="Åse", last_name="Østergård")

    page = pages.log_in(desktop, first)
    page.goto(pages.url(citizen.get_absolute_url()))
    page.get_by_role("button", name="Lav indsigtsudtræk").click()
    expect(page.get_by_text("Filen er klar.")).to_be_visible()
    _keep(shoot(page, "access-export-ready"), "access-export-ready")

    page.goto(pages.url(citizen.get_absolute_url()))
    page.get_by_label("Hvorfor skal borgerens oplysninger slettes nu?").fill("Borgeren har bedt om sletning")
    page.get_by_role("button", name="Anmod om sletning").click()
    expect(page.get_by_text("Venter på, at en anden administrator godkender den.")).to_be_visible()
    assert_accessible(page, "erasure-requested")
    _keep(shoot(page, "erasure-requested"), "erasure-requested")

    other = pages.log_in(new_context(**DESKTOP).new_page(), second)
    other.goto(pages.url("/"))
    other.get_by_role("link", name="1 sletteanmodning venter på en afgørelse").click()
    other.get_by_role("link", name="Åse Østergård").click()
    expect(other.get_by_role("button", name="Godkend og anonymiser")).to_be_visible()
    _keep(shoot(other, "erasure-to-approve"), "erasure-to-approve")
    other.get_by_role("button", name="Godkend og anonymiser").click()
    expect(other.get_by_text("Borgeren er anonymiseret.")).to_be_visible()
    expect(other.get_by_role("heading", name=f"Anonymiseret borger {citizen.pk}")).to_be_visible()
    assert_accessible(other, "erasure-done")
    _keep(shoot(other, "erasure-done"), "erasure-done")
