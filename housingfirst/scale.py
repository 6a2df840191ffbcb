"""A national data set for measuring the app: `manage.py seed_scale` (README, "Benchmarks").

A country's worth of teams, staff, citizens, courses and visits, written with bulk inserts, then its
months invoiced through the real service (`invoicing.services.issue_month`), so every invoice, line,
number and locked month is what the app itself would have made. The rules the services keep hold by
construction, not by luck:

- caps: a worker carries at most as many CTI and ICM citizens as fit in a load of 1 (12 CTI, 8 ICM);
  the citizens beyond the team's room wait on a planned course without a worker, as in real life;
- no overlapping visits: a worker's week has 20 fixed slots (four a day, two hours apart, visits of
  at most 90 minutes), each slot belongs to one of the worker's citizens;
- a visit lies within its course and before today; a CTI course lasts at most nine months, an ICM
  course follows the CTI course it replaced (ended "moved to another method").

Deterministic for a given seed, so two runs measure the same country.
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from housingfirst import roles
from housingfirst.demo import ean_with_check_digit
from housingfirst.models import Method, Municipality, MunicipalityEAN, Provider, Team, User

FIRST_NAMES = [
    "Anders",
    "Anne",
    "Birgit",
    "Bo",
    "Camilla",
    "Christian",
    "Dorthe",
    "Erik",
    "Frederik",
    "Gitte",
    "Hanne",
    "Henrik",
    "Ida",
    "Jakob",
    "Jens",
    "Karen",
    "Kasper",
    "Lars",
    "Lene",
    "Lone",
    "Mads",
    "Maria",
    "Mette",
    "Michael",
    "Morten",
    "Niels",
    "Ole",
    "Peter",
    "Pia",
    "Rasmus",
    "Rikke",
    "Simon",
    "Sofie",
    "Susanne",
    "Thomas",
    "Tina",
    "Torben",
    "Ulla",
    "Vibeke",
]
LAST_NAMES = [
    "Andersen",
    "Christensen",
    "Hansen",
    "Jensen",
    "Jørgensen",
    "Larsen",
    "Madsen",
    "Mortensen",
    "Nielsen",
    "Olsen",
    "Pedersen",
    "Petersen",
    "Poulsen",
    "Rasmussen",
    "Sørensen",
    "Thomsen",
    "Kristensen",
    "Johansen",
    "Møller",
    "Knudsen",
    "Mikkelsen",
    "Frederiksen",
    "Holm",
    "Berg",
]
# A worker's week: weekday (0 = Monday) and start time; two hours apart, so visits of at most 90 minutes
# never overlap, also not with the next slot.
SLOTS = [(day, datetime.time(hour, 30)) for day in range(5) for hour in (8, 10, 12, 14)]
DURATIONS = (15, 30, 30, 45, 45, 60, 60, 75, 90)
KINDS = (
    ["home_visit"] * 6 + ["phone"] * 2 + ["accompaniment", "network_meeting", "shelter_meeting", "attempted_contact"]
)
CTI_DAYS = 270
BATCH = 5000


@dataclass
class Plan:
    citizens: int = 12_000
    visits: int = 994_000
    months: int = 24
    teams: int = 78
    workers_per_team: int = 12
    administrators: int = 2
    seed: int = 98


@dataclass
class Course:
    """One course as it will be inserted; `previous` is the ended CTI course an ICM course replaced."""

    citizen_index: int
    method: str
    start: datetime.date
    worker_index: int | None
    previous_start: datetime.date | None = None
    previous_end: datetime.date | None = None


@dataclass
class Made:
    users: int = 0
    citizens: int = 0
    courses: int = 0
    waiting: int = 0
    visits: int = 0
    invoices: int = 0
    invoice_lines: int = 0
    months_invoiced: list = field(default_factory=list)


def months_back(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - count
    return datetime.date(index // 12, index % 12 + 1, 1)


def fictional_cpr(n: int) -> str:
    """A CPR number with a real birth date (1950-1974) and a seventh digit that dates it in the 1900s.

    Unique for n below 36 million: the date comes from n mod 9,000, the serial from n div 9,000."""
    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=n % 9000)
    serial = n // 9000
    return f"{born:%d%m%y}{serial:04d}"


def per_worker(cti_cap: int, icm_cap: int) -> tuple[int, int]:
    """CTI and ICM citizens a full worker carries: two ICM, and as many CTI as still fit in a load of 1."""
    icm = min(2, icm_cap)
    cti = math.floor((1 - icm / icm_cap) * cti_cap + 1e-9)
    return cti, icm


def plan_courses(plan: Plan, *, today: datetime.date, first: datetime.date, rng: random.Random) -> list[Course]:
    workers = plan.teams * plan.workers_per_team
    cti_each, icm_each = per_worker(settings.CASELOAD_CAP_CTI, settings.CASELOAD_CAP_ICM)
    seats = [(w, Method.CTI) for w in range(workers) for _ in range(cti_each)]
    seats += [(w, Method.ICM) for w in range(workers) for _ in range(icm_each)]
    rng.shuffle(seats)
    yesterday = today - datetime.timedelta(days=1)
    courses = []
    for n in range(plan.citizens):
        if n < len(seats):
            worker, method = seats[n]
            if method == Method.CTI:
                start = yesterday - datetime.timedelta(days=rng.randrange(7, CTI_DAYS - 10))
                courses.append(Course(n, method, start, worker))
            else:
                start = first + datetime.timedelta(days=rng.randrange(0, max((yesterday - first).days - 30, 1)))
                courses.append(
                    Course(
                        n,
                        method,
                        start,
                        worker,
                        previous_start=start - datetime.timedelta(days=CTI_DAYS),
                        previous_end=start - datetime.timedelta(days=1),
                    )
                )
        else:
            # No room in the team: the course is planned and waits for a worker.
            courses.append(Course(n, Method.CTI, today + datetime.timedelta(days=rng.randrange(1, 45)), None))
    return courses


def visit_candidates(courses: list[Course], *, first: datetime.date, today: datetime.date):
    """Every (course, is_previous, date, slot time) a visit could take; the seed keeps a share of them."""
    by_worker: dict[int, list[Course]] = {}
    for course in courses:
        if course.worker_index is not None:
            by_worker.setdefault(course.worker_index, []).append(course)
    monday = first - datetime.timedelta(days=first.weekday())
    weeks = (today - monday).days // 7 + 1
    for worker_index in sorted(by_worker):
        own = by_worker[worker_index]
        for slot, (weekday, start_time) in enumerate(SLOTS):
            course = own[slot % len(own)]
            for week in range(weeks):
                day = monday + datetime.timedelta(days=7 * week + weekday)
                if day < first or day >= today:
                    continue
                if day >= course.start:
                    yield course, False, day, start_time
                elif course.previous_start and course.previous_start <= day <= course.previous_end:
                    yield course, True, day, start_time


@transaction.atomic
def build(plan: Plan, *, stdout=None) -> tuple[Made, User]:
    """Everything but the invoices, in one transaction. Returns what was made and an administrator."""
    from citizens.models import Citizen, LifeArea
    from interventions.models import Intervention, Visit

    rng = random.Random(plan.seed)
    made = Made()
    today = timezone.localdate()
    first = months_back(today.replace(day=1), plan.months - 1)
    say = stdout.write if stdout else (lambda text: None)

    _provider()
    municipalities = list(Municipality.objects.order_by("code"))
    _eans(municipalities)

    teams = Team.objects.bulk_create(
        Team(name=f"Bostøtte {municipalities[i % len(municipalities)].name} {i // len(municipalities) + 1}")
        for i in range(plan.teams)
    )
    # One unusable password for everyone: the benchmark logs in with force_login, nobody else logs in.
    password = make_password(None)
    users = []
    for t, team in enumerate(teams):
        users.append(_user(f"leder{t:03d}", team, password, rng))
        users += [_user(f"medarb{t:03d}_{w:02d}", team, password, rng) for w in range(plan.workers_per_team)]
    users += [_user(f"admin{a:02d}", None, password, rng, is_staff=True) for a in range(plan.administrators)]
    users = User.objects.bulk_create(users)
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    Membership = User.groups.through
    Membership.objects.bulk_create(Membership(user=u, group=groups[_role_of(u)]) for u in users)
    workers = [u for u in users if u.username.startswith("medarb")]
    administrator = next(u for u in users if u.username.startswith("admin"))
    made.users = len(users)
    say(f"Teams: {len(teams)}, users: {len(users)} ({len(workers)} support workers).\n")

    courses = plan_courses(plan, today=today, first=first, rng=rng)
    home_of = {t.pk: municipalities[i % len(municipalities)] for i, t in enumerate(teams)}
    citizens = []
    for course in courses:
        team = (
            workers[course.worker_index].team
            if course.worker_index is not None
            else teams[course.citizen_index % len(teams)]
        )
        # Most citizens are paid for by the team's own municipality; some moved in from elsewhere.
        paying = home_of[team.pk] if rng.random() < 0.8 else rng.choice(municipalities)
        citizens.append(
            Citizen(
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                cpr=fictional_cpr(course.citizen_index),
                paying_municipality=paying,
                acting_municipality=paying,
                team_id=team.pk,
                status=Citizen.Status.SUPPORTED if course.worker_index is not None else Citizen.Status.MOVING_OUT,
                move_in_date=course.previous_start or course.start,
            )
        )
    citizens = Citizen.objects.bulk_create(citizens, batch_size=BATCH)
    made.citizens = len(citizens)

    previous = Intervention.objects.bulk_create(
        (
            Intervention(
                citizen=citizens[c.citizen_index],
                method=Method.CTI,
                worker=workers[c.worker_index],
                coordinator=workers[c.worker_index],
                start_date=c.previous_start,
                end_date=c.previous_end,
                status=Intervention.Status.ENDED,
                end_reason=Intervention.EndReason.METHOD_CHANGE,
            )
            for c in courses
            if c.previous_start
        ),
        batch_size=BATCH,
    )
    previous_of = dict(zip([c.citizen_index for c in courses if c.previous_start], previous, strict=True))
    current = Intervention.objects.bulk_create(
        (
            Intervention(
                citizen=citizens[c.citizen_index],
                method=c.method,
                worker=workers[c.worker_index] if c.worker_index is not None else None,
                coordinator=workers[c.worker_index] if c.worker_index is not None else None,
                start_date=c.start,
                status=Intervention.Status.ACTIVE if c.worker_index is not None else Intervention.Status.PLANNED,
                previous=previous_of.get(c.citizen_index),
            )
            for c in courses
        ),
        batch_size=BATCH,
    )
    made.courses = len(previous) + len(current)
    made.waiting = sum(1 for c in courses if c.worker_index is None)
    say(f"Citizens: {made.citizens}, courses: {made.courses} ({made.waiting} waiting for a worker).\n")

    candidates = sum(1 for _ in visit_candidates(courses, first=first, today=today))
    share = min(1.0, plan.visits / candidates) if candidates else 0
    life_areas = list(LifeArea.objects.filter(active=True).values_list("pk", flat=True))
    Tag = Visit.life_areas.through
    batch: list[Visit] = []
    for course, is_previous, day, start_time in visit_candidates(courses, first=first, today=today):
        if rng.random() >= share:
            continue
        intervention = previous_of[course.citizen_index] if is_previous else current[course.citizen_index]
        batch.append(
            Visit(
                intervention=intervention,
                worker_id=intervention.worker_id,
                date=day,
                start_time=start_time,
                duration_minutes=rng.choice(DURATIONS),
                kind=rng.choice(KINDS),
            )
        )
        if len(batch) >= BATCH:
            made.visits += _insert_visits(batch, Tag, life_areas, rng)
            batch = []
    made.visits += _insert_visits(batch, Tag, life_areas, rng)
    say(f"Visits: {made.visits} from {first:%d.%m.%Y} to yesterday.\n")
    return made, administrator


def _insert_visits(batch, tag_model, life_areas, rng) -> int:
    from interventions.models import Visit

    if not batch:
        return 0
    visits = Visit.objects.bulk_create(batch)
    if life_areas:
        tag_model.objects.bulk_create(
            tag_model(visit_id=v.pk, lifearea_id=area)
            for v in visits
            for area in rng.sample(life_areas, rng.choice((1, 1, 2)))
        )
    return len(visits)


def invoice_months(plan: Plan, *, by: User, stdout=None) -> tuple[int, int, list]:
    """Issue every ended month but the last through the real service; the last is left for the month
    page to issue. Each month in its own transaction, as the office would run them."""
    from invoicing.models import Invoice, InvoiceLine
    from invoicing.services import issue_month

    say = stdout.write if stdout else (lambda text: None)
    this_month = timezone.localdate().replace(day=1)
    months = [months_back(this_month, back) for back in range(plan.months - 1, 1, -1)]
    for month in months:
        following = months_back(month, -1)
        issued = issue_month(month=month, by=by, issue_date=following + datetime.timedelta(days=2))
        say(f"  {month:%m.%Y}: {len(issued)} invoices\n")
    return Invoice.objects.count(), InvoiceLine.objects.count(), months


def seed(plan: Plan, *, stdout=None) -> Made:
    from invoicing.services import rebuild_visit_month_sums

    made, administrator = build(plan, stdout=stdout)
    # The visits went in by bulk inserts, which no signal sees: the month page's sums are made here.
    rebuild_visit_month_sums()
    made.invoices, made.invoice_lines, made.months_invoiced = invoice_months(plan, by=administrator, stdout=stdout)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Fresh statistics, so the planner sees a country and not the empty tables of a minute ago.
            cursor.execute("ANALYZE")
    return made


def _provider() -> None:
    from invoicing.services import add_rate

    if Provider.current() is None:
        Provider.objects.create(
            name="Forsorgshjemmet Landet",
            address="Landevejen 1",
            postal_code="6100",
            city="Haderslev",
            phone="73 50 12 00",
            email="bostotte@landet.example",
            cvr="10000009",
            ean=ean_with_check_digit("579800009991"),
            bank_name="Sydbank",
            bank_reg_number="8065",
            bank_account_number="1234567",
            iban="DK5080650001234567",
        )
    from invoicing.models import Rate

    # Rates change every January; the data set spans a change, as a real office's does.
    january = timezone.localdate().replace(month=1, day=1)
    if not Rate.objects.filter(valid_from=january).exists():
        add_rate(hourly_rate=Decimal("465.00"), valid_from=january, note="Takst " + str(january.year))


def _eans(municipalities) -> None:
    have = set(MunicipalityEAN.objects.filter(is_default=True).values_list("municipality_id", flat=True))
    MunicipalityEAN.objects.bulk_create(
        MunicipalityEAN(municipality=m, ean=ean_with_check_digit(f"5798{int(m.code):08d}"), is_default=True)
        for m in municipalities
        if m.pk not in have
    )
    for m in municipalities:
        if not m.invoice_email:
            m.invoice_email = f"faktura@kommune{m.code}.example"
    Municipality.objects.bulk_update(municipalities, ["invoice_email"])


def _user(username, team, password, rng, *, is_staff=False) -> User:
    return User(
        username=username,
        first_name=rng.choice(FIRST_NAMES),
        last_name=rng.choice(LAST_NAMES),
        email=f"{username}@landet.example",
        team=team,
        password=password,
        qualified_cti=True,
        qualified_icm=True,
        is_staff=is_staff,
    )


def _role_of(user: User) -> str:
    if user.username.startswith("admin"):
        return roles.ADMINISTRATOR
    if user.username.startswith("leder"):
        return roles.TEAM_LEAD
    return roles.SUPPORT_WORKER
