"""The main pages with the demo organisation in them, on a desktop and on a phone, checked by axe.

Every run saves the pictures in artifacts/screenshots/; `make screenshots` (HF_DOCS_SCREENSHOTS=1) also writes
the README's four into docs/: dashboard.png, visit-form-phone.png, capacity-board.png, agreement-pdf.png.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.models import Agreement
from housingfirst.demo import DEMO_PASSWORD
from tests.e2e.helpers import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_colour_not_alone,
    open_menu,
    pdf_page_png,
    shoot,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _look(page, name, *, docs=False):
    expect(page.locator("main")).to_be_visible()
    assert_accessible(page, name)
    assert_colour_not_alone(page, name)
    shoot(page, name, docs=docs)


def test_main_pages_with_the_demo_data(demo, pages, desktop, phone, new_context):
    # The team lead: the overview, the capacity board and the warnings, on a desktop and on a phone.
    pages.log_in(desktop, demo["teamleder"], password=DEMO_PASSWORD)
    _look(desktop, "dashboard-lead")
    open_menu(desktop, "Kapacitet")
    _look(desktop, "capacity-board", docs=True)
    open_menu(desktop, "Advarsler")
    _look(desktop, "warnings-demo")

    pages.log_in(phone, demo["teamleder"], password=DEMO_PASSWORD)
    _look(phone, "dashboard-lead-phone")
    open_menu(phone, "Kapacitet")
    _look(phone, "capacity-board-phone")

    # The support worker on a phone: her citizens, one citizen's page, and the visit form filled in.
    worker_phone = new_context(**PHONE).new_page()
    pages.log_in(worker_phone, demo["medarbejder"], password=DEMO_PASSWORD)
    _look(worker_phone, "dashboard-worker-demo-phone")
    open_menu(worker_phone, "Mine borgere")
    _look(worker_phone, "my-citizens-demo-phone")
    first_card = worker_phone.get_by_role("article").first
    first_card.get_by_role("heading").get_by_role("link").click()
    _look(worker_phone, "citizen-overview-demo-phone")
    worker_phone.go_back()
    worker_phone.get_by_role("article").first.get_by_role("link", name="Registrér besøg").click()
    worker_phone.get_by_label("Starttidspunkt").fill("10:00")
    worker_phone.get_by_role("group", name="Hurtige varigheder").get_by_role("button", name="45").click()
    areas = worker_phone.get_by_role("group", name="Livsområder berørt")
    areas.get_by_text("Bolig", exact=True).click()
    areas.get_by_text("Økonomi", exact=True).click()
    worker_phone.get_by_label("Kort note").fill("Gennemgik post og e-Boks sammen.")
    worker_phone.get_by_label("Kort note").blur()
    _look(worker_phone, "visit-form-phone", docs=True)

    # The administrator: the overview, citizens, agreements, invoices, and page 1 of a signed agreement's PDF.
    admin = new_context(**DESKTOP).new_page()
    pages.log_in(admin, demo["admin"], password=DEMO_PASSWORD)
    _look(admin, "dashboard", docs=True)
    open_menu(admin, "Borgere")
    _look(admin, "citizen-list-demo")
    open_menu(admin, "Aftaler")
    _look(admin, "agreement-list-demo")
    open_menu(admin, "Fakturering")
    _look(admin, "invoicing-month-demo")
    agreement = Agreement.objects.filter(status=Agreement.Status.SIGNED).order_by("pk").first()
    admin.goto(pages.url(agreement.get_absolute_url()))
    _look(admin, "agreement-detail-demo")
    admin_phone = new_context(**PHONE).new_page()
    pages.log_in(admin_phone, demo["admin"], password=DEMO_PASSWORD)
    _look(admin_phone, "dashboard-admin-phone")
    admin_phone.goto(pages.url(agreement.get_absolute_url()))
    _look(admin_phone, "agreement-detail-demo-phone")
    open_menu(admin_phone, "Fakturering")
    _look(admin_phone, "invoicing-month-demo-phone")

    response = admin.request.get(pages.url(reverse("agreements:pdf", args=[agreement.pk])))
    assert response.headers["content-type"] == "application/pdf"
    pdf = ARTIFACTS / "downloads" / "agreement-demo.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(response.body())
    pdf_page_png(pdf, "agreement-pdf", docs=True, resolution=72)
