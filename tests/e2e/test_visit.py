"""Journey: a support worker logs a home visit on a phone, in a citizen's home; and the same form by keyboard."""

import datetime

import pytest
from django.utils import dateformat, timezone, translation
from playwright.sync_api import Page, expect

from interventions.models import Visit
from tests.e2e.helpers import DESKTOP, assert_accessible, open_menu, shoot
from tests.factories import InterventionFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FUTURE_MESSAGE = "Datoen ligger i fremtiden. Registrér besøget, når det har fundet sted."


def _worker_with_a_citizen():
    worker = WorkerFactory(first_name="Sara")
    intervention = InterventionFactory(
        worker=worker, citizen__team=worker.team, citizen__first_name="Jens", citizen__last_name="Madsen"
    )
    return worker, intervention


def test_worker_logs_a_home_visit_on_a_phone(pages, phone):
    worker, intervention = _worker_with_a_citizen()
    today = timezone.localdate()
    page = pages.log_in(phone, worker)

    open_menu(page, "Mine borgere")
    card = page.get_by_role("article", name="Jens Madsen")
    expect(card).to_be_visible()
    assert_accessible(page, "my-citizens-phone")
    shoot(page, "my-citizens-phone")
    card.get_by_role("link", name="Registrér besøg – Jens Madsen").tap()

    # The citizen comes chosen from the card; the worker types a date that has not happened yet.
    expect(page.get_by_role("heading", name="Registrér besøg")).to_be_visible()
    expect(page.get_by_label("Borger")).to_have_value(str(intervention.pk))
    tomorrow = today + datetime.timedelta(days=1)
    page.get_by_label("Dato").fill(tomorrow.isoformat())
    # No start time is assumed (a visit is often logged afterwards): the worker types it.
    page.get_by_label("Starttidspunkt").fill("09:00")
    quick = page.get_by_role("group", name="Hurtige varigheder")
    quick.get_by_role("button", name="45").tap()
    expect(page.get_by_label("Varighed (minutter)")).to_have_value("45")
    expect(quick.get_by_role("button", name="45")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_label("Hjemmebesøg")).to_be_checked()
    areas = page.get_by_role("group", name="Livsområder berørt")
    areas.get_by_text("Bolig", exact=True).tap()
    areas.get_by_text("Økonomi", exact=True).tap()
    page.get_by_label("Kort note").fill("Hjalp med huslejen og e-Boks.")
    assert_accessible(page, "visit-form-typed-phone")
    shoot(page, "visit-form-typed-phone")
    page.get_by_role("button", name="Gem besøg").tap()

    # Refused in Danish, and nothing the worker typed is lost.
    expect(page.get_by_text(FUTURE_MESSAGE)).to_be_visible()
    expect(page.get_by_label("Borger")).to_have_value(str(intervention.pk))
    expect(page.get_by_label("Dato")).to_have_value(tomorrow.isoformat())
    expect(page.get_by_label("Varighed (minutter)")).to_have_value("45")
    expect(areas.get_by_label("Bolig", exact=True)).to_be_checked()
    expect(areas.get_by_label("Økonomi", exact=True)).to_be_checked()
    expect(page.get_by_label("Kort note")).to_have_value("Hjalp med huslejen og e-Boks.")
    assert_accessible(page, "visit-form-error-phone")
    shoot(page, "visit-form-error-phone")
    assert not Visit.objects.exists()

    page.get_by_label("Dato").fill(today.isoformat())
    page.get_by_role("button", name="Gem besøg").tap()
    expect(page.get_by_text("Besøget hos Jens Madsen er gemt (45 min).")).to_be_visible()
    assert_accessible(page, "visit-saved-phone")

    # The visit is in the citizen's list, and the month's total has its 45 minutes.
    open_menu(page, "Mine borgere")
    page.get_by_role("link", name="Jens Madsen", exact=True).tap()
    expect(page).to_have_url(pages.url(f"/borgere/{intervention.citizen.pk}/"))
    assert_accessible(page, "citizen-overview-phone")
    shoot(page, "citizen-overview-phone")
    page.get_by_role("link", name="Alle besøg").tap()
    expect(page.get_by_role("heading", name="Besøg hos Jens Madsen")).to_be_visible()
    visit_row = page.get_by_role("listitem").filter(has_text=f"{today:%d.%m.%Y}")
    expect(visit_row).to_contain_text("Hjemmebesøg · 45 min")
    expect(visit_row).to_contain_text("Bolig, Økonomi")
    expect(visit_row).to_contain_text("Hjalp med huslejen og e-Boks.")
    with translation.override("da"):
        month = dateformat.format(today, "F Y").capitalize()
    month_row = page.get_by_role("table", name="Timer pr. måned").get_by_role("row").filter(has_text=month)
    expect(month_row.get_by_role("cell")).to_have_text([month, "1", "0,75 t", "0,75 t"])
    assert_accessible(page, "citizen-visits-phone")
    shoot(page, "citizen-visits-phone")

    visit = Visit.objects.get()
    assert (visit.intervention, visit.worker, visit.date, visit.duration_minutes) == (intervention, worker, today, 45)
    assert sorted(visit.life_areas.values_list("name", flat=True)) == ["Bolig", "Økonomi"]


def _focused(page: Page) -> dict:
    """What has the keyboard focus, its name as a screen reader reads it, and whether the focus can be seen."""
    return page.evaluate(
        r"""() => {
        const el = document.activeElement;
        // A Bootstrap .btn-check input is hidden; its label is what shows the focus.
        const shown = el.classList.contains('btn-check') ? el.nextElementSibling : el;
        const style = getComputedStyle(shown);
        const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : '';
        // A box-shadow ring counts when it is at least 2px wide and not nearly transparent.
        const m = style.boxShadow.match(/rgba?\(([^)]*)\)\s+0px 0px 0px ([\d.]+)px/);
        const alpha = m ? parseFloat(m[1].split(',')[3] ?? '1') : 0;
        const ring = m !== null && alpha >= 0.2 && parseFloat(m[2]) >= 2;
        // On the calendar button of a date or time field the focus is inside Chromium's own part of the
        // field (el is not :focus); Chromium draws its ring around that button.
        const picker = !el.matches(':focus');
        return {
            id: el.id, text: el.innerText ? el.innerText.trim() : '', label: label,
            outline: style.outlineStyle + ' ' + style.outlineWidth, shadow: style.boxShadow,
            visible: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || ring || picker,
        };
    }"""
    )


def _name(stop: dict) -> str:
    return stop["label"] or stop["text"]


def _tab_to(page: Page, name: str) -> None:
    """Press Tab (only) until the field called `name` has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if _name(_focused(page)) == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_visit_form_works_by_keyboard_alone(pages, new_context):
    # Every context asks for reduced motion (conftest), so focus rings are drawn at once, not faded in.
    page = new_context(**DESKTOP).new_page()
    worker, intervention = _worker_with_a_citizen()
    pages.log_in(page, worker)
    page.goto(pages.url(f"/indsatser/besoeg/ny/?citizen={intervention.citizen.pk}"))
    # The first Tab offers the skip link past the menu; Enter on it puts the focus in the page's content.
    page.keyboard.press("Tab")
    assert _name(_focused(page)) == "Gå til indhold"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"
    _tab_to(page, "Borger")

    stops = [_focused(page)]
    for _ in range(40):
        page.keyboard.press("Tab")
        stops.append(_focused(page))
        if _name(stops[-1]) == "Gem besøg":
            break
    # Each stop has a name a screen reader reads out, and a focus the eye can see.
    assert all(_name(stop) for stop in stops), stops
    invisible = [stop for stop in stops if not stop["visible"]]
    assert not invisible, "\n".join(map(str, invisible))
    # Tab order follows the form. Date and time fields take one stop per part (day, month, year, picker).
    names = [name for i, name in enumerate(map(_name, stops)) if i == 0 or name != _name(stops[i - 1])]
    assert names == [
        "Borger",
        "Dato",
        "Starttidspunkt",
        "15",
        "30",
        "45",
        "60",
        "90",
        "Varighed (minutter)",
        "Hjemmebesøg",  # a radio group is one stop; the arrow keys choose within it
        "Bolig",
        "Hverdag",
        "Økonomi",
        "Post",
        "Omgivelser",
        "Behandling",
        "Netværk",
        "Kort note",
        "Faktureres",
        "Gem besøg",
    ], names

    # The whole visit by keyboard: a quick button, arrow keys for the kind, Space for life areas, Enter to save.
    # The date comes filled in with today; the start time is typed (no "now" is assumed).
    page.get_by_label("Starttidspunkt").fill("08:15")
    page.get_by_label("Borger").focus()
    _tab_to(page, "30")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Varighed (minutter)")).to_have_value("30")
    _tab_to(page, "Hjemmebesøg")
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("Telefonopkald")).to_be_checked()
    _tab_to(page, "Bolig")
    page.keyboard.press("Space")
    _tab_to(page, "Hverdag")
    page.keyboard.press("Space")
    _tab_to(page, "Kort note")
    page.keyboard.type("Ringede om indkøb.")
    _tab_to(page, "Gem besøg")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Besøget hos Jens Madsen er gemt (30 min).")).to_be_visible()

    visit = Visit.objects.get()
    assert (visit.kind, visit.duration_minutes, visit.note) == (Visit.Kind.PHONE, 30, "Ringede om indkøb.")
    assert sorted(visit.life_areas.values_list("name", flat=True)) == ["Bolig", "Hverdag"]
