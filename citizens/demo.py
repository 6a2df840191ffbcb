"""Demo citizens: about 60 people moving out of the shelter, with plans, goals and consents.

CPR numbers are fictional but valid (real dates, 1900s century digit). Deterministic and
idempotent: a citizen is found again by its CPR number, so running the seed twice adds nothing.
"""

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from citizens.models import ActionPlan, Citizen, Consent, Goal, LifeArea
from citizens.services import save_citizen, save_consent, save_plan
from housingfirst.models import Caseworker

FIRST_NAMES = [
    "Anders", "Bente", "Carsten", "Dorte", "Erik", "Frank", "Gitte", "Henrik", "Ida", "Jan", "Kim",
    "Lone", "Mads", "Nina", "Ole", "Pia", "René", "Susanne", "Thomas", "Ulla", "Vagn", "Winnie",
    "Allan", "Birthe", "Claus", "Dennis", "Eva", "Flemming", "Hanne", "Jesper", "Kenneth", "Lis",
]  # fmt: skip
LAST_NAMES = [
    "Andersen", "Bertelsen", "Christensen", "Dahl", "Eriksen", "Frederiksen", "Gregersen", "Hansen",
    "Iversen", "Jensen", "Knudsen", "Larsen", "Mortensen", "Nielsen", "Olsen", "Poulsen", "Rasmussen",
    "Sørensen", "Thomsen", "Vestergaard", "Winther", "Østergaard", "Møller", "Lauridsen",
]  # fmt: skip
STREETS = ["Storegade", "Nørregade", "Slotsgade", "Bredgade", "Jernbanegade", "Skolevej", "Parkvej", "Åbenrå"]

# Team index → (municipality codes it serves, postal code, city)
TEAM_AREAS = {
    0: [("510", "6100", "Haderslev"), ("510", "6500", "Vojens")],
    1: [("580", "6200", "Aabenraa"), ("540", "6400", "Sønderborg"), ("550", "6270", "Tønder")],
    2: [("621", "6000", "Kolding"), ("630", "7100", "Vejle")],
}

GOALS = {
    "Bolig": ["Få møbler og indrette boligen", "Få styr på indskud og flytning", "Holde boligen ren og ryddelig"],
    "Hverdag": ["Handle ind og lave mad selv", "Komme op om morgenen og holde døgnrytme", "Vaske tøj hver uge"],
    "Økonomi": ["Oprette betalingsservice for husleje", "Lave et budget for måneden", "Søge indskudslån"],
    "Post": ["Åbne e-Boks hver uge", "Huske aftaler med kommunen", "Få hjælp til vigtige breve"],
    "Omgivelser": ["Lære naboerne at kende", "Sætte grænser over for gæster", "Følge husordenen"],
    "Behandling": ["Fastholde misbrugsbehandling", "Gå til egen læge", "Tage medicin som aftalt"],
    "Netværk": ["Genoptage kontakten til familien", "Finde et værested", "Deltage i en aktivitet hver uge"],
}

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

COUNT = 60


def demo_cpr(rng: random.Random, index: int) -> str:
    """A valid, fictional CPR number: a real birth date 1955–1999 and a 1900s sequence number."""
    birth = timezone.datetime(1955, 1, 1).date() + timedelta(days=rng.randrange(0, 45 * 365))
    sequence = 1000 + index * 37 % 2999
    return f"{birth:%d%m%y}{sequence:04d}"


def seed(context, stdout=None):
    today = timezone.localdate()
    teams = context["teams"]
    municipalities = context["municipalities"]
    admin = context["users"].get("admin")
    areas = {area.name: area for area in LifeArea.objects.all()}
    caseworkers = {}
    for caseworker in Caseworker.objects.filter(active=True).order_by("pk"):
        caseworkers.setdefault(caseworker.municipality.code, []).append(caseworker)
    created = 0
    for index in range(COUNT):
        # One generator per citizen, so a citizen already there does not shift the next one's data.
        rng = random.Random(f"citizen-{index}")
        cpr = demo_cpr(rng, index)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        team_index = index % len(teams)
        code, postal_code, city = rng.choice(TEAM_AREAS.get(team_index, TEAM_AREAS[0]))
        municipality = municipalities.get(code) or next(iter(municipalities.values()))
        move_in = today - timedelta(days=rng.randrange(-20, 330))
        stay_from = move_in - timedelta(days=rng.randrange(60, 400))
        roll = rng.random()
        status = (
            Citizen.Status.MOVING_OUT
            if move_in > today
            else Citizen.Status.ENDED
            if roll < 0.1
            else Citizen.Status.SUPPORTED
        )
        goal_choices = rng.sample(list(GOALS), k=rng.randint(3, 5))
        expired = rng.random() < 0.18
        street = f"{rng.choice(STREETS)} {rng.randint(1, 80)}, {rng.choice(['st.', '1. tv.', '2. th.', '3. mf.'])}"
        phone = f"{rng.randint(20, 61)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
        if Citizen.objects.filter(cpr=cpr).exists():
            continue
        caseworker = rng.choice(caseworkers.get(code, [None]))
        citizen = save_citizen(
            citizen=Citizen(
                first_name=first,
                last_name=last,
                cpr=cpr,
                phone=phone,
                email=f"{first.lower()}.{index}@borger.example" if index % 3 else "",
                address=street,
                postal_code=postal_code,
                city=city,
                move_in_date=move_in,
                shelter_stay_from=stay_from,
                shelter_stay_to=min(move_in, today) if move_in <= today else None,
                paying_municipality=municipality,
                acting_municipality=municipality,
                caseworker=caseworker,
                team=teams[team_index],
                status=status,
            ),
            user=admin,
        )
        if index % 6 == 0:
            # An earlier §141 plan, replaced by the §142 plan before the move.
            _plan(citizen, ActionPlan.Kind.SEL_141, stay_from + timedelta(days=20), caseworker, admin, rng, areas,
                  goal_choices[:2], with_pdf=False)  # fmt: skip
        _plan(citizen, ActionPlan.Kind.SEL_142, move_in - timedelta(days=rng.randrange(10, 40)), caseworker, admin,
              rng, areas, goal_choices, with_pdf=index % 3 == 0)  # fmt: skip
        given = move_in - timedelta(days=rng.randrange(5, 30))
        if expired:
            given = min(given, today - timedelta(days=400))
            expires = today - timedelta(days=rng.randrange(5, 40))
        else:
            expires = max(given, today) + timedelta(days=rng.randrange(90, 365))
        consent = Consent(
            citizen=citizen,
            covers=rng.choice(
                [
                    "Oplysninger om bolig, økonomi og kontakt med kommunen, der har betydning for støtten",
                    "Oplysninger om helbred, behandling og økonomi, der har betydning for støtten",
                    "Oplysninger om beskæftigelse, ydelser og behandling, der har betydning for støtten",
                ]
            ),
            obtain_from=rng.choice(
                ["Jobcenter, egen læge", "Psykiatrien, boligselskabet", "Misbrugscenter, jobcenter, egen læge"]
            ),
            given_on=given,
            expires_on=expires,
        )
        if index % 4 == 0:
            consent.document.save("samtykke.pdf", ContentFile(MINIMAL_PDF), save=False)
        save_consent(consent=consent, user=admin)
        created += 1
    if stdout:
        stdout.write(f"Citizens: {created} added ({Citizen.objects.count()} in all).")


def _plan(citizen, kind, received_on, caseworker, user, rng, areas, area_names, *, with_pdf):
    plan = ActionPlan(
        citizen=citizen,
        kind=kind,
        received_on=received_on,
        municipality=citizen.paying_municipality,
        caseworker=caseworker,
    )
    if with_pdf:
        plan.document.save("handleplan.pdf", ContentFile(MINIMAL_PDF), save=False)
    save_plan(plan=plan, user=user)
    for name in area_names:
        if name not in areas:
            continue
        goal = Goal(
            plan=plan,
            life_area=areas[name],
            description=rng.choice(GOALS[name]),
            status=rng.choice([s for s, _label in Goal.Status.choices]),
        )
        goal._history_user = user
        goal.save()
    return plan
