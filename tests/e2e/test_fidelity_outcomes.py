"""Journey: the fidelity and outcomes pages with the demo organisation, on a desktop and a phone, and their PDFs.

The administrator reads all teams side by side and follows a figure to the courses behind it; the team lead
reads the own team on a phone; the quarterly fidelity report and a citizen's progress report are downloaded
as PDFs and their first page kept as a picture. Every page fits its window and passes axe.
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from housingfirst.demo import DEMO_PASSWORD
from interventions.models import Intervention
from tests.e2e.helpers import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_colour_not_alone,
    assert_fits,
    open_menu,
    pdf_page_png,
    shoot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
DOWNLOADS = ARTIFACTS / "downloads"


def _look(page, name):
    expect(page.locator("main")).to_be_visible()
    assert_fits(page, name)
    assert_accessible(page, name)
    assert_colour_not_alone(page, name)
    shoot(page, name)


def _download(page, button: str, name: str) -> Path:
    """Ask for a file, wait on its page until it is made, download it."""
    page.get_by_role("button", name=button).click()
    link = page.get_by_role("link", name="Hent")
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as download:
        link.click()
    target = DOWNLOADS / name
    target.parent.mkdir(parents=True, exist_ok=True)
    download.value.save_as(target)
    assert target.read_bytes()[:5] == b"%PDF-"
    return target


def test_fidelity_and_outcomes_on_desktop_and_phone(demo, pages, new_context):
    admin = new_context(**DESKTOP).new_page()
    pages.log_in(admin, demo["admin"], password=DEMO_PASSWORD)
    open_menu(admin, "Metodetroskab")
    expect(admin.get_by_role("heading", name="Metodetroskab · Alle teams")).to_be_visible()
    figures = admin.get_by_role("region", name="Tal og forventninger")
    expect(figures.get_by_role("row", name="Medarbejdermåneder over loftet")).to_contain_text(" af ")
    expect(admin.get_by_role("img", name="Metodetroskab: andel opfyldt pr. punkt")).to_be_visible()
    expect(admin.get_by_role("heading", name="Teams side om side")).to_be_visible()
    _look(admin, "fidelity-admin-desktop")

    # From a figure to the courses behind it.
    figures.get_by_role("link", name="CTI-forløb ud over den planlagte afslutning").click()
    expect(admin.get_by_role("heading", name="Forløb · Kører ud over den planlagte afslutning")).to_be_visible()
    _look(admin, "fidelity-admin-courses-behind")

    open_menu(admin, "Metodetroskab")
    pdf = _download(admin, "PDF-rapport", "fidelity-report.pdf")
    pdf_page_png(pdf, "fidelity-report-pdf", resolution=60)

    admin.goto(pages.url("/indsatser/resultater/"))
    expect(admin.get_by_role("heading", name="Resultater · Alle teams")).to_be_visible()
    expect(admin.get_by_text("I egen bolig ved CTI-forløbets afslutning").first).to_be_visible()
    _look(admin, "outcomes-admin-desktop")
    pdf = _download(admin, "PDF", "outcomes-report.pdf")
    pdf_page_png(pdf, "outcomes-report-pdf", resolution=60)

    lead = new_context(**PHONE).new_page()
    pages.log_in(lead, demo["teamleder"], password=DEMO_PASSWORD)
    open_menu(lead, "Metodetroskab")
    expect(lead.get_by_role("heading", name="Metodetroskab · Team Nord")).to_be_visible()
    _look(lead, "fidelity-lead-phone")
    lead.goto(pages.url("/indsatser/resultater/"))
    expect(lead.get_by_role("heading", name="Resultater · Team Nord")).to_be_visible()
    _look(lead, "outcomes-lead-phone")

    admin_phone = new_context(**PHONE).new_page()
    pages.log_in(admin_phone, demo["admin"], password=DEMO_PASSWORD)
    admin_phone.goto(pages.url("/indsatser/troskab/"))
    _look(admin_phone, "fidelity-admin-phone")
    admin_phone.goto(pages.url("/indsatser/resultater/"))
    _look(admin_phone, "outcomes-admin-phone")

    lead_desktop = new_context(**DESKTOP).new_page()
    pages.log_in(lead_desktop, demo["teamleder"], password=DEMO_PASSWORD)
    lead_desktop.goto(pages.url("/indsatser/troskab/"))
    _look(lead_desktop, "fidelity-lead-desktop")

    # The progress report for the municipal caseworker, from a running CTI course of the team.
    course = (
        Intervention.objects.filter(citizen__team=demo["teamleder"].team, method="CTI", status="active")
        .order_by("start_date")
        .first()
    )
    lead_desktop.goto(pages.url(course.get_absolute_url()))
    pdf = _download(lead_desktop, "Statusrapport til sagsbehandleren (PDF)", "progress-report.pdf")
    pdf_page_png(pdf, "progress-report-pdf", resolution=60)
