"""Every change to bookings, calendar feeds and notifications goes through here.

Refusals are `ValidationError`s keyed by field where they concern one, so the forms show them there.
Lock order follows interventions.services: the worker's user row first, then the booking row.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agenda.models import Booking, CalendarFeed, Notification, new_feed_token
from housingfirst.models import User
from interventions import services as intervention_services
from interventions.models import Intervention, Visit
from interventions.phases import contact_rhythm_days
from interventions.selectors import OPEN

MAX_MINUTES = 720


def _lock_worker(worker: User) -> None:
    list(User.objects.select_for_update(no_key=True).filter(pk=worker.pk).values_list("pk", flat=True))


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("intervention__citizen", "worker")
        .get(pk=booking.pk)
    )


def suggest_next_date(intervention: Intervention, after: datetime.date | None = None, template=None) -> datetime.date:
    """The day the method's contact rhythm for the current phase says the next contact is due.

    A weekend day moves back to the Friday before: earlier keeps the rhythm, later would break it.
    """
    after = after or timezone.localdate()
    day = after + datetime.timedelta(days=contact_rhythm_days(intervention, on=after, template=template))
    if day.weekday() >= 5:
        friday = day - datetime.timedelta(days=day.weekday() - 4)
        if friday > after:
            day = friday
    return day


def can_manage_booking(user: User, booking: Booking) -> bool:
    """The worker moves their own bookings; the team lead the team's; administrators all (one rule with visits)."""
    return intervention_services.can_change_work(
        user, worker_id=booking.worker_id, team_id=booking.intervention.citizen.team_id
    )


def _starts_at(date: datetime.date, start_time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, start_time))


def _check(
    *,
    intervention: Intervention,
    worker: User,
    date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    exclude_pk=None,
) -> None:
    errors = {}
    now = timezone.localtime()
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended; book a visit on an ongoing one."))
    if duration_minutes is None or not 1 <= duration_minutes <= MAX_MINUTES:
        errors["duration_minutes"] = _("A visit lasts from 1 to 720 minutes.")
    if date < now.date():
        errors["date"] = _("The date has passed. Book a day from today on, or log the visit if it took place.")
    elif date == now.date() and _starts_at(date, start_time) < now - datetime.timedelta(hours=1):
        # Compared as moments: just after midnight, an hour ago is yesterday evening, not 23:xx today.
        errors["start_time"] = _("The time has passed. Log the visit if it took place.")
    if errors:
        raise ValidationError(errors)
    start = datetime.datetime.combine(date, start_time)
    end = start + datetime.timedelta(minutes=duration_minutes)
    nearby = (
        Booking.objects.filter(
            worker=worker,
            status=Booking.Status.PLANNED,
            date__range=(date - datetime.timedelta(days=1), date + datetime.timedelta(days=1)),
        )
        .exclude(pk=exclude_pk)
        .select_related("intervention__citizen")
    )
    for other in nearby:
        other_start = datetime.datetime.combine(other.date, other.start_time)
        if start < other_start + datetime.timedelta(minutes=other.duration_minutes) and other_start < end:
            raise ValidationError(
                {
                    "start_time": _(
                        "%(worker)s already has a visit booked on %(date)s at %(start)s for %(minutes)s minutes "
                        "(%(citizen)s)."
                    )
                    % {
                        "worker": worker,
                        "date": date_format(other.date, "d.m.Y"),
                        "start": other.start_time.strftime("%H:%M"),
                        "minutes": other.duration_minutes,
                        "citizen": other.intervention.citizen,
                    }
                }
            )


@transaction.atomic
def book_visit(
    *,
    intervention: Intervention,
    by: User,
    date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int = 60,
    place: str = Booking.Place.HOME,
    note: str = "",
    worker: User | None = None,
) -> Booking:
    """Plan a visit: with the course's worker, else the one booking it."""
    worker = worker or intervention.worker or by
    _lock_worker(worker)
    intervention = Intervention.objects.select_related("citizen").get(pk=intervention.pk)
    _check(
        intervention=intervention, worker=worker, date=date, start_time=start_time, duration_minutes=duration_minutes
    )
    booking = Booking.objects.create(
        intervention=intervention,
        worker=worker,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        place=place,
        note=note,
        created_by=by,
    )
    return booking


def short_name(citizen) -> str:
    """First name and the surname's initial: enough for the worker, little for anyone who reads over a shoulder."""
    initial = f" {citizen.last_name[:1]}." if citizen.last_name else ""
    return f"{citizen.first_name}{initial}"


def _describe(booking: Booking) -> dict:
    return {
        "citizen": short_name(booking.intervention.citizen),
        "date": date_format(booking.date, "d.m.Y"),
        "time": booking.start_time.strftime("%H:%M"),
    }


@transaction.atomic
def move_booking(
    *,
    booking: Booking,
    by: User,
    date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    place: str,
    note: str = "",
) -> Booking:
    if not can_manage_booking(by, booking):
        raise ValidationError(_("You can only move your own bookings or your team's."))
    _lock_worker(booking.worker)
    booking = _lock_booking(booking)
    if booking.status != Booking.Status.PLANNED:
        raise ValidationError(_("The booking is already logged or cancelled; it cannot be moved."))
    before = _describe(booking)
    _check(
        intervention=booking.intervention,
        worker=booking.worker,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        exclude_pk=booking.pk,
    )
    moved = (booking.date, booking.start_time) != (date, start_time)
    booking.date, booking.start_time = date, start_time
    booking.duration_minutes, booking.place, booking.note = duration_minutes, place, note
    booking.save()
    if moved and by.pk != booking.worker_id:
        after = _describe(booking)
        notify(
            recipient=booking.worker,
            kind=Notification.Kind.BOOKING_MOVED,
            text=_("%(by)s moved your visit with %(citizen)s from %(old_date)s %(old_time)s to %(date)s %(time)s.")
            % {
                "by": by,
                "citizen": after["citizen"],
                "old_date": before["date"],
                "old_time": before["time"],
                "date": after["date"],
                "time": after["time"],
            },
            url=reverse("agenda:agenda"),
        )
    return booking


@transaction.atomic
def cancel_booking(*, booking: Booking, by: User) -> Booking:
    if not can_manage_booking(by, booking):
        raise ValidationError(_("You can only cancel your own bookings or your team's."))
    _lock_worker(booking.worker)
    booking = _lock_booking(booking)
    if booking.status != Booking.Status.PLANNED:
        raise ValidationError(_("The booking is already logged or cancelled."))
    booking.status = Booking.Status.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    if by.pk != booking.worker_id:
        notify(
            recipient=booking.worker,
            kind=Notification.Kind.BOOKING_CANCELLED,
            text=_("%(by)s cancelled your visit with %(citizen)s on %(date)s %(time)s.")
            % {"by": by, **_describe(booking)},
            url=reverse("agenda:agenda"),
        )
    return booking


@transaction.atomic
def log_booked_visit(*, booking: Booking, by: User, **visit_fields) -> Visit:
    """Log the visit a booking planned, and mark the booking done, in one transaction.

    The booking row is locked so a second tab logging the same booking waits and is then refused,
    instead of making the visit twice.
    """
    _lock_worker(booking.worker)
    booking = _lock_booking(booking)
    if booking.status != Booking.Status.PLANNED:
        raise ValidationError(_("This booking is already logged or cancelled."))
    visit_fields.pop("intervention", None)
    visit = intervention_services.log_visit(
        intervention=booking.intervention, by=by, worker=booking.worker, **visit_fields
    )
    booking.status = Booking.Status.DONE
    booking.visit = visit
    booking.save(update_fields=["status", "visit", "updated_at"])
    return visit


# --- The calendar feed ----------------------------------------------------------------------------------


@transaction.atomic
def renew_feed(*, user: User) -> CalendarFeed:
    """A new secret URL; the old one answers 404 from now on."""
    feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
    if not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed


@transaction.atomic
def revoke_feed(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# --- Notifications ----------------------------------------------------------------------------------


def notify(*, recipient: User, kind: str, text: str, url: str = "", key: str = "") -> Notification | None:
    """A note in the recipient's menu. With a `key`, the same note is made once only."""
    if key:
        notification, created = Notification.objects.get_or_create(
            recipient=recipient, key=key, defaults={"kind": kind, "text": text[:300], "url": url}
        )
        return notification if created else None
    return Notification.objects.create(recipient=recipient, kind=kind, text=text[:300], url=url)


def mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


CONSENT_WARNING_DAYS = 14


def notify_expiring_consents(*, today: datetime.date | None = None) -> int:
    """Tell each worker about their citizens' consents that expire within two weeks (once per consent).

    Safe to run twice: the key makes each note once.
    """
    from citizens.models import Consent

    today = today or timezone.localdate()
    consents = Consent.objects.filter(
        withdrawn_on__isnull=True,
        expires_on__range=(today, today + datetime.timedelta(days=CONSENT_WARNING_DAYS)),
        citizen__interventions__in=Intervention.objects.filter(OPEN, worker__isnull=False),
    ).select_related("citizen")
    workers = dict(
        Intervention.objects.filter(OPEN, citizen__in=[c.citizen_id for c in consents]).values_list(
            "citizen_id", "worker_id"
        )
    )
    made = 0
    for consent in consents.distinct():
        worker_id = workers.get(consent.citizen_id)
        if worker_id is None:
            continue
        note = notify(
            recipient=User(pk=worker_id),
            kind=Notification.Kind.CONSENT_EXPIRING,
            text=_("The consent of %(citizen)s expires on %(date)s.")
            % {"citizen": short_name(consent.citizen), "date": date_format(consent.expires_on, "d.m.Y")},
            url=consent.citizen.get_absolute_url(),
            key=f"consent:{consent.pk}:{consent.expires_on:%Y%m%d}",
        )
        made += note is not None
    return made


FOLLOW_UP_WARNING_DAYS = 14


def notify_follow_ups_due(*, today: datetime.date | None = None) -> int:
    """Tell each worker about the follow-up dates (agreed with the municipality) of their courses that fall
    within two weeks (once per course and date). Safe to run twice: the key makes each note once."""
    today = today or timezone.localdate()
    due = (
        Intervention.objects.filter(
            OPEN,
            worker__isnull=False,
            follow_up_date__range=(today, today + datetime.timedelta(days=FOLLOW_UP_WARNING_DAYS)),
        )
        .select_related("citizen")
        .order_by("follow_up_date", "pk")
    )
    made = 0
    for intervention in due:
        note = notify(
            recipient=User(pk=intervention.worker_id),
            kind=Notification.Kind.FOLLOW_UP_DUE,
            text=_("The follow-up with the municipality on %(citizen)s is due on %(date)s.")
            % {"citizen": short_name(intervention.citizen), "date": date_format(intervention.follow_up_date, "d.m.Y")},
            url=intervention.get_absolute_url(),
            key=f"follow-up:{intervention.pk}:{intervention.follow_up_date:%Y%m%d}",
        )
        made += note is not None
    return made
