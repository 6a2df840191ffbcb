import datetime

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agenda import selectors, services
from agenda.forms import QUICK_MINUTES, BookingForm
from agenda.models import Booking, CalendarFeed
from interventions.forms import VisitForm
from interventions.models import Intervention
from interventions.selectors import OPEN, get_visible_visit, teams_for, visible_interventions


def _booking_choices(user):
    """Open courses of the user's team, own caseload first."""
    from django.db.models import Case, Value, When

    return (
        visible_interventions(user)
        .filter(OPEN)
        .select_related("citizen")
        .defer("citizen__cpr")  # a choice names the citizen; it never needs the number
        .annotate(mine=Case(When(worker=user, then=Value(0)), default=Value(1)))
        .order_by("mine", "citizen__first_name", "citizen__last_name", "pk")
    )


@permission_required("agenda.view_booking", raise_exception=True)
def agenda(request):
    return render(request, "agenda/agenda.html", {"agenda": selectors.agenda_for(request.user)})


def _booking_page(request, form, booking=None, suggestion=None):
    return render(
        request,
        "agenda/booking_form.html",
        {"form": form, "booking": booking, "suggestion": suggestion, "quick_minutes": QUICK_MINUTES},
    )


@permission_required("agenda.add_booking", raise_exception=True)
def booking_create(request):
    choices = _booking_choices(request.user)
    if request.method == "POST":
        form = BookingForm(request.POST, interventions=choices)
        if form.is_valid():
            try:
                booking = services.book_visit(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Visit booked with %(citizen)s on %(date)s at %(time)s.")
                    % {
                        "citizen": booking.intervention.citizen,
                        "date": booking.date.strftime("%d.%m.%Y"),
                        "time": booking.start_time.strftime("%H:%M"),
                    },
                )
                return redirect("agenda:agenda")
        return _booking_page(request, form)
    initial = {"duration_minutes": 60, "place": Booking.Place.HOME, "start_time": datetime.time(10, 0)}
    intervention_pk, citizen_pk = request.GET.get("intervention", ""), request.GET.get("citizen", "")
    intervention = None
    if intervention_pk.isdigit():
        intervention = choices.filter(pk=intervention_pk).prefetch_related("transitions").first()
    elif citizen_pk.isdigit():
        intervention = choices.filter(citizen_id=citizen_pk).prefetch_related("transitions").first()
    suggestion = None
    if intervention is not None:
        initial["intervention"] = intervention.pk
        after = timezone.localdate()
        after_visit = request.GET.get("after_visit", "")
        if after_visit.isdigit():
            visit = get_visible_visit(request.user, after_visit)
            after = max(visit.date, after)
            initial["duration_minutes"] = visit.duration_minutes
            initial["start_time"] = visit.start_time
        suggestion = {
            "date": services.suggest_next_date(intervention, after=after),
            "rhythm": services.contact_rhythm_days(intervention, on=after),
        }
        initial["date"] = suggestion["date"]
    form = BookingForm(initial=initial, interventions=choices)
    return _booking_page(request, form, suggestion=suggestion)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _get_booking(request, pk) -> Booking:
    booking = get_object_or_404(selectors.visible_bookings(request.user), pk=pk)
    if not services.can_manage_booking(request.user, booking):
        raise PermissionDenied(_("You can only move your own bookings or your team's."))
    return booking


@permission_required("agenda.change_booking", raise_exception=True)
def booking_edit(request, pk):
    booking = _get_booking(request, pk)
    choices = Intervention.objects.filter(pk=booking.intervention_id).select_related("citizen")
    initial = {
        "intervention": booking.intervention_id,
        "date": booking.date,
        "start_time": booking.start_time,
        "duration_minutes": booking.duration_minutes,
        "place": booking.place,
        "note": booking.note,
    }
    form = BookingForm(request.POST or None, initial=initial, interventions=choices)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        changes.pop("intervention")
        try:
            services.move_booking(booking=booking, by=request.user, **changes)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The booking is moved."))
            return redirect(request.POST.get("next") or "agenda:agenda")
    return _booking_page(request, form, booking=booking)


@require_POST
@permission_required("agenda.change_booking", raise_exception=True)
def booking_cancel(request, pk):
    booking = _get_booking(request, pk)
    try:
        services.cancel_booking(booking=booking, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("agenda:agenda")


@permission_required("interventions.add_visit", raise_exception=True)
def booking_log(request, pk):
    """The visit form filled from the booking: the worker only confirms or adjusts."""
    booking = _get_booking(request, pk)
    if booking.status != Booking.Status.PLANNED:
        messages.info(request, _("This booking is already logged or cancelled."))
        return redirect("agenda:agenda")
    choices = Intervention.objects.filter(pk=booking.intervention_id).select_related("citizen")
    initial = {
        "intervention": booking.intervention_id,
        "date": min(booking.date, timezone.localdate()),
        "start_time": booking.start_time,
        "duration_minutes": booking.duration_minutes,
        "kind": booking.visit_kind,
        "billable": True,
    }
    form = VisitForm(request.POST or None, initial=initial, interventions=choices)
    if request.method == "POST" and form.is_valid():
        try:
            visit = services.log_booked_visit(booking=booking, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                format_html(
                    '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
                    _("The visit with %(citizen)s is saved (%(minutes)s min).")
                    % {"citizen": visit.intervention.citizen, "minutes": visit.duration_minutes},
                    visit.get_absolute_url(),
                    _("See the visit"),
                    f"{reverse('agenda:booking_create')}?intervention={visit.intervention_id}&after_visit={visit.pk}",
                    _("Book the next"),
                ),
            )
            return redirect("agenda:agenda")
    return render(
        request,
        "interventions/visit_form.html",
        {"form": form, "quick_minutes": QUICK_MINUTES, "booking": booking, "fixed_citizen": True},
    )


# --- The team's week ----------------------------------------------------------------------------------


@permission_required("interventions.view_capacity", raise_exception=True)
def team_week(request):
    teams = list(teams_for(request.user))
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0] if teams else None)
    if team is None:
        raise Http404
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    monday = selectors.monday_of(day)
    dates, rows = selectors.team_week(team.pk, monday)
    return render(
        request,
        "agenda/team_week.html",
        {
            "team": team,
            "teams": teams,
            "dates": dates,
            "rows": rows,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "today": timezone.localdate(),
        },
    )


# --- The calendar feed -------------------------------------------------------------------------------


@permission_required("agenda.view_booking", raise_exception=True)
def calendar_settings(request):
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_feed(user=request.user)
            messages.success(request, _("The calendar address is switched off."))
        else:
            services.renew_feed(user=request.user)
            messages.success(request, _("A new calendar address is made; the old one no longer works."))
        return redirect("agenda:calendar")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("agenda:feed", args=[feed.token])) if feed else ""
    return render(request, "agenda/calendar.html", {"feed": feed, "url": url})


@login_not_required
def feed(request, token):
    """The worker's bookings as iCalendar. The secret in the URL is the only key: calendar apps cannot log in."""
    calendar_feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if calendar_feed is None:
        raise Http404
    CalendarFeed.objects.filter(pk=calendar_feed.pk).update(last_read_at=timezone.now())
    tz = timezone.get_current_timezone()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Bostøtte//agenda//DA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Bostøtte visits"))
    for booking in selectors.feed_bookings(calendar_feed.user):
        start = datetime.datetime.combine(booking.date, booking.start_time, tzinfo=tz)
        event = icalendar.Event()
        event.add("uid", f"booking-{booking.pk}@bostotte")
        event.add("dtstamp", booking.updated_at)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=booking.duration_minutes))
        event.add(
            "summary",
            _("Visit: %(citizen)s") % {"citizen": services.short_name(booking.intervention.citizen)},
        )
        event.add("location", booking.get_place_display())
        link = request.build_absolute_uri(booking.get_absolute_url())
        event.add("url", link)
        event.add("description", f"{booking.note}\n{link}".strip())
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="bostotte.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Notifications ---------------------------------------------------------------------------------


def notifications(request):
    page = Paginator(selectors.notifications_of(request.user), 25).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    unread = {n.pk for n in rows if n.read_at is None}
    services.mark_read(user=request.user)
    return render(request, "agenda/notifications.html", {"page": page, "rows": rows, "unread": unread})
