"""Journey: an administrator takes a §110 agreement from draft to a signed copy on file."""

import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from agreements.models import Agreement
from tests.e2e.helpers import ARTIFACTS, assert_accessible, open_menu, pdf_page_png, shoot
from tests.factories import (
    ActionPlanFactory,
    AdministratorFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    ProviderFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_administrator_creates_issues_signs_and_files_an_agreement(pages, desktop):
    ProviderFactory()
    intervention = InterventionFactory(citizen__first_name="Karen", citizen__last_name="Holm")
    citizen = intervention.citizen
    ActionPlanFactory(citizen=citizen)
    MunicipalityEANFactory(municipality=citizen.paying_municipality)
    page = pages.log_in(desktop, AdministratorFactory(first_name="Birgitte"))

    # From the citizen list to the citizen, where the agreement panel offers the missing agreement.
    open_menu(page, "Borgere")
    expect(page.get_by_role("heading", name="Borgere")).to_be_visible()
    assert_accessible(page, "citizen-list")
    page.get_by_role("link", name="Holm, Karen").click()
    expect(page.get_by_role("heading", name="Karen Holm", exact=False).first).to_be_visible()
    assert_accessible(page, "citizen-overview-admin")
    page.get_by_role("link", name="Opret aftale").click()

    # The form arrives filled in from the citizen, the intervention and the rate in force.
    expect(page.get_by_role("heading", name="Ny aftale")).to_be_visible()
    expect(page.get_by_text("450,00 kr.")).to_be_visible()  # read-only: from the rate table
    assert_accessible(page, "agreement-form")
    shoot(page, "agreement-form")
    page.get_by_role("button", name="Gem kladde").click()
    expect(page.get_by_text("Aftalekladden er gemt. Kontrollér den, og udsted den.")).to_be_visible()
    expect(page.get_by_text("Kladde", exact=True)).to_be_visible()
    assert_accessible(page, "agreement-draft")

    page.get_by_role("button", name="Udsted aftale").click()
    expect(page.get_by_text("Aftalen er udstedt. Udskriv PDF'en til de to underskrifter.")).to_be_visible()
    expect(page.get_by_text("Udstedt, afventer underskrifter")).to_be_visible()
    assert_accessible(page, "agreement-issued")

    # The PDF opens in a new tab (Chromium's viewer); the same request, with the same login, gives the bytes.
    with page.context.expect_page() as tab:
        page.get_by_role("link", name="Aftale som PDF").click()
    pdf_tab = tab.value
    pdf_tab.wait_for_load_state()
    response = page.request.get(pdf_tab.url)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    pdf_tab.close()
    pdf_path = ARTIFACTS / "downloads" / "aftale.pdf"
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.write_bytes(response.body())
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Karen Holm" in text
    assert "450,00" in text
    pdf_page_png(pdf_path, "agreement-pdf-journey")

    page.get_by_role("link", name="Registrér underskrifter").click()
    today = timezone.localdate()
    provider_part = page.get_by_role("group", name="Leverandøren")
    provider_part.get_by_label("Underskrevet for leverandøren af").fill("Birgitte Holm")
    provider_part.get_by_label("Dato").fill(today.isoformat())
    municipality_part = page.get_by_role("group", name="Betalingskommunen")
    municipality_part.get_by_label("Underskrevet for betalingskommunen af").fill("Susanne Lund")
    municipality_part.get_by_label("Dato").fill(today.isoformat())
    assert_accessible(page, "agreement-signatures")
    page.get_by_role("button", name="Gem underskrifter").click()
    expect(page.get_by_text("Begge underskrifter er registreret: aftalen er underskrevet.")).to_be_visible()
    expect(page.get_by_text(f"Susanne Lund, {today:%d.%m.%Y}")).to_be_visible()

    page.get_by_role("link", name="Upload underskrevet kopi").click()
    page.get_by_label("Scannet underskrevet kopi (PDF)").set_input_files(pdf_path)
    assert_accessible(page, "agreement-upload")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Den underskrevne kopi er uploadet.")).to_be_visible()
    expect(page.get_by_role("link", name="Underskrevet kopi", exact=True)).to_be_visible()
    assert_accessible(page, "agreement-signed")
    shoot(page, "agreement-signed")

    agreement = Agreement.objects.get(citizen=citizen)
    assert agreement.status == Agreement.Status.SIGNED
    assert agreement.signed_copy
