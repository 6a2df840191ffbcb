"""Demo organisation: a fictional shelter with three teams, its staff and a few municipalities.

Every step is get-or-create, so running the seed twice changes nothing.
"""

from django.contrib.auth.models import Group
from stdnum import ean as stdnum_ean
from stdnum.dk import cvr as stdnum_cvr

from housingfirst import roles
from housingfirst.models import Caseworker, Municipality, MunicipalityEAN, Provider, Team, User
from housingfirst.twofactor import give_demo_device

DEMO_PASSWORD = "demo"  # noqa: S105 - printed by seed_demo, refused in production
DEMO_LOGINS = [
    ("admin", roles.ADMINISTRATOR),
    ("teamleder", roles.TEAM_LEAD),
    ("medarbejder", roles.SUPPORT_WORKER),
    ("vaerkstedsleder", roles.WORKSHOP_LEADER),
]

TEAMS = [
    ("Team Nord", "CTI-team for borgere i Haderslev og Vojens", 6),
    ("Team Syd", "CTI- og ICM-team for Sønderjylland", 6),
    ("Team Øst", "ICM- og ACT-team for Trekantområdet", 10),
]

# username, first name, last name, team index, role, methods
STAFF = [
    ("admin", "Birgitte", "Holm", None, roles.ADMINISTRATOR, ""),
    ("teamleder", "Lars", "Kjær", 0, roles.TEAM_LEAD, "CTI ICM"),
    ("teamleder2", "Mette", "Skov", 1, roles.TEAM_LEAD, "CTI ICM"),
    ("medarbejder", "Sara", "Nielsen", 0, roles.SUPPORT_WORKER, "CTI ICM"),
    ("jonas.berg", "Jonas", "Berg", 0, roles.SUPPORT_WORKER, "CTI"),
    ("amina.hassan", "Amina", "Hassan", 0, roles.SUPPORT_WORKER, "CTI ICM"),
    ("peter.lund", "Peter", "Lund", 1, roles.SUPPORT_WORKER, "CTI"),
    ("karin.vestergaard", "Karin", "Vestergaard", 1, roles.SUPPORT_WORKER, "CTI ICM"),
    ("ole.damgaard", "Ole", "Damgaard", 1, roles.SUPPORT_WORKER, "ICM"),
    ("henriette.bach", "Henriette", "Bach", 2, roles.SUPPORT_WORKER, "ICM ACT"),
    ("morten.friis", "Morten", "Friis", 2, roles.SUPPORT_WORKER, "ICM ACT"),
    ("louise.krogh", "Louise", "Krogh", 2, roles.SUPPORT_WORKER, "CTI ICM ACT"),
    ("vaerkstedsleder", "Kim", "Mortensen", None, roles.WORKSHOP_LEADER, ""),
]

# The demo logins whose role requires a second factor get an authenticator with a fixed, printed key.
DEMO_TWO_FACTOR = ("admin", "teamleder")

# Town-hall postal codes of the demo municipalities (the CVR numbers below are made up).
TOWN_HALLS = {
    "510": ("6100", "Haderslev"),
    "621": ("6000", "Kolding"),
    "580": ("6200", "Aabenraa"),
    "540": ("6400", "Sønderborg"),
    "630": ("7100", "Vejle"),
    "550": ("6270", "Tønder"),
}

# Municipality code, EAN stem (12 digits, check digit computed), department, caseworkers.
MUNICIPALITY_CONTACTS = [
    (
        "510",
        "579800001510",
        "Socialafdelingen",
        [("Hanne Mikkelsen", "74 34 20 11"), ("Rasmus Thomsen", "74 34 20 12")],
    ),
    ("621", "579800001621", "Voksenområdet", [("Camilla Jørgensen", "79 79 55 01")]),
    ("580", "579800001580", "Social og Sundhed", [("Anders Petersen", "73 76 76 10")]),
    ("540", "579800001540", "Myndighed Voksne", [("Signe Hansen", "88 72 40 00")]),
    ("630", "579800001630", "Handicap og Psykiatri", [("Kasper Madsen", "76 81 00 00")]),
    # Tønder has caseworkers but no EAN yet: the invoicing preview warns about it.
    ("550", None, "", [("Dorthe Iversen", "74 92 92 92")]),
]


def ean_with_check_digit(stem: str) -> str:
    return stem + stdnum_ean.calc_check_digit(stem)


def fictional_cvr(code: str) -> str:
    """A CVR number with a valid check digit, made from the municipality code (demo only)."""
    stem = f"29{code}{int(code) % 100:02d}"[:7]
    return next(stem + digit for digit in "0123456789" if stdnum_cvr.is_valid(stem + digit))


def seed_core(stdout=None) -> dict:
    provider = Provider.current()
    if provider is None:
        provider = Provider.objects.create(
            name="Forsorgshjemmet Solbakken",
            address="Solbakkevej 12",
            postal_code="6100",
            city="Haderslev",
            phone="73 50 12 00",
            email="bostotte@solbakken.example",
            website="https://solbakken.example",
            cvr="10000009",
            ean=ean_with_check_digit("579800009990"),
            bank_name="Sydbank",
            bank_reg_number="8065",
            bank_account_number="1234567",
            iban="DK5080650001234567",
        )

    teams = []
    for name, description, act_cap in TEAMS:
        team, _created = Team.objects.get_or_create(
            name=name, defaults={"description": description, "act_cap": act_cap}
        )
        teams.append(team)

    users = {}
    for username, first, last, team_index, role, methods in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@solbakken.example",
                "team": teams[team_index] if team_index is not None else None,
                "qualified_cti": "CTI" in methods,
                "qualified_icm": "ICM" in methods,
                "qualified_act": "ACT" in methods,
                "is_staff": role == roles.ADMINISTRATOR,
            },
        )
        if created:
            if any(username == login for login, _role in DEMO_LOGINS):
                user.set_password(DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role))
        if username in DEMO_TWO_FACTOR:
            give_demo_device(user)  # the fixed key seed_demo prints; `manage.py demo_code` shows its code
        users[username] = user

    municipalities = {}
    for code, ean_stem, department, caseworkers in MUNICIPALITY_CONTACTS:
        municipality = Municipality.objects.get(code=code)
        if not municipality.invoice_email:
            postal_code, city = TOWN_HALLS[code]
            municipality.invoice_email = f"faktura.{code}@kommune.example"
            municipality.cvr = fictional_cvr(code)
            municipality.address = "Rådhuset"
            municipality.postal_code, municipality.city = postal_code, city
            municipality.save(update_fields=["invoice_email", "cvr", "address", "postal_code", "city"])
        if ean_stem:
            MunicipalityEAN.objects.get_or_create(
                ean=ean_with_check_digit(ean_stem),
                defaults={"municipality": municipality, "label": department, "is_default": True},
            )
        for name, phone in caseworkers:
            Caseworker.objects.get_or_create(
                municipality=municipality,
                name=name,
                defaults={
                    "phone": phone,
                    "department": department or "Socialafdelingen",
                    "email": f"{name.split()[0].lower()}@kommune{code}.example",
                },
            )
        municipalities[code] = municipality

    return {"provider": provider, "teams": teams, "users": users, "municipalities": municipalities}
