import factory
from django.contrib.auth.models import Group

from housingfirst import roles
from housingfirst.demo import ean_with_check_digit
from housingfirst.models import Caseworker, Municipality, MunicipalityEAN, Provider, Team, User

__all__ = [
    "TeamFactory",
    "UserFactory",
    "WorkerFactory",
    "TeamLeadFactory",
    "AdministratorFactory",
    "MunicipalityEANFactory",
    "CaseworkerFactory",
    "ProviderFactory",
    "municipality",
]

PASSWORD = "test-password-1"


def municipality(code="510") -> Municipality:
    """One of the 98 municipalities the data migration ships (510 is Haderslev)."""
    return Municipality.objects.get(code=code)


def _role(default):
    """A post-generation hook that puts the user in a role group (overridable: role=...)."""

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        name = extracted or default
        if create and name:
            user.groups.add(Group.objects.get(name=name))

    return role


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Team {n}")


STAFF_FIRST_NAMES = ["Asger", "Dorte", "Frej", "Gry", "Helle", "Kaj", "Preben", "Rikke", "Sune", "Tove", "Vibeke"]
# Twelve last names to eleven first names: the pairs repeat only after 132 users.
STAFF_LAST_NAMES = [
    "Bang",
    "Brink",
    "Dybdal",
    "Fogh",
    "Hjort",
    "Kirk",
    "Krag",
    "Munk",
    "Rask",
    "Skov",
    "Vang",
    "Winther",
]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    # Staff names come from short lists no test uses for a citizen: every page's menu shows the user's
    # name, and a random "Vestergaard" there once failed a test that a search leaves Vestergaard out.
    first_name = factory.Iterator(STAFF_FIRST_NAMES)
    last_name = factory.Iterator(STAFF_LAST_NAMES)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password(PASSWORD)
    qualified_cti = True
    qualified_icm = True

    role = _role(None)  # UserFactory(role=roles.TEAM_LEAD) puts the user in that group


class WorkerFactory(UserFactory):
    role = _role(roles.SUPPORT_WORKER)


class TeamLeadFactory(UserFactory):
    role = _role(roles.TEAM_LEAD)


class AdministratorFactory(UserFactory):
    team = None
    is_staff = True
    role = _role(roles.ADMINISTRATOR)


class MunicipalityEANFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MunicipalityEAN

    municipality = factory.LazyFunction(municipality)
    ean = factory.Sequence(lambda n: ean_with_check_digit(f"5798{n:08d}"))
    label = "Socialafdelingen"
    is_default = True


class CaseworkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Caseworker

    municipality = factory.LazyFunction(municipality)
    name = factory.Sequence(lambda n: f"{STAFF_FIRST_NAMES[n % 11]} {STAFF_LAST_NAMES[(n + 5) % 12]}")
    phone = "74 34 20 11"
    email = factory.Sequence(lambda n: f"sagsbehandler{n}@kommune.example")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ["singleton"]

    singleton = True
    name = "Forsorgshjemmet Solbakken"
    address = "Solbakkevej 12"
    postal_code = "6100"
    city = "Haderslev"
    phone = "73 50 12 00"
    cvr = "10000009"
    ean = factory.LazyFunction(lambda: ean_with_check_digit("579800009990"))
    bank_reg_number = "8065"
    bank_account_number = "1234567"
