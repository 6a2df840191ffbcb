"""Every page the administrator opens fits the screen: 1280 px desktop and 390 px phone, in Danish and in English.

A page that is wider than the window hides its right edge (in the menu: the language switch and "Log ud") until
the user scrolls sideways. The menus are checked open as well, and the visit form with an error.
"""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from agreements.models import Agreement
from citizens.models import Citizen
from housingfirst.demo import DEMO_PASSWORD
from housingfirst.models import Municipality
from interventions.models import Intervention
from invoicing.models import Invoice
from tests.e2e.helpers import DESKTOP, PHONE, assert_accessible, assert_fits, shoot
from tests.factories import InterventionFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = {"desktop": DESKTOP, "phone": PHONE}
LOG_OUT = {"da": "Log ud", "en": "Log out"}
MENU = {"da": "Vis menu", "en": "Show menu"}
# How many line boxes the text of an element makes.
TEXT_LINES = "e => { const r = document.createRange(); r.selectNodeContents(e); return r.getClientRects().length; }"
# The pages whose layout changed with the menu and the phone fixes; the others are only measured.
PICTURED = {"dashboard", "citizen", "citizen-visits", "capacity", "invoicing-month"}


def _admin_pages() -> dict[str, str]:
    # An ongoing CTI course with visits, so the page has its timeline, its visits and its hours per month.
    intervention = (
        Intervention.objects.filter(end_date=None, method="CTI", visits__isnull=False).distinct().order_by("pk").first()
    )
    citizen = intervention.citizen
    agreement = Agreement.objects.filter(status=Agreement.Status.SIGNED).order_by("pk").first()
    invoice = Invoice.objects.exclude(number="").order_by("pk").first()
    return {
        "dashboard": reverse("dashboard"),
        "citizens": reverse("citizens:list"),
        "citizen": citizen.get_absolute_url(),
        "citizen-visits": reverse("interventions:citizen_visits", args=[citizen.pk]),
        "intervention": intervention.get_absolute_url(),
        "visits": reverse("interventions:visit_list"),
        "capacity": reverse("interventions:capacity"),
        "warnings": reverse("interventions:fidelity"),
        "agreements": reverse("agreements:list"),
        "agreement": agreement.get_absolute_url(),
        "invoicing-month": reverse("invoicing:month"),
        "invoices": reverse("invoicing:list"),
        "invoice": invoice.get_absolute_url(),
        "rates": reverse("invoicing:rates"),
        "municipalities": reverse("municipality_list"),
        "municipality": Municipality.objects.filter(eans__isnull=False).order_by("pk").first().get_absolute_url(),
        "provider": reverse("provider_edit"),
        "standard-text": reverse("agreements:text"),
        "life-areas": reverse("citizens:life_areas"),
    }


def _unfold_menu(page: Page, language: str) -> None:
    toggler = page.get_by_role("button", name=MENU[language])
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#main-nav")).to_be_visible()


def _switch_to_english(page: Page, user) -> None:
    _unfold_menu(page, "da")
    page.get_by_role("button", name=user.get_full_name()).click()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _check_menus_open(page: Page, user, name: str, language: str) -> None:
    """The Administration menu and the user's menu, open, stay on the screen; on a phone each opens under its button."""
    page.goto(page.url)
    _unfold_menu(page, language)
    nav = page.get_by_role("navigation", name="Hovedmenu" if language == "da" else "Main navigation")
    buttons = {"administration": "Administration", "user": user.get_full_name()}
    for which, button_name in buttons.items():
        button = nav.get_by_role("button", name=button_name)
        button.click()
        menu = button.locator("xpath=following-sibling::*[contains(@class, 'dropdown-menu')]")
        expect(menu).to_be_visible()
        box, menu_box = button.bounding_box(), menu.bounding_box()
        assert menu_box["y"] >= box["y"] + box["height"] - 1, (name, box, menu_box)
        assert menu_box["y"] - (box["y"] + box["height"]) < 12, f"{name}: the menu opens away from its button"
        assert menu_box["x"] >= 0 and menu_box["x"] + menu_box["width"] <= page.viewport_size["width"], (name, menu_box)
        if page.viewport_size["width"] < 1200:  # folded menu: the list opens under the button, from its left edge
            assert abs(menu_box["x"] - box["x"]) < 2, (name, box, menu_box)
        assert_fits(page, f"{which}-menu-{name}")
        shoot(page, f"layout-{which}-menu-{name}", full_page=False)
        button.click()  # close it again
    expect(nav.get_by_role("button", name=LOG_OUT[language], include_hidden=True)).to_be_attached()


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_no_administrator_page_is_wider_than_the_screen(demo, pages, new_context, screen, language):
    admin = demo["admin"]
    page = new_context(**SCREENS[screen]).new_page()
    pages.log_in(page, admin, password=DEMO_PASSWORD)
    if language == "en":
        _switch_to_english(page, admin)

    for name, path in _admin_pages().items():
        response = page.goto(pages.url(path))
        assert response.ok, (name, path, response.status)
        expect(page.get_by_role("button", name=LOG_OUT[language], include_hidden=True)).to_be_attached()
        assert_fits(page, f"{name}-{language}-{screen}")
        if name in PICTURED:
            shoot(page, f"layout-{name}-{language}-{screen}")
        if name == "invoicing-month" and screen == "phone":
            # Every column of the hours, the amount too, without scrolling the table sideways.
            for table in page.locator(".table-responsive").all():
                if table.is_visible():
                    assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), f"a table scrolls on {name}"

    _check_menus_open(page, admin, f"{language}-{screen}", language)

    # The 500 page, as Django renders it: without a request, so without the menu.
    page.goto(pages.url("/"))
    with translation.override(language):
        page.set_content(render_to_string("500.html"))
    expect(page.locator("h1")).to_have_text("Noget gik galt" if language == "da" else "Something went wrong")
    assert_fits(page, f"500-{language}-{screen}")
    assert_accessible(page, f"500-{language}-{screen}")
    shoot(page, f"layout-500-{language}-{screen}")


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_a_refused_visit_marks_and_names_the_date_field(pages, new_context, screen, language):
    worker = WorkerFactory(first_name="Sara")
    intervention = InterventionFactory(worker=worker, citizen__team=worker.team)
    page = new_context(**SCREENS[screen]).new_page()
    pages.log_in(page, worker)
    if language == "en":
        _switch_to_english(page, worker)
    page.goto(pages.url(reverse("interventions:visit_create") + f"?citizen={intervention.citizen.pk}"))
    date = page.locator("#id_date")
    date.fill((timezone.localdate() + datetime.timedelta(days=1)).isoformat())
    page.locator("#id_start_time").fill("09:00")
    page.locator("#id_duration_minutes").fill("45")
    page.locator("#visit-form button[type=submit]").click()

    date = page.locator("#id_date")
    message = {
        "da": "Datoen ligger i fremtiden. Registrér besøget, når det har fundet sted.",
        "en": "The date is in the future. Log a visit after it has happened.",
    }[language]
    # A screen reader reads the message with the field, and the field has the red border of an invalid one.
    expect(date).to_have_accessible_description(message)
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_class(re.compile(r"\bis-invalid\b"))
    # Bootstrap's red for an invalid field (--bs-form-invalid-border-color), as the duration field has it.
    expect(date).to_have_css("border-top-color", "rgb(220, 53, 69)")
    assert_fits(page, f"visit-form-error-{language}-{screen}")
    assert_accessible(page, f"visit-form-error-{language}-{screen}")
    shoot(page, f"layout-visit-form-error-{language}-{screen}")


def test_the_citizen_pages_say_hours_with_the_unit_of_the_language(demo, pages, new_context):
    citizen = Citizen.objects.filter(interventions__visits__isnull=False).order_by("pk").first()
    page = new_context(**PHONE).new_page()
    pages.log_in(page, demo["admin"], password=DEMO_PASSWORD)
    page.goto(pages.url(reverse("interventions:citizen_visits", args=[citizen.pk])))
    totals = page.get_by_role("table", name="Timer pr. måned")
    expect(totals.get_by_role("cell").filter(has_text=" t").first).to_be_visible()
    _switch_to_english(page, demo["admin"])
    totals = page.get_by_role("table", name="Hours per month")
    expect(totals.get_by_role("cell").filter(has_text=" h").first).to_be_visible()
    # Each amount of hours stays on one line with its unit: its text makes a single box.
    for cell in totals.locator("td.text-end").all():
        lines = cell.evaluate(TEXT_LINES)
        assert lines == 1, cell.inner_text()
