"""Every change to interventions and visits goes through here: views, the admin, demo data and tests.

Refusals are `ValidationError`s with a Danish-facing message that the views show in the form.
"""

import contextlib
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from citizens import services as citizen_services
from citizens.models import Citizen
from housingfirst.models import Method, Municipality, Team, User
from interventions.models import Intervention, Pause, Phase, PhaseTransition, Visit
from interventions.selectors import OPEN, load_of, team_act_count, visits_are_locked, workers_with_room
from interventions.signals import worker_assigned

MAX_VISIT_MINUTES = 720
MINUTES_PER_DAY = 24 * 60
ONE_DAY = datetime.timedelta(days=1)


class _Keep:
    def __repr__(self):
        return "KEEP"


# "Leave as it is", where None would mean "set to nobody".
KEEP = _Keep()


def _names(users) -> str:
    return ", ".join(str(user) for user in users)


# --- Assigning within the caps --------------------------------------------------------------------


def _check_room(*, intervention: Intervention, worker: User) -> None:
    """Refuse an assignment that would break method fidelity. Call with the worker's row locked."""
    method = intervention.method
    team_id = intervention.citizen.team_id
    if worker.team_id != team_id:
        raise ValidationError(
            _("%(worker)s is not in the citizen's team (%(team)s).")
            % {"worker": worker, "team": intervention.citizen.team}
        )
    if not worker.is_qualified_for(method):
        raise ValidationError(_("%(worker)s is not qualified for %(method)s.") % {"worker": worker, "method": method})
    if method == Method.ACT:
        team = intervention.citizen.team
        if team_act_count(team_id, exclude=intervention) >= team.act_cap:
            raise ValidationError(
                _("The team already has %(count)s ACT citizens, its cap. End an ACT course first.")
                % {"count": team.act_cap}
            )
        return
    load = load_of(worker)
    if load.has_room_for(method):
        return
    room = workers_with_room(team_id, method, exclude=worker)
    message = _("%(worker)s has no room for another %(method)s citizen: %(load)s.") % {
        "worker": worker,
        "method": method,
        "load": load,
    }
    if room:
        message += " " + _("Room for %(method)s: %(names)s.") % {"method": method, "names": _names(room)}
    else:
        message += " " + _("Nobody in the team has room for %(method)s.") % {"method": method}
    raise ValidationError(message)


# Lock order, the same in every service here so two of them never wait for each other in a circle:
#   1. the team row (ACT is capped per team),
#   2. the worker's user row (the caseload cap, overlapping visits),
#   3. the citizen row (one open intervention per citizen),
#   4. intervention rows, then visit rows,
#   5. the paying municipality's row (the invoiced-month check, see _hold_billing_month). The check
#      also refuses a month that is on an issued invoice to an earlier paying municipality: a change
#      of paying municipality takes both municipalities' rows (citizens.services), so it never lands
#      while one of them is being invoiced, and a credit note only ever unlocks.
# A service may skip a step but never take an earlier one after a later one. Team, user and citizen
# rows are mutexes only: FOR NO KEY UPDATE still excludes the same lock from another transaction, but
# unlike FOR UPDATE it lets others insert rows that point at them (history_user, Visit.worker,
# CprAccess.user ...), which would otherwise wait on, and could deadlock with, an assignment.


def _lock_for(*, team_id: int, method: str, worker: User | None) -> None:
    """Steps 1 and 2. Counting after the lock means a concurrent assignment to the same worker waits
    and then sees the other's committed row."""
    if method == Method.ACT:
        list(Team.objects.select_for_update(no_key=True).filter(pk=team_id).values_list("pk", flat=True))
    if worker is not None:
        _lock_worker(worker)


def _lock_worker(worker: User) -> None:
    # Also what keeps two tabs saving at once from slipping two overlapping visits past the check.
    list(User.objects.select_for_update(no_key=True).filter(pk=worker.pk).values_list("pk", flat=True))


def _lock_citizen(citizen: Citizen) -> Citizen:
    return Citizen.objects.select_for_update(no_key=True).get(pk=citizen.pk)


def _lock_intervention(pk: int, *related: str) -> Intervention:
    """Step 4: the intervention row only (`of="self"`), even when related rows are read with it."""
    locked = Intervention.objects.select_for_update(of=("self",), no_key=True)
    return (locked.select_related(*related) if related else locked).get(pk=pk)


def _activate(intervention: Intervention, by: User | None) -> None:
    intervention.status = Intervention.Status.ACTIVE
    intervention._history_user = by
    intervention.save(update_fields=["status"])


@transaction.atomic
def assign_worker(*, intervention: Intervention, worker: User, by: User, coordinator: User | None = None):
    """Make `worker` the case manager of `intervention`, within the caseload caps."""
    _lock_for(team_id=intervention.citizen.team_id, method=intervention.method, worker=worker)
    intervention = _lock_intervention(intervention.pk, "citizen__team")
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended; it cannot be assigned."))
    changed = intervention.worker_id != worker.pk
    if changed:
        _check_room(intervention=intervention, worker=worker)
    intervention.worker = worker
    if coordinator is not None:
        intervention.coordinator = coordinator
    elif intervention.coordinator_id is None:
        intervention.coordinator = worker
    intervention._history_user = by
    intervention.save(update_fields=["worker", "coordinator"])
    if changed:
        worker_assigned.send(sender=Intervention, intervention=intervention, worker=worker, by=by)
    return intervention


# --- Starting, phases, pauses, method change, ending -----------------------------------------------


@transaction.atomic
def start_intervention(
    *,
    citizen: Citizen,
    method: str,
    start_date: datetime.date,
    by: User,
    worker: User | None = None,
    coordinator: User | None = None,
    follow_up_date: datetime.date | None = None,
    chosen_worker: User | None = None,
    choice_accepted: bool | None = None,
    choice_rejection_reason: str = "",
    employment_department: bool = False,
    previous: Intervention | None = None,
) -> Intervention:
    _lock_for(team_id=citizen.team_id, method=method, worker=worker)
    # Lock the citizen so two people starting a course at once get a message, not an IntegrityError.
    citizen = _lock_citizen(citizen)
    citizen_services.refuse_if_anonymised(citizen)
    if citizen.interventions.filter(OPEN).exists():
        raise ValidationError(_("The citizen already has an intervention that has not ended."))
    _check_choice(chosen_worker, choice_accepted, choice_rejection_reason)
    today = timezone.localdate()
    intervention = Intervention(
        citizen=citizen,
        method=method,
        start_date=start_date,
        follow_up_date=follow_up_date,
        coordinator=coordinator,
        status=Intervention.Status.PLANNED if start_date > today else Intervention.Status.ACTIVE,
        chosen_worker=chosen_worker,
        choice_accepted=choice_accepted,
        choice_rejection_reason=choice_rejection_reason,
        employment_department=employment_department,
        previous=previous,
    )
    intervention._history_user = by
    intervention.save()
    if worker is not None:
        intervention = assign_worker(intervention=intervention, worker=worker, by=by, coordinator=coordinator)
    return intervention


def _not_in_advance(day: datetime.date, field: str) -> None:
    """A pause, an ending or a change of method is recorded when it happens: recorded ahead, it would
    pause the course, or free the worker's place under the cap, today. The message goes on `field`."""
    if day > timezone.localdate():
        raise ValidationError({field: _("The date is in the future. Record it on the day it happens, not in advance.")})


def start_planned_interventions(*, today: datetime.date | None = None) -> int:
    """Make every planned intervention whose start date has come active; returns how many.

    Run daily (`manage.py start_planned_interventions`); logging a visit also starts its course.
    """
    today = today or timezone.localdate()
    started = 0
    due = Intervention.objects.filter(status=Intervention.Status.PLANNED, start_date__lte=today)
    for pk in due.values_list("pk", flat=True):
        started += _start_if_due(pk, today)
    return started


@transaction.atomic
def _start_if_due(pk: int, today: datetime.date) -> int:
    intervention = _lock_intervention(pk)
    if intervention.status != Intervention.Status.PLANNED or intervention.start_date > today:
        return 0
    _activate(intervention, by=None)
    return 1


@transaction.atomic
def update_details(
    *,
    intervention: Intervention,
    by: User,
    follow_up_date: datetime.date | None,
    chosen_worker: User | None,
    choice_accepted: bool | None,
    choice_rejection_reason: str = "",
    employment_department: bool = False,
    coordinator: User | None | _Keep = KEEP,
) -> Intervention:
    """The facts of a course that change as it goes: the next follow-up date, the municipality's answer
    to the citizen's choice of worker (§85a), the employment department and, for an assigner, the
    coordinator."""
    intervention = _lock_intervention(intervention.pk, "citizen")
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended."))
    if follow_up_date and follow_up_date < intervention.start_date:
        raise ValidationError({"follow_up_date": _("The follow-up date cannot be before the intervention started.")})
    _check_choice(chosen_worker, choice_accepted, choice_rejection_reason)
    team_id = intervention.citizen.team_id
    for field, member in (("chosen_worker", chosen_worker), ("coordinator", coordinator)):
        if isinstance(member, User) and member.team_id != team_id:
            raise ValidationError({field: _("Choose someone from the citizen's team.")})
    intervention.follow_up_date = follow_up_date
    intervention.chosen_worker = chosen_worker
    intervention.choice_accepted = choice_accepted if chosen_worker else None
    intervention.choice_rejection_reason = choice_rejection_reason.strip() if choice_accepted is False else ""
    intervention.employment_department = employment_department
    fields = ["follow_up_date", "chosen_worker", "choice_accepted", "choice_rejection_reason", "employment_department"]
    if coordinator is not KEEP:
        if not by.has_perm("interventions.assign_worker"):
            raise ValidationError(_("Only a team lead can choose the coordinator."))
        intervention.coordinator = coordinator or intervention.worker
        fields.append("coordinator")
    intervention._history_user = by
    intervention.save(update_fields=fields)
    return intervention


def _check_choice(chosen_worker, choice_accepted, reason: str) -> None:
    if chosen_worker and choice_accepted is False and not reason.strip():
        raise ValidationError(
            {
                "choice_rejection_reason": _(
                    "When the municipality does not follow the citizen's choice of worker, write its reason (§85a)."
                )
            }
        )


PHASE_ORDER = [Phase.CONTACT, Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3]


@transaction.atomic
def record_phase(
    *, intervention: Intervention, phase: str, date: datetime.date, by: User, note: str = ""
) -> PhaseTransition:
    intervention = _lock_intervention(intervention.pk)
    if intervention.method != Method.CTI:
        raise ValidationError(_("Only a CTI course has phases."))
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended."))
    if date < intervention.start_date:
        raise ValidationError(_("A phase cannot begin before the intervention started."))
    if date > timezone.localdate():
        raise ValidationError(_("Record a phase transition on the day it happens, not in advance."))
    recorded = {t.phase: t.date for t in intervention.transitions.all()}
    if phase in recorded:
        raise ValidationError(_("This phase is already recorded."))
    earlier = [recorded[p] for p in PHASE_ORDER[: PHASE_ORDER.index(phase)] if p in recorded]
    if earlier and date < max(earlier):
        raise ValidationError(_("A phase cannot begin before the phase before it."))
    transition = PhaseTransition.objects.create(
        intervention=intervention, phase=phase, date=date, recorded_by=by, note=note
    )
    if intervention.status == Intervention.Status.PLANNED:
        _activate(intervention, by)
    return transition


@transaction.atomic
def start_pause(
    *,
    intervention: Intervention,
    from_date: datetime.date,
    reason: str,
    by: User,
    to_date: datetime.date | None = None,
    note: str = "",
) -> Pause:
    """A pause with no end pauses the intervention now; one with both dates is recorded after the fact."""
    intervention = _lock_intervention(intervention.pk)
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has ended."))
    if from_date < intervention.start_date:
        raise ValidationError(_("A pause cannot begin before the intervention started."))
    if to_date is None:
        _not_in_advance(from_date, "from_date")
    else:
        _not_in_advance(to_date, "to_date")
    if to_date and to_date < from_date:
        raise ValidationError(_("A pause cannot end before it starts."))
    if to_date is None and intervention.status == Intervention.Status.PAUSED:
        raise ValidationError(_("The intervention is already paused."))
    for other in intervention.pauses.all():
        other_end = other.to_date or datetime.date.max
        if from_date <= other_end and (to_date or datetime.date.max) >= other.from_date:
            raise ValidationError(_("The pause overlaps another pause (%(pause)s).") % {"pause": other})
    pause = Pause.objects.create(
        intervention=intervention, from_date=from_date, to_date=to_date, reason=reason, note=note, recorded_by=by
    )
    if to_date is None:
        intervention.status = Intervention.Status.PAUSED
        intervention._history_user = by
        intervention.save(update_fields=["status"])
    return pause


@transaction.atomic
def end_pause(*, intervention: Intervention, to_date: datetime.date, by: User) -> Pause:
    intervention = _lock_intervention(intervention.pk)
    pause = intervention.pauses.filter(to_date__isnull=True).first()
    if pause is None:
        raise ValidationError(_("The intervention is not paused."))
    if to_date < pause.from_date:
        raise ValidationError(_("A pause cannot end before it starts."))
    if to_date > timezone.localdate():
        raise ValidationError(_("Record the return on the day it happens, not in advance."))
    if pause.is_agreed_shelter_return:
        # The stay's nights in an invoiced month were billed up to the month's end: ending it inside
        # that month would change an issued invoice.
        _hold_billing_month(intervention.citizen.paying_municipality_id)
        _refuse_locked_nights(intervention.citizen, to_date, pause.from_date)
    pause.to_date = to_date
    pause.save(update_fields=["to_date"])
    _activate(intervention, by)
    return pause


def _refuse_locked_nights(citizen: Citizen, first: datetime.date, last: datetime.date | None) -> None:
    """Refuse when a month from `first` to `last` (today when None) is invoiced for the citizen."""
    month = first.replace(day=1)
    last = last or timezone.localdate()
    while month <= last:
        if visits_are_locked(citizen, month):
            raise ValidationError(
                _(
                    "%(month)s is invoiced for the citizen's paying municipality, so the stay's days in it are "
                    "locked. Ask the administration for a credit note to correct it."
                )
                % {"month": capfirst(date_format(month, "F Y"))}
            )
        month = (month + datetime.timedelta(days=32)).replace(day=1)


@transaction.atomic
def agree_shelter_return(*, pause: Pause, agreed_on: datetime.date, caseworker: str, by: User) -> Pause:
    """Record that a return to the shelter is agreed with the municipality, so it is invoiced at the
    shelter's day rate. An agreement is recorded before the month of its days is invoiced."""
    intervention = _lock_intervention(pause.intervention_id, "citizen")
    pause = Pause.objects.select_for_update().get(pk=pause.pk)
    errors = {}
    caseworker = (caseworker or "").strip()
    if pause.reason != Pause.Reason.SHELTER:
        raise ValidationError(_("Only a temporary return to the shelter is agreed with the municipality."))
    if agreed_on is None:
        errors["agreed_on"] = _("Enter the date it was agreed.")
    elif agreed_on > timezone.localdate():
        errors["agreed_on"] = _("The date is in the future. Record the agreement after it is made.")
    if not caseworker:
        errors["caseworker"] = _("Enter the caseworker it was agreed with.")
    if errors:
        raise ValidationError(errors)
    _hold_billing_month(intervention.citizen.paying_municipality_id)
    last_night = pause.to_date - ONE_DAY if pause.to_date else None
    if last_night is None or last_night >= pause.from_date:
        _refuse_locked_nights(intervention.citizen, pause.from_date, last_night)
    pause.agreed_on = agreed_on
    pause.agreed_caseworker = caseworker
    pause.agreed_by = by
    pause._history_user = by
    pause.save(update_fields=["agreed_on", "agreed_caseworker", "agreed_by"])
    return pause


@transaction.atomic
def end_intervention(
    *, intervention: Intervention, end_date: datetime.date, reason: str, by: User, note: str = ""
) -> Intervention:
    intervention = _lock_intervention(intervention.pk)
    if intervention.status == Intervention.Status.ENDED:
        raise ValidationError(_("The intervention has already ended."))
    if not reason:
        raise ValidationError(_("Choose the reason the intervention ends."))
    if end_date < intervention.start_date:
        raise ValidationError(_("An intervention cannot end before it started."))
    _not_in_advance(end_date, "end_date")
    last_visit = intervention.visits.order_by("-date").values_list("date", flat=True).first()
    if last_visit and end_date < last_visit:
        raise ValidationError(
            _("A visit is logged on %(date)s, after that end date.") % {"date": date_format(last_visit, "d.m.Y")}
        )
    running = intervention.pauses.filter(to_date__isnull=True).first()
    if running:
        running.to_date = max(end_date, running.from_date)
        running.save(update_fields=["to_date"])
    intervention.status = Intervention.Status.ENDED
    intervention.end_date = end_date
    intervention.end_reason = reason
    intervention.end_note = note
    intervention._history_user = by
    intervention.save(update_fields=["status", "end_date", "end_reason", "end_note"])
    return intervention


@transaction.atomic
def change_method(
    *, intervention: Intervention, method: str, date: datetime.date, by: User, worker: User | None | _Keep = KEEP
) -> Intervention:
    """End the course with "moved to another method" and start a new one linked to it (CTI → ICM).

    Choosing the new course's worker is an assignment, so only someone who may assign
    (`interventions.assign_worker`) passes `worker`. Left as KEEP, the new course keeps the old
    worker when they work with the new method and the caps allow it; otherwise it starts without a
    worker and waits on the capacity board for a team lead.
    """
    if method == intervention.method:
        raise ValidationError(_("The intervention already uses %(method)s.") % {"method": method})
    _not_in_advance(date, "date")
    choose = worker is not KEEP
    if choose and not by.has_perm("interventions.assign_worker"):
        raise ValidationError(_("Only a team lead can choose the support worker."))
    citizen = intervention.citizen
    previous_worker = intervention.worker
    if not choose:
        worker = previous_worker if previous_worker and previous_worker.is_qualified_for(method) else None
    # Steps 1-4 of the lock order before the old course is touched: end_intervention locks it
    # (step 4), and start_intervention would otherwise take the citizen and worker after it.
    _lock_for(team_id=citizen.team_id, method=method, worker=worker)
    _lock_citizen(citizen)
    old = end_intervention(
        intervention=intervention,
        end_date=date - datetime.timedelta(days=1) if date > intervention.start_date else date,
        reason=Intervention.EndReason.METHOD_CHANGE,
        by=by,
        note=_("Continues as %(method)s.") % {"method": method},
    )
    new = start_intervention(
        citizen=old.citizen,
        method=method,
        start_date=date,
        by=by,
        worker=worker if choose else None,
        coordinator=old.coordinator,
        # The follow-up agreed with the municipality still stands when the method changes.
        follow_up_date=old.follow_up_date if old.follow_up_date and old.follow_up_date >= date else None,
        chosen_worker=old.chosen_worker,
        choice_accepted=old.choice_accepted,
        choice_rejection_reason=old.choice_rejection_reason,
        employment_department=old.employment_department,
        previous=old,
    )
    # `worker` was read before the locks (the lock order puts the worker first); keep them only if the
    # locked old row still names them. No room under the caps: the course waits for a team lead.
    if not choose and worker is not None and old.worker_id == worker.pk:
        with contextlib.suppress(ValidationError):
            new = assign_worker(intervention=new, worker=worker, by=by)
    return new


# --- Visits -------------------------------------------------------------------------------------------


def can_change_work(user: User, *, worker_id, team_id) -> bool:
    """Who may change a piece of a worker's work (a visit, a booking): the worker their own, the team lead
    the team's, administrators all. The one place of the rule, for visits here and bookings in agenda."""
    if user.is_administrator:
        return True
    if user.is_team_lead and user.team_id is not None and team_id == user.team_id:
        return True
    return worker_id == user.pk


def can_edit_visit(user: User, visit: Visit) -> bool:
    return can_change_work(user, worker_id=visit.worker_id, team_id=visit.intervention.citizen.team_id)


def _locked_message(day: datetime.date) -> str:
    return _(
        "%(month)s is invoiced for the citizen's paying municipality, so its visits are locked. "
        "Ask the administration for a credit note to correct it."
    ) % {"month": capfirst(date_format(day, "F Y"))}


def locked_message(day: datetime.date) -> str:
    """Why a visit in an invoiced month cannot be changed, and what to do instead."""
    return _locked_message(day)


def _minutes(value: datetime.time) -> int:
    return value.hour * 60 + value.minute


def visit_field_errors(*, date: datetime.date | None, duration_minutes: int | None) -> dict[str, str]:
    """The visit rules that need no database: a duration of 1-720 minutes and a date not in the future.

    The visit form asks these too, so a worker sees every mistake in one round, not the missing start time
    first and the future date on the next save."""
    errors = {}
    if duration_minutes is not None and duration_minutes <= 0:
        errors["duration_minutes"] = _("The duration must be at least 1 minute.")
    elif duration_minutes is not None and duration_minutes > MAX_VISIT_MINUTES:
        errors["duration_minutes"] = _("A visit lasts at most 720 minutes (12 hours).")
    if date is not None and date > timezone.localdate():
        errors["date"] = _("The date is in the future. Log a visit after it has happened.")
    return errors


def _check_visit(
    *,
    intervention: Intervention,
    worker: User,
    date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    exclude_pk=None,
) -> None:
    errors = visit_field_errors(date=date, duration_minutes=duration_minutes)
    if duration_minutes is None:
        errors["duration_minutes"] = _("The duration must be at least 1 minute.")
    # A future date says enough; the course's dates and the locked months are asked of a past one.
    if "date" not in errors:
        if date < intervention.start_date:
            errors["date"] = _("The intervention started on %(start)s; the visit is before that.") % {
                "start": date_format(intervention.start_date, "d.m.Y")
            }
        elif intervention.end_date and date > intervention.end_date:
            errors["date"] = _("The intervention ended on %(end)s; the visit is after that.") % {
                "end": date_format(intervention.end_date, "d.m.Y")
            }
        elif visits_are_locked(intervention.citizen, date):
            errors["date"] = _locked_message(date)
    if errors:
        raise ValidationError(errors)
    start = _minutes(start_time)
    end = start + duration_minutes
    # A visit may run past midnight (up to 12 hours), so the day before and after are compared too,
    # in minutes counted from this visit's midnight.
    nearby = (
        Visit.objects.filter(worker=worker, date__range=(date - ONE_DAY, date + ONE_DAY))
        .exclude(pk=exclude_pk)
        .select_related("intervention__citizen")
    )
    for other in nearby:
        other_start = _minutes(other.start_time) + (other.date - date).days * MINUTES_PER_DAY
        if start < other_start + other.duration_minutes and other_start < end:
            raise ValidationError(
                _("You already have a visit on %(date)s from %(start)s for %(minutes)s minutes (%(citizen)s).")
                % {
                    "date": date_format(other.date, "d.m.Y"),
                    "start": other.start_time.strftime("%H:%M"),
                    "minutes": other.duration_minutes,
                    "citizen": other.intervention.citizen,
                }
            )


def _hold_billing_month(municipality_id: int) -> None:
    """Take the paying municipality's row lock before checking whether the month is invoiced.

    Issuing a month locks the same rows (invoicing.services) while it reads the month's visits and
    writes LockedMonth, so a visit saved at that moment either lands before the invoice reads the
    month, or waits and is then refused because the month is locked. None slips in between.
    """
    list(Municipality.objects.select_for_update(no_key=True).filter(pk=municipality_id).values_list("pk", flat=True))


@transaction.atomic
def log_visit(
    *,
    intervention: Intervention,
    by: User,
    date: datetime.date,
    start_time: datetime.time,
    duration_minutes: int,
    kind: str = Visit.Kind.HOME_VISIT,
    life_areas=(),
    note: str = "",
    billable: bool | None = None,
    worker: User | None = None,
) -> Visit:
    worker = worker or by
    _lock_worker(worker)
    intervention = Intervention.objects.select_related("citizen").get(pk=intervention.pk)
    if intervention.status == Intervention.Status.PLANNED:
        # This visit starts the course: lock it now (step 4), before the municipality's row.
        intervention = _lock_intervention(intervention.pk, "citizen")
    _hold_billing_month(intervention.citizen.paying_municipality_id)
    _check_visit(
        intervention=intervention, worker=worker, date=date, start_time=start_time, duration_minutes=duration_minutes
    )
    if billable is None:
        billable = default_billable(kind)
    visit = Visit(
        intervention=intervention,
        worker=worker,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        kind=kind,
        note=note,
        billable=billable,
    )
    visit._history_user = by
    visit.save()
    if life_areas:
        # A new visit has none yet: `add` (not `set`, which first reads what is there), and nothing at all
        # when none are ticked.
        visit.life_areas.add(*life_areas)
    if intervention.status == Intervention.Status.PLANNED:
        # The first visit is the course under way, whether or not the daily start has run yet.
        _activate(intervention, by)
    return visit


def default_billable(kind: str) -> bool:
    """Every kind is billable by default, an attempted contact too.

    The worker drove out or called and spent the time: the agreement invoices documented hours, and
    in CTI repeated attempts to reach the citizen are part of the method. The worker can untick it.
    """
    return True


@transaction.atomic
def change_visit(*, visit: Visit, by: User, **changes) -> Visit:
    if not can_edit_visit(by, visit):
        raise ValidationError(_("You can only correct your own visits."))
    _lock_worker(visit.worker)
    visit = Visit.objects.select_related("intervention__citizen").get(pk=visit.pk)
    _hold_billing_month(visit.intervention.citizen.paying_municipality_id)
    if visits_are_locked(visit.intervention.citizen, visit.date):
        raise ValidationError(_locked_message(visit.date))
    life_areas = changes.pop("life_areas", None)
    for name, value in changes.items():
        setattr(visit, name, value)
    _check_visit(
        intervention=visit.intervention,
        worker=visit.worker,
        date=visit.date,
        start_time=visit.start_time,
        duration_minutes=visit.duration_minutes,
        exclude_pk=visit.pk,
    )
    visit._history_user = by
    visit.save()
    if life_areas is not None:
        visit.life_areas.set(life_areas)
    return visit


@transaction.atomic
def delete_visit(*, visit: Visit, by: User) -> None:
    if not can_edit_visit(by, visit):
        raise ValidationError(_("You can only correct your own visits."))
    visit = Visit.objects.select_for_update().select_related("intervention__citizen").get(pk=visit.pk)
    _hold_billing_month(visit.intervention.citizen.paying_municipality_id)
    if visits_are_locked(visit.intervention.citizen, visit.date):
        raise ValidationError(_locked_message(visit.date))
    visit._history_user = by
    visit.delete()
