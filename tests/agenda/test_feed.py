"""The calendar feed: a secret per-user URL, renewable, read by an iCalendar parser, with no CPR and no surname."""

import datetime

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from agenda import services
from agenda.models import CalendarFeed
from tests.factories import BookingFactory, CitizenFactory, InterventionFactory

pytestmark = pytest.mark.django_db


def _booking(worker, **kwargs):
    citizen = CitizenFactory(team=worker.team, first_name="Birthe", last_name="Østergaard")
    return BookingFactory(intervention=InterventionFactory(worker=worker, citizen=citizen), **kwargs)


def test_the_feed_is_read_by_a_parser_and_holds_no_cpr_or_surname(client, worker):
    booking = _booking(worker, start_time=datetime.time(9, 15), duration_minutes=45, place="shelter")
    feed = services.renew_feed(user=worker)
    response = client.get(reverse("agenda:feed", args=[feed.token]))  # not logged in: calendar apps cannot
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert booking.intervention.citizen.cpr not in body and "Østergaard" not in body
    calendar = icalendar.Calendar.from_ical(response.content)
    (event,) = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Besøg: Birthe Ø."
    start = event.decoded("dtstart")
    assert (start.date(), start.hour, start.minute) == (booking.date, 9, 15)
    assert event.decoded("dtend") - start == datetime.timedelta(minutes=45)
    assert str(event["location"]) == "På forsorgshjemmet"
    assert str(event["url"]).endswith(booking.get_absolute_url())


def test_cancelled_bookings_leave_the_feed(client, worker):
    _booking(worker, status="cancelled")
    feed = services.renew_feed(user=worker)
    calendar = icalendar.Calendar.from_ical(client.get(reverse("agenda:feed", args=[feed.token])).content)
    assert calendar.walk("VEVENT") == []


def test_renewing_the_address_stops_the_old_one_and_switching_off_stops_all(worker_client, worker):
    worker_client.post(reverse("agenda:calendar"), {"action": "renew"})
    old = CalendarFeed.objects.get(user=worker).token
    page = worker_client.get(reverse("agenda:calendar")).content.decode()
    assert old in page
    worker_client.post(reverse("agenda:calendar"), {"action": "renew"})
    new = CalendarFeed.objects.get(user=worker).token
    assert new != old
    calendar_app = Client()  # not logged in
    assert calendar_app.get(reverse("agenda:feed", args=[old])).status_code == 404
    assert calendar_app.get(reverse("agenda:feed", args=[new])).status_code == 200
    worker_client.post(reverse("agenda:calendar"), {"action": "revoke"})
    assert calendar_app.get(reverse("agenda:feed", args=[new])).status_code == 404


def test_a_deactivated_user_has_no_feed(client, worker):
    feed = services.renew_feed(user=worker)
    worker.is_active = False
    worker.save()
    assert client.get(reverse("agenda:feed", args=[feed.token])).status_code == 404
