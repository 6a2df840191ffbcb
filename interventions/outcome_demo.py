"""Demo data for the fidelity and outcomes pages, so they show something worth reading.

Called from `interventions.demo.seed` (and so from `seed_demo`):
- `shelter_returns`: a few earlier, agreed returns to the shelter on running CTI courses (before the
  visits are made, so no visit falls inside a pause);
- `earlier_courses`: per team a cohort of CTI courses that ended a year or more ago (their 12-month
  follow-ups have fallen due), and for one worker three more courses that ran last spring and put
  them over the cap of 12 then;
- `housing_statuses`: the housing status at the end and 3 and 12 months after, for most ended CTI
  courses (a few left open: they are the due items on the dashboard);
- `meetings`: method supervision every two weeks and a weekly team meeting for a year, most workers
  taking part, one often away.

Deterministic (one generator per thing made) and idempotent: what exists is found again and skipped.
"""

import datetime
import random

from simple_history.utils import bulk_create_with_history

from citizens.demo import FIRST_NAMES, GOALS, LAST_NAMES, _plan, demo_cpr
from citizens.models import ActionPlan, Citizen, LifeArea
from citizens.services import save_citizen
from housingfirst import roles
from housingfirst.models import Method, User
from interventions import services
from interventions.models import HousingStatus, Intervention, Pause, SupervisionMeeting
from interventions.outcome_services import checkpoint_date
from interventions.phases import add_months

DAY = datetime.timedelta(days=1)
COHORT_PER_TEAM = 5
SPRING_EXTRA = 3
# The outcomes a Housing First team sees: most keep their home; a few are back at the shelter or worse.
STATUS_WEIGHTS = [
    (HousingStatus.Status.OWN_HOME_KEPT, 70),
    (HousingStatus.Status.OTHER_OWN_HOME, 10),
    (HousingStatus.Status.SHELTER, 6),
    (HousingStatus.Status.HOSPITAL, 3),
    (HousingStatus.Status.PRISON, 2),
    (HousingStatus.Status.HOMELESS, 3),
    (HousingStatus.Status.UNKNOWN, 6),
]
# Last spring's extra courses: some met their goals early, some did not.
SPRING_REASONS = [
    Intervention.EndReason.GOALS_MET,
    Intervention.EndReason.NEED_CHANGED,
    Intervention.EndReason.GOALS_MET,
    Intervention.EndReason.CITIZEN_DECLINED,
]
EARLY_REASONS = [
    Intervention.EndReason.MOVED_OUT,
    Intervention.EndReason.CITIZEN_DECLINED,
    Intervention.EndReason.NEED_CHANGED,
]


def last_spring(today: datetime.date) -> datetime.date:
    """The first of April of the latest spring that has passed."""
    return datetime.date(today.year if today.month >= 6 else today.year - 1, 4, 1)


def shelter_returns(courses, today, limit=3) -> int:
    """Earlier, agreed returns to the shelter (one to two weeks) on running CTI courses past phase 1's start."""
    made = 0
    for intervention in courses:
        if made >= limit:
            break
        if (
            intervention.method != Method.CTI
            or intervention.status != Intervention.Status.ACTIVE
            or intervention.worker_id is None
            or (today - intervention.start_date).days < 120
            or intervention.pauses.exists()
        ):
            continue
        rng = random.Random(f"shelter-return-{intervention.citizen.cpr}")
        start = intervention.start_date + datetime.timedelta(days=rng.randrange(50, 90))
        length = rng.randrange(6, 16)
        Pause.objects.create(
            intervention=intervention,
            from_date=start,
            to_date=start + datetime.timedelta(days=length),
            reason=Pause.Reason.SHELTER,
            note=rng.choice(
                [
                    "Boligen var ikke til at være i efter en vandskade; tilbage på forsorgshjemmet i en periode.",
                    "Krise med misbrug; aftalt med kommunen at borgeren bor på forsorgshjemmet en tid.",
                    "Trusler fra en tidligere bekendt; borgeren søgte tilbage til forsorgshjemmet.",
                ]
            ),
            recorded_by=intervention.worker,
            agreed_on=start,
            agreed_caseworker="Lone Sørensen",
            agreed_by=intervention.worker,
        )
        made += 1
    return made


def _citizen(team, like: Citizen, key: str, index: int, start, end, admin) -> Citizen | None:
    rng = random.Random(key)
    cpr = demo_cpr(rng, index)
    if Citizen.objects.filter(cpr=cpr).exists():
        return None
    citizen = save_citizen(
        citizen=Citizen(
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            cpr=cpr,
            address=like.address,
            postal_code=like.postal_code,
            city=like.city,
            move_in_date=start,
            shelter_stay_from=start - datetime.timedelta(days=rng.randrange(60, 300)),
            shelter_stay_to=start - datetime.timedelta(days=rng.choice([0, 0, 1, 2, 5])),
            paying_municipality=like.paying_municipality,
            acting_municipality=like.acting_municipality,
            caseworker=like.caseworker,
            team=team,
            status=Citizen.Status.ENDED,
        ),
        user=admin,
    )
    # Their support built on a §142 plan, as every course does.
    areas = {area.name: area for area in LifeArea.objects.all()}
    _plan(citizen, ActionPlan.Kind.SEL_142, start - datetime.timedelta(days=rng.randrange(10, 40)), like.caseworker,
          admin, rng, areas, rng.sample(list(GOALS), k=3), with_pdf=False)  # fmt: skip
    return citizen


def _ended_course(citizen, worker, lead, start, end, reason) -> Intervention:
    intervention = services.start_intervention(
        citizen=citizen, method=Method.CTI, start_date=start, by=lead, worker=worker, follow_up_date=None
    )
    return services.end_intervention(
        intervention=intervention, end_date=end, reason=reason, by=lead, note="Afsluttet i demodata."
    )


def earlier_courses(context, today, template) -> list[Intervention]:
    """Ended CTI courses from one to two years ago, and last spring's courses that put one worker over the cap."""
    admin = context["users"].get("admin")
    made = []
    spring = last_spring(today)
    for team_index, team in enumerate(context["teams"]):
        workers = [
            w
            for w in User.objects.filter(team=team, groups__name=roles.SUPPORT_WORKER, is_active=True).order_by("pk")
            if w.is_qualified_for(Method.CTI)
        ]
        lead = User.objects.filter(team=team, groups__name=roles.TEAM_LEAD).first() or admin
        like = Citizen.objects.filter(team=team).order_by("pk").first()
        if not workers or like is None:
            continue
        for index in range(COHORT_PER_TEAM):
            rng = random.Random(f"earlier-{team_index}-{index}")
            start = today - datetime.timedelta(days=rng.randrange(460, 700))
            planned_end = add_months(start, template.total_months)
            early = index == COHORT_PER_TEAM - 1
            end = start + datetime.timedelta(days=rng.randrange(100, 180)) if early else planned_end
            citizen = _citizen(team, like, f"earlier-citizen-{team_index}-{index}", 700 + team_index * 20 + index,
                               start, end, admin)  # fmt: skip
            if citizen is None:
                continue
            reason = rng.choice(EARLY_REASONS) if early else Intervention.EndReason.GOALS_MET
            made.append(_ended_course(citizen, workers[index % len(workers)], lead, start, end, reason))
        if team_index == 0:
            # Last spring the first CTI worker carried three more citizens for a while: over the cap of 12.
            worker = workers[0]
            for index in range(SPRING_EXTRA):
                start = spring - datetime.timedelta(days=40 + 9 * index)
                end = spring + datetime.timedelta(days=75 + 6 * index)
                citizen = _citizen(team, like, f"spring-citizen-{index}", 760 + index, start, end, admin)
                if citizen is None:
                    continue
                made.append(
                    _ended_course(citizen, worker, lead, start, end, SPRING_REASONS[index % len(SPRING_REASONS)])
                )
            _fill_spring(worker, team, like, lead, admin, spring, made)
    return made


def _fill_spring(worker, team, like, lead, admin, spring, made) -> None:
    """Enough courses running in April that the worker carried 14 CTI citizens that month."""
    month_end = add_months(spring, 1) - DAY
    running = Intervention.objects.filter(worker=worker, method=Method.CTI, start_date__lte=month_end).exclude(
        end_date__lt=spring
    )
    for index in range(max(14 - running.count(), 0)):
        start = spring - datetime.timedelta(days=60 + 5 * index)
        end = spring + datetime.timedelta(days=45 + 7 * index)
        citizen = _citizen(team, like, f"spring-fill-{index}", 780 + index, start, end, admin)
        if citizen is None:
            continue
        made.append(_ended_course(citizen, worker, lead, start, end, SPRING_REASONS[index % len(SPRING_REASONS)]))


def housing_statuses(today) -> int:
    """The housing status at each checkpoint that has fallen due, for most ended CTI courses."""
    made = []
    ended = (
        Intervention.objects.filter(method=Method.CTI, status=Intervention.Status.ENDED)
        .select_related("citizen", "worker")
        .prefetch_related("housing_statuses")
    )
    for intervention in ended:
        recorded = {status.checkpoint for status in intervention.housing_statuses.all()}
        rng = random.Random(f"housing-{intervention.citizen.cpr}-{intervention.start_date}")
        for checkpoint in HousingStatus.Checkpoint.values:
            due = checkpoint_date(intervention, checkpoint)
            if checkpoint in recorded or due > today:
                continue
            if rng.random() < 0.12:
                break  # not asked yet: a due item on the worker's and the team lead's pages
            status = rng.choices([s for s, _w in STATUS_WEIGHTS], weights=[w for _s, w in STATUS_WEIGHTS])[0]
            if status == HousingStatus.Status.UNKNOWN and checkpoint == HousingStatus.Checkpoint.END:
                status = HousingStatus.Status.OWN_HOME_KEPT  # the worker knows where the citizen lives at the end
            made.append(
                HousingStatus(
                    intervention=intervention,
                    checkpoint=checkpoint,
                    status=status,
                    note="",
                    recorded_by=intervention.worker or User.objects.filter(is_superuser=True).first(),
                )
            )
    bulk_create_with_history(made, HousingStatus, batch_size=500)
    return len(made)


def meetings(context, today) -> int:
    """A year of method supervision every two weeks and a weekly team meeting, per team."""
    made = 0
    for team_index, team in enumerate(context["teams"]):
        if SupervisionMeeting.objects.filter(team=team).exists():
            continue
        members = list(User.objects.filter(team=team, is_active=True).order_by("pk"))
        workers = [m for m in members if m.groups.filter(name=roles.SUPPORT_WORKER).exists()]
        lead = next((m for m in members if m not in workers), None) or context["users"].get("admin")
        if not workers:
            continue
        # The team's meeting day: Tuesday, Wednesday or Thursday.
        day = today - datetime.timedelta(days=364)
        day += datetime.timedelta(days=(1 + team_index - day.weekday()) % 7)
        week = 0
        while day <= today:
            kinds = [SupervisionMeeting.Kind.TEAM_MEETING]
            if week % 2 == 0:
                kinds.append(SupervisionMeeting.Kind.SUPERVISION)
            for kind in kinds:
                rng = random.Random(f"meeting-{team_index}-{day}-{kind}")
                # The last worker of each team is away every other time (shifts, illness): below the rhythm.
                present = [w for i, w in enumerate(workers) if rng.random() < (0.5 if i == len(workers) - 1 else 0.96)]
                if not present:
                    continue
                meeting = SupervisionMeeting.objects.create(
                    team=team,
                    date=day,
                    kind=kind,
                    minutes=_minutes(kind, rng),
                    recorded_by=lead,
                )
                meeting.participants.set(present + ([lead] if lead and lead.team_id == team.pk else []))
                made += 1
            day += datetime.timedelta(days=7)
            week += 1
    return made


def _minutes(kind, rng) -> str:
    if kind == SupervisionMeeting.Kind.SUPERVISION:
        return rng.choice(
            [
                "Metodesupervision: faseovergange og nedtrapning af intensiteten i fase 3.",
                "Casedrøftelse: en borger der ikke åbner døren. Aftalt plan for opsøgende kontakt.",
                "Supervision om at overdrage opgaver til netværket inden afslutningen.",
            ]
        )
    return rng.choice(["Fordeling af nye borgere og ferieplan.", "Status på ventelisten og kapaciteten.", ""])


def seed_after_visits(context, today, stdout=None) -> None:
    statuses = housing_statuses(today)
    held = meetings(context, today)
    if stdout:
        stdout.write(f"Outcomes: {statuses} housing statuses, {held} supervision and team meetings added.")
