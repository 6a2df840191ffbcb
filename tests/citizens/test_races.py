import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from citizens.models import Citizen
from citizens.services import save_citizen
from tests.factories import AdministratorFactory, CaseworkerFactory, TeamFactory, municipality


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_registering_the_same_cpr_at_once_get_one_citizen_and_one_message():
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (PostgreSQL)")
    user = AdministratorFactory()
    team, caseworker = TeamFactory(), CaseworkerFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def register(first_name):
        try:
            citizen = Citizen(
                first_name=first_name,
                last_name="Hansen",
                cpr="010190-1238",
                paying_municipality=municipality(),
                acting_municipality=municipality(),
                caseworker=caseworker,
                team=team,
            )
            barrier.wait()
            save_citizen(citizen=citizen, user=user)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(name,)) for name in ("Jens", "Ib")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Citizen.objects.count() == 1
    assert sorted(outcomes)[-1] == "saved"
    assert "already registered" in sorted(outcomes)[0] or "allerede registreret" in sorted(outcomes)[0]
