"""Journey: a support worker books a visit on a phone, logs it from the agenda with the booked start time,
logs a second visit right after the first, and reads the calendar feed; a team lead sees the team's week."""

import datetime
import shutil
from pathlib import Path

import icalendar
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import Booking
from interventions.models import Visit
from tests.e2e.helpers import PHONE, assert_accessible, assert_fits, open_menu, shoot
from tests.factories import (
    BookingFactory,
    CitizenFactory,
    InterventionFactory,
    TeamLeadFactory,
    VisitFactory,
    WorkerFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SHOTS = Path("/work/wt/shots/issue-14")


def _look(page, name, *, docs=False):
    assert_fits(page, name)
    assert_accessible(page, name)
    path = shoot(page, name, docs=docs)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def _worker():
    worker = WorkerFactory(first_name="Sara")
    jens = InterventionFactory(
        worker=worker, citizen=CitizenFactory(team=worker.team, first_name="Jens", last_name="Madsen")
    )
    lise = InterventionFactory(
        worker=worker, citizen=CitizenFactory(team=worker.team, first_name="Lise", last_name="Østergaard")
    )
    VisitFactory(intervention=lise, date=timezone.localdate() - datetime.timedelta(days=12))
    return worker, jens, lise


def test_book_then_log_from_the_agenda_with_the_booked_time(pages, phone):
    worker, jens, lise = _worker()
    today = timezone.localdate()
    page = pages.log_in(phone, worker)

    # Book from the citizen's page: the rhythm's date is suggested, the worker picks time and place.
    page.goto(pages.url(f"/borgere/{jens.citizen.pk}/"))
    page.get_by_role("link", name="Book besøg").tap()
    expect(page.get_by_role("heading", name="Book besøg")).to_be_visible()
    expect(page.get_by_label("Borger")).to_have_value(str(jens.pk))
    expect(page.get_by_text("Metodens kontaktrytme er hver 7. dag")).to_be_visible()
    _look(page, "booking-form-phone")
    # A day that has passed is refused on the date, and nothing typed is lost.
    page.get_by_label("Dato").fill((today - datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Tidspunkt").fill("07:00")
    page.get_by_text("På forsorgshjemmet").tap()
    page.get_by_role("button", name="Book besøg").tap()
    expect(page.get_by_text("Datoen er passeret.")).to_be_visible()
    expect(page.get_by_label("På forsorgshjemmet")).to_be_checked()
    _look(page, "booking-form-error-phone")
    page.get_by_label("Dato").fill(today.isoformat())
    page.get_by_label("Tidspunkt").fill("23:00")
    page.get_by_role("group", name="Hurtige varigheder").get_by_role("button", name="45").tap()
    page.get_by_role("button", name="Book besøg").tap()
    expect(page.get_by_text("Besøg hos Jens Madsen er booket")).to_be_visible()

    # The agenda: today's booking, and Lise, silent for 12 days against a weekly rhythm, under Forfalder.
    expect(page.get_by_role("heading", name="Kalender", exact=True)).to_be_visible()
    expect(page.get_by_text("Ingen kontakt i 12 dage; rytmen er hver 7. dag")).to_be_visible()
    _look(page, "agenda-phone", docs=True)  # the README's picture (`make screenshots`)

    # Log it from the agenda: one tap to the form, one to save; the start time is the booked one.
    booking = Booking.objects.get()
    booking.start_time = datetime.time(7, 0)  # it is "later" now: the booked hour has passed
    booking.save()
    page.reload()
    page.get_by_role("link", name="Registrér besøg – Jens Madsen 07:00").tap()
    expect(page.get_by_label("Starttidspunkt")).to_have_value("07:00")
    expect(page.get_by_label("Varighed (minutter)")).to_have_value("45")
    expect(page.get_by_label("Møde på forsorgshjemmet")).to_be_checked()
    _look(page, "visit-from-booking-phone")
    page.get_by_role("button", name="Gem besøg").tap()
    expect(page.get_by_text("Besøget hos Jens Madsen er gemt (45 min).")).to_be_visible()
    visit = Visit.objects.get(intervention=jens)
    assert (visit.start_time, visit.duration_minutes, visit.kind) == (datetime.time(7, 0), 45, "shelter_meeting")
    assert Booking.objects.get().status == "done"

    # A second visit right after the first, from Lise's due line: back to the agenda, no overlap refused.
    page.get_by_role("link", name="Book besøg – Lise Østergaard").wait_for()
    page.goto(pages.url(f"/indsatser/besoeg/ny/?intervention={lise.pk}&next=/agenda/"))
    page.get_by_label("Starttidspunkt").fill("07:45")
    page.get_by_role("group", name="Hurtige varigheder").get_by_role("button", name="30").tap()
    page.get_by_role("button", name="Gem besøg").tap()
    expect(page.get_by_text("Besøget hos Lise Østergaard er gemt (30 min).")).to_be_visible()
    expect(page).to_have_url(pages.url("/agenda/"))
    assert Visit.objects.filter(intervention=lise).count() == 2


def test_the_calendar_feed_is_read_by_a_parser(pages, desktop, phone):
    worker, jens, _lise = _worker()
    BookingFactory(intervention=jens, date=timezone.localdate() + datetime.timedelta(days=2))
    page = pages.log_in(phone, worker)
    open_menu(page, "Kalender")
    page.get_by_role("link", name="Kalenderabonnement").tap()
    page.get_by_role("button", name="Lav min kalenderadresse").tap()
    url = page.get_by_label("Adresse at abonnere på").input_value()
    _look(page, "calendar-feed-phone")
    # A calendar app, not logged in, fetches the address.
    response = desktop.request.get(url)
    assert response.ok
    (event,) = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")
    assert str(event["summary"]) == "Besøg: Jens M."
    assert jens.citizen.cpr not in response.text() and "Madsen" not in response.text()


def test_a_lead_sees_the_team_week_and_moving_a_booking_notifies_the_worker(pages, phone, desktop, new_context):
    worker, jens, _lise = _worker()
    lead = TeamLeadFactory(team=worker.team)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    booking = BookingFactory(intervention=jens, date=tomorrow)
    page = pages.log_in(desktop, lead)
    page.goto(pages.url(f"/agenda/team/?week={tomorrow.isoformat()}"))  # on a Sunday, tomorrow is next week
    expect(page.get_by_role("row", name=str(worker))).to_contain_text("10:00")
    _look(page, "team-week")
    page.get_by_role("link", name="10:00").click()
    page.get_by_label("Tidspunkt").fill("12:30")
    page.get_by_role("button", name="Gem besøget").click()
    expect(page.get_by_text("Besøget er flyttet.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.start_time == datetime.time(12, 30)

    worker_page = pages.log_in(phone, worker)
    worker_page.goto(pages.url("/agenda/"))
    _look(worker_page, "agenda-with-notification-phone")
    # The badge in the menu says how many are unread; opening the list marks them read.
    worker_page.get_by_role("button", name="Vis menu").tap()
    worker_page.get_by_role("link", name="Beskeder: 1 ulæst").tap()
    expect(worker_page.get_by_role("link", name="flyttede dit besøg")).to_contain_text("12:30")
    _look(worker_page, "notifications-phone")
    expect(worker_page.get_by_role("link", name="Beskeder", exact=True, include_hidden=True)).to_be_attached()
    page_phone_week = pages.log_in(new_context(**PHONE).new_page(), lead)
    page_phone_week.goto(pages.url("/agenda/team/"))
    _look(page_phone_week, "team-week-phone")
