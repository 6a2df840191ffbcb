import datetime

import pytest

from tests.factories import CitizenFactory, WorkshopFactory

MARCH = datetime.date(2025, 3, 1)


@pytest.fixture
def citizen(db):
    return CitizenFactory(first_name="Mona", last_name="Holm")


@pytest.fixture
def workshop(db, citizen):
    return WorkshopFactory(name="Cykelværkstedet", participants=[citizen])


@pytest.fixture
def leader(workshop):
    return workshop.leader
