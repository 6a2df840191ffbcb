"""Demo interventions and visits for whatever citizens exist.

Mostly CTI in different phases, some ICM, one ACT, a few ended with different reasons, one paused and
one changed from CTI to ICM; workers filled close to their caps (through `assign_worker`, so never
past them); about six months of visits. Idempotent: only citizens without any intervention get one,
and only interventions made in this run get visits. Deterministic: one generator per citizen.
"""

import datetime
import random

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from citizens.models import Citizen, LifeArea
from housingfirst.models import Method, User
from interventions import outcome_demo, services
from interventions.caseload import FULL, unit
from interventions.models import Intervention, Pause, Phase, PhaseTemplate, PhaseTransition, Visit
from interventions.phases import add_months, cti_timeline
from interventions.selectors import load_of

END_REASONS = [
    Intervention.EndReason.GOALS_MET,
    Intervention.EndReason.CITIZEN_DECLINED,
    Intervention.EndReason.MOVED_OUT,
    Intervention.EndReason.NEED_CHANGED,
    Intervention.EndReason.VIOLENCE,
]
KINDS = [
    (Visit.Kind.HOME_VISIT, 50),
    (Visit.Kind.PHONE, 25),
    (Visit.Kind.ACCOMPANIMENT, 9),
    (Visit.Kind.SHELTER_MEETING, 5),
    (Visit.Kind.NETWORK_MEETING, 5),
    (Visit.Kind.ATTEMPTED_CONTACT, 6),
]
DURATIONS = {
    Visit.Kind.HOME_VISIT: [45, 60, 60, 90, 75],
    Visit.Kind.PHONE: [10, 15, 15, 20, 30],
    Visit.Kind.ACCOMPANIMENT: [90, 120, 150, 180],
    Visit.Kind.SHELTER_MEETING: [45, 60],
    Visit.Kind.NETWORK_MEETING: [60, 90],
    Visit.Kind.ATTEMPTED_CONTACT: [15, 20, 30],
}
NOTES = {
    Visit.Kind.HOME_VISIT: [
        "Gennemgik post og e-Boks sammen.",
        "Hjalp med at hænge gardiner op og samle en reol.",
        "Talte om døgnrytme og indkøb. Køleskabet var fyldt.",
        "Lavede budget for næste måned.",
        "Borgeren havde ryddet op og var stolt af det.",
        "Snak om naboen og støj om aftenen.",
    ],
    Visit.Kind.PHONE: ["Kort opkald om aftalen i morgen.", "Borgeren ringede om et brev fra kommunen.", "Tjek-ind."],
    Visit.Kind.ACCOMPANIMENT: ["Fulgte med til jobcenteret.", "Fulgte med til lægen.", "Fulgte med til banken."],
    Visit.Kind.SHELTER_MEETING: ["Møde på forsorgshjemmet med tidligere kontaktperson."],
    Visit.Kind.NETWORK_MEETING: ["Netværksmøde med sagsbehandler og misbrugscenter."],
    Visit.Kind.ATTEMPTED_CONTACT: ["Ingen åbnede. Lagde en seddel.", "Ringede to gange uden svar."],
}
VISITS_PER_WEEK = {Phase.CONTACT: 2.5, Phase.PHASE_1: 2.0, Phase.PHASE_2: 1.2, Phase.PHASE_3: 0.7}
# Leave a little room for the team lead to assign the waiting citizens on the capacity board.
TARGET_LOAD = FULL - unit(Method.CTI)


def seed(context, stdout=None):
    today = timezone.localdate()
    template = PhaseTemplate.current()
    areas = list(LifeArea.objects.filter(active=True))
    made = []
    state = {"act": Intervention.objects.filter(method=Method.ACT).exists(), "ended": 0}
    state["paused"] = Intervention.objects.filter(status=Intervention.Status.PAUSED).exists()
    state["changed"] = Intervention.objects.filter(previous__isnull=False).exists()
    for team in context["teams"]:
        lead = (
            User.objects.filter(team=team, groups__name="Teamleder").first()
            or context["users"].get("admin")
            or User.objects.filter(is_superuser=True).first()
        )
        workers = list(
            User.objects.filter(team=team, groups__name="Bostøttemedarbejder", is_active=True).order_by("pk")
        )
        citizens = list(
            Citizen.objects.filter(team=team, interventions__isnull=True).order_by("pk").select_related("team")
        )
        made += _seed_team(team, lead, workers, citizens, today, template, state)
    returns = outcome_demo.shelter_returns(made, today)
    earlier = outcome_demo.earlier_courses(context, today, template)
    # Visits from each course's start, so the days to the first contact are the record's, not the seed's.
    visits = _seed_visits(made + earlier, areas, today, template, history_days=None)
    made += earlier
    outcome_demo.seed_after_visits(context, today, stdout=stdout)
    if stdout:
        stdout.write(
            f"Interventions: {len(made)} added ({Intervention.objects.count()} in all), {visits} visits added, "
            f"{returns} returns to the shelter."
        )


def _pick_worker(workers, method):
    """The first qualified worker whose load stays under the target: fills workers near their cap."""
    for worker in workers:
        if not worker.is_qualified_for(method):
            continue
        if method == Method.ACT or load_of(worker).units + unit(method) <= TARGET_LOAD:
            return worker
    return None


def _seed_team(team, lead, workers, citizens, today, template, state):
    made = []
    qualified = {m for w in workers for m in w.methods}
    if not qualified:
        return made
    # Ended courses first: they free their worker's place again before the open ones are assigned.
    citizens.sort(key=lambda c: (c.status != Citizen.Status.ENDED, c.pk))
    for citizen in citizens:
        rng = random.Random(f"intervention-{citizen.cpr}")
        start = citizen.move_in_date or (today - datetime.timedelta(days=rng.randrange(20, 250)))
        ending = citizen.status == Citizen.Status.ENDED and start < today - datetime.timedelta(days=14)
        method = Method.CTI if Method.CTI in qualified else Method.ICM
        if Method.ICM in qualified and rng.random() < 0.3:
            method = Method.ICM
        if not state["act"] and Method.ACT in qualified and not ending and start <= today:
            method, state["act"] = Method.ACT, True
        if method not in qualified:
            method = sorted(qualified)[0]
        worker = None if start > today else _pick_worker(workers, method)
        intervention = services.start_intervention(
            citizen=citizen,
            method=method,
            start_date=start,
            by=lead,
            worker=worker,
            follow_up_date=_follow_up(start, today, rng),
            employment_department=rng.random() < 0.2,
        )
        if method == Method.CTI and worker:
            _record_phases(intervention, template, today, rng, worker)
        if ending:
            end = min(start + datetime.timedelta(days=rng.randrange(90, 270)), today - datetime.timedelta(days=7))
            intervention = services.end_intervention(
                intervention=intervention,
                end_date=max(end, start),
                reason=END_REASONS[state["ended"] % len(END_REASONS)],
                by=lead,
                note="Afsluttet i demodata.",
            )
            state["ended"] += 1
        elif method == Method.CTI and worker and not state["changed"] and (today - start).days > 280:
            state["changed"] = True
            old = intervention
            intervention = services.change_method(
                intervention=old,
                method=Method.ICM,
                date=start + datetime.timedelta(days=275),
                by=lead,
                worker=worker if worker.is_qualified_for(Method.ICM) else None,
            )
            # The service ended the old course in the database; its visits must stop at that end date.
            old.refresh_from_db()
            made.append(old)
        elif method == Method.CTI and add_months_end(start, template) < today - datetime.timedelta(days=10):
            # Past the nine months: the course ended with a small celebration, now and then some weeks late.
            late = datetime.timedelta(days=rng.choice([0, 0, 0, 0, 12, 25]))
            intervention = services.end_intervention(
                intervention=intervention,
                end_date=min(add_months_end(start, template) + late, today - datetime.timedelta(days=7)),
                reason=Intervention.EndReason.GOALS_MET,
                by=lead,
                note="Forløbet sluttede med en lille fejring.",
            )
        elif method == Method.CTI and worker and not state["paused"] and 60 < (today - start).days < 200:
            state["paused"] = True
            _pause(intervention, worker, today)
            intervention.refresh_from_db()
        made.append(intervention)
    return made


def add_months_end(start, template):
    return add_months(start, template.total_months)


def _pause(intervention, worker, today):
    """An earlier return to the shelter, and a hospital admission going on now."""
    Pause.objects.create(
        intervention=intervention,
        from_date=today - datetime.timedelta(days=25),
        to_date=today - datetime.timedelta(days=12),
        reason=Pause.Reason.SHELTER,
        note="Krise efter en konflikt med naboen; aftalt med kommunen.",
        recorded_by=worker,
        # Agreed with the municipality, so invoicing bills its nights at the shelter's day rate.
        agreed_on=today - datetime.timedelta(days=24),
        agreed_caseworker="Lone Sørensen",
        agreed_by=worker,
    )
    services.start_pause(
        intervention=intervention,
        from_date=today - datetime.timedelta(days=5),
        reason=Pause.Reason.HOSPITAL,
        by=worker,
        note="Indlagt på psykiatrisk afdeling.",
    )


def _follow_up(start, today, rng):
    """The agreed follow-up: most lie ahead, a few have passed unnoticed (a warning)."""
    day = start + datetime.timedelta(days=90)
    if rng.random() < 0.1:
        return day if day < today else today - datetime.timedelta(days=rng.randint(3, 20))
    while day < today:
        day += datetime.timedelta(days=90)
    return day


def _record_phases(intervention, template, today, rng, worker):
    timeline = cti_timeline(intervention, template, today)
    for stage in timeline.stages[1:]:
        if stage.planned_start > today:
            break
        if rng.random() < 0.06:
            break  # a transition nobody recorded: shows as overdue on the warnings page
        actual = min(stage.planned_start + datetime.timedelta(days=rng.randint(-4, 12)), today)
        PhaseTransition.objects.create(
            intervention=intervention, phase=stage.phase, date=actual, recorded_by=worker, note=""
        )


def _seed_visits(interventions, areas, today, template, history_days=182):
    busy = {}  # (worker pk, date) → [(start minute, end minute)]
    for worker_pk, day, start, minutes in Visit.objects.filter(
        date__gte=today - datetime.timedelta(days=200)
    ).values_list("worker_id", "date", "start_time", "duration_minutes"):
        busy.setdefault((worker_pk, day), []).append((start.hour * 60 + start.minute, minutes))
    visits, visit_areas = [], []
    for intervention in interventions:
        if intervention.worker_id is None or intervention.start_date > today:
            continue
        rng = random.Random(f"visits-{intervention.citizen.cpr}-{intervention.method}")
        first = intervention.start_date
        if history_days is not None:
            first = max(first, today - datetime.timedelta(days=history_days))
        last = min(intervention.end_date or today, today)
        # A few citizens have not been reached lately: the warnings page shows them.
        if rng.random() < 0.08 and intervention.status != Intervention.Status.ENDED:
            last = last - datetime.timedelta(days=rng.randint(15, 30))
        pauses = list(intervention.pauses.all())
        timeline = cti_timeline(intervention, template, today) if intervention.method == Method.CTI else None
        day = first
        last_contact = first
        while day <= last:
            if day.weekday() < 5 and not any(p.from_date <= day <= (p.to_date or today) for p in pauses):
                rate = _rate(intervention, timeline, day)
                overdue = (day - last_contact).days >= 9  # workers keep in touch: no two-week gaps
                if overdue or rng.random() < rate / 5:
                    kind = rng.choices([k for k, _w in KINDS], weights=[w for _k, w in KINDS])[0]
                    if overdue and kind == Visit.Kind.ATTEMPTED_CONTACT:
                        kind = Visit.Kind.PHONE
                    minutes = rng.choice(DURATIONS[kind])
                    start = rng.randrange(8 * 4, 16 * 4) * 15
                    slots = busy.setdefault((intervention.worker_id, day), [])
                    if all(start >= s + m or start + minutes <= s for s, m in slots):
                        slots.append((start, minutes))
                        if kind != Visit.Kind.ATTEMPTED_CONTACT:
                            last_contact = day
                        visit = Visit(
                            intervention=intervention,
                            worker_id=intervention.worker_id,
                            date=day,
                            start_time=datetime.time(start // 60, start % 60),
                            duration_minutes=minutes,
                            kind=kind,
                            note=rng.choice(NOTES[kind]),
                            billable=services.default_billable(kind),
                        )
                        visits.append(visit)
                        visit_areas.append(rng.sample(areas, k=min(len(areas), rng.randint(1, 2))))
            day += datetime.timedelta(days=1)
    created = bulk_create_with_history(visits, Visit, batch_size=500)
    through = Visit.life_areas.through
    links = [
        through(visit_id=visit.pk, lifearea_id=area.pk)
        for visit, chosen in zip(created, visit_areas, strict=True)
        for area in chosen
    ]
    through.objects.bulk_create(links, batch_size=1000)
    # A bulk insert sends no signals, so the stored month sums the invoicing month page reads are summed here.
    from invoicing.services import rebuild_visit_month_sums

    rebuild_visit_month_sums()
    return len(created)


def _rate(intervention, timeline, day):
    if intervention.method == Method.ICM:
        return 1.0
    if intervention.method == Method.ACT:
        return 1.5
    phase = Phase.CONTACT
    for stage in timeline.stages:
        if stage.planned_start <= day:
            phase = stage.phase
    return VISITS_PER_WEEK[phase]
