"""Booking, moving, cancelling and logging planned visits; the agenda page and its query count."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agenda import services
from agenda.models import Booking, Notification
from housingfirst.models import Method
from interventions.models import Phase, PhaseTemplate, Visit
from tests.conftest import logged_in
from tests.factories import (
    BookingFactory,
    CitizenFactory,
    ConsentFactory,
    InterventionFactory,
    LockedMonthFactory,
    PhaseTransitionFactory,
    TeamLeadFactory,
    VisitFactory,
    WorkerFactory,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)


def _intervention(worker, **kwargs):
    return InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team), **kwargs)


def test_book_a_visit_with_the_courses_worker(worker):
    intervention = _intervention(worker)
    booking = services.book_visit(
        intervention=intervention, by=worker, date=TOMORROW, start_time=datetime.time(9, 30), duration_minutes=45
    )
    assert (booking.worker, booking.status, booking.ends_at_time) == (worker, "planned", datetime.time(10, 15))


def test_a_booking_in_the_past_is_refused_on_the_date(worker):
    intervention = _intervention(worker)
    with pytest.raises(ValidationError) as error:
        services.book_visit(
            intervention=intervention,
            by=worker,
            date=TODAY - datetime.timedelta(days=1),
            start_time=datetime.time(9, 0),
        )
    assert "date" in error.value.error_dict
    assert not Booking.objects.exists()


def test_two_bookings_at_the_same_time_are_refused_naming_the_other(worker):
    first = _intervention(worker)
    second = _intervention(worker)
    services.book_visit(intervention=first, by=worker, date=TOMORROW, start_time=datetime.time(10, 0))
    with pytest.raises(ValidationError) as error:
        services.book_visit(intervention=second, by=worker, date=TOMORROW, start_time=datetime.time(10, 30))
    message = error.value.error_dict["start_time"][0].messages[0]
    assert str(first.citizen) in message and "10:00" in message
    # Right after the first one is fine.
    services.book_visit(intervention=second, by=worker, date=TOMORROW, start_time=datetime.time(11, 0))


def test_an_ended_course_takes_no_booking(worker):
    intervention = _intervention(worker, status="ended", end_date=TODAY, end_reason="goals_met")
    with pytest.raises(ValidationError, match="afsluttet|ended"):
        services.book_visit(intervention=intervention, by=worker, date=TOMORROW, start_time=datetime.time(9, 0))


@pytest.mark.parametrize(
    ("method", "phase", "days"),
    [
        (Method.CTI, Phase.PHASE_1, 7),
        (Method.CTI, Phase.PHASE_2, 14),
        (Method.CTI, Phase.PHASE_3, 30),
        (Method.ICM, None, 14),
    ],
)
def test_the_suggested_date_follows_the_contact_rhythm_of_the_phase(worker, method, phase, days):
    intervention = _intervention(worker, method=method)
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    if phase:  # the phase began before the Monday the rhythm is counted from, whatever weekday today is
        PhaseTransitionFactory(intervention=intervention, phase=phase, date=monday - datetime.timedelta(days=3))
    suggested = services.suggest_next_date(intervention, after=monday, template=PhaseTemplate.current())
    expected = monday + datetime.timedelta(days=days)
    if expected.weekday() >= 5:
        expected -= datetime.timedelta(days=expected.weekday() - 4)
    assert suggested == expected and suggested.weekday() < 5


def test_a_lead_moving_a_booking_notifies_the_worker(worker, team_lead):
    booking = BookingFactory(intervention=_intervention(worker))
    services.move_booking(
        booking=booking, by=team_lead, date=TOMORROW, start_time=datetime.time(13, 0), duration_minutes=60, place="home"
    )
    note = Notification.objects.get(recipient=worker)
    assert note.kind == "booking_moved" and "13:00" in note.text and "10:00" in note.text
    # The worker moving their own booking makes no note.
    services.move_booking(
        booking=booking, by=worker, date=TOMORROW, start_time=datetime.time(14, 0), duration_minutes=60, place="home"
    )
    assert Notification.objects.count() == 1


def test_another_worker_cannot_move_or_cancel_a_booking(worker):
    booking = BookingFactory(intervention=_intervention(worker))
    other = WorkerFactory(team=worker.team)
    with pytest.raises(ValidationError):
        services.cancel_booking(booking=booking, by=other)
    booking.refresh_from_db()
    assert booking.status == "planned"


def test_logging_a_booking_makes_the_visit_and_closes_the_booking(worker):
    booking = BookingFactory(intervention=_intervention(worker), date=TODAY, start_time=datetime.time(8, 0))
    visit = services.log_booked_visit(
        booking=booking, by=worker, date=TODAY, start_time=datetime.time(8, 0), duration_minutes=50, kind="home_visit"
    )
    booking.refresh_from_db()
    assert (booking.status, booking.visit, visit.duration_minutes) == ("done", visit, 50)
    with pytest.raises(ValidationError):
        services.log_booked_visit(
            booking=booking, by=worker, date=TODAY, start_time=datetime.time(9, 0), duration_minutes=50, kind="phone"
        )
    assert Visit.objects.count() == 1


def test_assigning_a_citizen_notifies_the_new_worker(worker, team_lead):
    from interventions.services import assign_worker

    intervention = InterventionFactory(worker=None, coordinator=None, citizen=CitizenFactory(team=worker.team))
    assign_worker(intervention=intervention, worker=worker, by=team_lead)
    note = Notification.objects.get(recipient=worker)
    assert note.kind == "assigned" and intervention.citizen.first_name in note.text
    assert intervention.citizen.last_name not in note.text or intervention.citizen.last_name[:1] + "." in note.text


def test_expiring_consents_notify_once(worker):
    intervention = _intervention(worker)
    ConsentFactory(
        citizen=intervention.citizen,
        given_on=TODAY - datetime.timedelta(days=300),
        expires_on=TODAY + datetime.timedelta(days=5),
    )
    assert services.notify_expiring_consents() == 1
    assert services.notify_expiring_consents() == 0
    assert Notification.objects.get(recipient=worker).kind == "consent_expiring"


# --- Pages ------------------------------------------------------------------------------------------


def test_the_agenda_shows_todays_bookings_in_time_order_and_what_is_due(worker_client, worker):
    late = BookingFactory(intervention=_intervention(worker), date=TODAY, start_time=datetime.time(14, 0))
    early = BookingFactory(intervention=_intervention(worker), date=TODAY, start_time=datetime.time(9, 0))
    silent = _intervention(worker, start_date=TODAY - datetime.timedelta(days=40))
    VisitFactory(intervention=silent, date=TODAY - datetime.timedelta(days=20))
    page = worker_client.get(reverse("agenda:agenda")).content.decode()
    assert page.index(str(early.intervention.citizen)) < page.index(str(late.intervention.citizen))
    assert "Ingen kontakt i 20 dage; rytmen er hver 7. dag" in page
    assert f"?intervention={silent.pk}" in page
    assert reverse("agenda:booking_log", args=[early.pk]) in page


@pytest.mark.parametrize("n", [2, 12])
def test_the_agenda_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries, n):
    worker = WorkerFactory()
    for hour in range(n):
        intervention = _intervention(worker)
        BookingFactory(intervention=intervention, date=TODAY, start_time=datetime.time(8 + hour % 10, 0), worker=worker)
        VisitFactory(intervention=intervention, date=TODAY - datetime.timedelta(days=30))
        ConsentFactory(
            citizen=intervention.citizen,
            given_on=TODAY - datetime.timedelta(days=400),
            expires_on=TODAY - datetime.timedelta(days=2),
        )
    logged_in(client, worker)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("agenda:agenda"))
    assert response.status_code == 200


def test_the_booking_form_suggests_the_date_by_the_rhythm(worker_client, worker):
    intervention = _intervention(worker)
    response = worker_client.get(reverse("agenda:booking_create") + f"?intervention={intervention.pk}")
    suggested = services.suggest_next_date(intervention)
    assert f'value="{suggested.isoformat()}"' in response.content.decode()
    assert "Metodens kontaktrytme er hver 7. dag i denne fase" in response.content.decode()


def test_booking_by_the_form_and_a_bad_time_keeps_what_was_typed(worker_client, worker):
    intervention = _intervention(worker)
    data = {
        "intervention": intervention.pk,
        "date": (TODAY - datetime.timedelta(days=2)).isoformat(),
        "start_time": "10:00",
        "duration_minutes": "45",
        "place": "shelter",
        "note": "Tag papirer med",
    }
    response = worker_client.post(reverse("agenda:booking_create"), data)
    page = response.content.decode()
    assert (
        response.status_code == 200
        and "Tag papirer med" in page
        and 'id="place-shelter" value="shelter" autocomplete="off" checked' in page
    )
    assert not Booking.objects.exists()
    data["date"] = TOMORROW.isoformat()
    response = worker_client.post(reverse("agenda:booking_create"), data)
    assert response.status_code == 302
    assert Booking.objects.get().place == "shelter"


def test_logging_from_a_booking_fills_the_form(worker_client, worker):
    booking = BookingFactory(
        intervention=_intervention(worker),
        date=TODAY,
        start_time=datetime.time(7, 35),
        duration_minutes=40,
        place="phone",
    )
    page = worker_client.get(reverse("agenda:booking_log", args=[booking.pk])).content.decode()
    assert (
        'value="07:35"' in page
        and 'value="40"' in page
        and 'id="kind-phone" value="phone" autocomplete="off" checked' in page
    )
    response = worker_client.post(
        reverse("agenda:booking_log", args=[booking.pk]),
        {
            "intervention": booking.intervention_id,
            "date": TODAY.isoformat(),
            "start_time": "07:35",
            "duration_minutes": "40",
            "kind": "phone",
            "billable": "on",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("agenda:agenda")
    visit = Visit.objects.get()
    assert (visit.start_time, visit.duration_minutes) == (datetime.time(7, 35), 40)
    assert visit.get_absolute_url() in response.content.decode()


def test_another_teams_booking_answers_404(client, worker):
    booking = BookingFactory(intervention=_intervention(worker))
    logged_in(client, WorkerFactory())
    assert client.get(reverse("agenda:booking_edit", args=[booking.pk])).status_code == 404
    assert client.get(reverse("agenda:booking_log", args=[booking.pk])).status_code == 404


def test_the_team_week_shows_who_is_where(client, worker):
    lead = TeamLeadFactory(team=worker.team)
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    booking = BookingFactory(intervention=_intervention(worker), date=monday + datetime.timedelta(days=7))
    logged_in(client, lead)
    page = client.get(reverse("agenda:team_week") + f"?week={booking.date.isoformat()}").content.decode()
    assert str(worker) in page and booking.intervention.citizen.first_name in page
    assert booking.intervention.citizen.cpr not in page


def test_notifications_badge_and_marked_read_on_view(worker_client, worker):
    services.notify(recipient=worker, kind="assigned", text="Ny borger: Anna K.", url="/")
    page = worker_client.get(reverse("agenda:agenda")).content.decode()
    assert "data-unread>1<" in page
    assert "Anna K." in worker_client.get(reverse("agenda:notifications")).content.decode()
    assert "data-unread" not in worker_client.get(reverse("agenda:agenda")).content.decode()


def test_a_visit_logged_without_a_booking_asks_for_the_start_time(worker_client, worker):
    _intervention(worker)
    page = worker_client.get(reverse("interventions:visit_create")).content.decode()
    tag = re.search(r"<input[^>]*id=\"id_start_time\"[^>]*>", page).group(0)
    assert "value=" not in tag and "required" in tag


def test_after_saving_a_visit_back_to_where_the_worker_came_from(worker_client, worker):
    intervention = _intervention(worker)
    agenda = reverse("agenda:agenda")
    page = worker_client.get(reverse("interventions:visit_create") + f"?intervention={intervention.pk}&next={agenda}")
    assert f'name="next" value="{agenda}"' in page.content.decode()
    base = {"intervention": intervention.pk, "date": TODAY.isoformat(), "duration_minutes": "30", "kind": "phone"}
    first = worker_client.post(reverse("interventions:visit_create"), {**base, "start_time": "08:00", "next": agenda})
    assert first.status_code == 302 and first["Location"] == agenda
    # Back to back: the second starts where the first ended, and is not an overlap.
    second = worker_client.post(
        reverse("interventions:visit_create"), {**base, "start_time": "08:30", "next": "https://evil.example/"}
    )
    assert second.status_code == 302 and second["Location"].startswith(reverse("interventions:visit_create"))
    assert Visit.objects.count() == 2


def test_a_visit_in_an_invoiced_month_opens_read_only_saying_why(worker_client, worker):
    intervention = _intervention(worker)
    visit = VisitFactory(intervention=intervention, date=TODAY.replace(day=1))
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=TODAY.replace(day=1))
    response = worker_client.get(reverse("interventions:visit_edit", args=[visit.pk]), follow=True)
    assert response.redirect_chain[-1][0] == visit.get_absolute_url()
    page = response.content.decode()
    assert "er faktureret" in page and "kreditnota" in page
    assert 'name="duration_minutes"' not in page


def test_the_citizen_page_shows_the_booked_visits_and_a_book_button(worker_client, worker):
    booking = BookingFactory(intervention=_intervention(worker), start_time=datetime.time(11, 45))
    page = worker_client.get(booking.intervention.citizen.get_absolute_url()).content.decode()
    assert "Aftalte besøg" in page and "11:45" in page
    assert f"{reverse('agenda:booking_create')}?intervention={booking.intervention_id}" in page


def test_after_saving_a_visit_the_message_offers_to_book_the_next(worker_client, worker):
    intervention = _intervention(worker)
    response = worker_client.post(
        reverse("interventions:visit_create"),
        {
            "intervention": intervention.pk,
            "date": TODAY.isoformat(),
            "start_time": "08:00",
            "duration_minutes": "30",
            "kind": "phone",
        },
        follow=True,
    )
    visit = Visit.objects.get()
    page = response.content.decode()
    assert visit.get_absolute_url() in page
    assert f"after_visit={visit.pk}" in page
    booking_form = worker_client.get(
        reverse("agenda:booking_create") + f"?intervention={intervention.pk}&after_visit={visit.pk}"
    )
    assert 'value="08:00"' in booking_form.content.decode() and 'value="30"' in booking_form.content.decode()


def test_just_after_midnight_tonight_is_still_ahead_and_an_hour_ago_has_passed(worker, monkeypatch):
    """At 00:20 a booking at 23:00 the same day is ahead (it was refused as passed: an hour before 00:20
    is 23:20 yesterday, and 23:00 < 23:20 compared as times of day)."""
    from django.utils import timezone

    day = timezone.localdate()
    twenty_past_midnight = timezone.make_aware(datetime.datetime.combine(day, datetime.time(0, 20)))
    monkeypatch.setattr(timezone, "localtime", lambda *args: twenty_past_midnight)
    booking = services.book_visit(
        intervention=_intervention(worker), by=worker, date=day, start_time=datetime.time(23, 0), duration_minutes=45
    )
    assert booking.start_time == datetime.time(23, 0)

    late = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15, 0)))
    monkeypatch.setattr(timezone, "localtime", lambda *args: late)
    with pytest.raises(ValidationError) as refused:
        services.book_visit(
            intervention=_intervention(worker),
            by=worker,
            date=day,
            start_time=datetime.time(13, 30),
            duration_minutes=30,
        )
    assert "start_time" in refused.value.message_dict
