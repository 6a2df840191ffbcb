from fractions import Fraction

import pytest

from interventions.caseload import Load


def test_mixed_cti_and_icm_load_is_exact():
    load = Load(cti=9, icm=2)
    assert load.units == Fraction(1)
    assert str(load) == "9 CTI + 2 ICM = 1,00"
    assert not load.has_room_for("CTI")
    assert not load.has_room_for("ICM")


@pytest.mark.parametrize(
    ("cti", "icm", "method", "room"),
    [
        (11, 0, "CTI", True),
        (12, 0, "CTI", False),
        (0, 7, "ICM", True),
        (0, 8, "ICM", False),
        (10, 1, "CTI", False),  # 10/12 + 1/8 = 23/24: one CTI more is 25/24
        (9, 1, "ICM", True),  # 9/12 + 2/8 = 1 exactly: allowed
        (6, 4, "CTI", False),
        (6, 3, "CTI", True),
        (3, 5, "ICM", True),
    ],
)
def test_room_for_another_citizen(cti, icm, method, room):
    assert Load(cti=cti, icm=icm).has_room_for(method) is room


def test_display_rounds_to_two_decimals():
    assert str(Load(cti=1)) == "1 CTI + 0 ICM = 0,08"
    assert str(Load(cti=10, icm=1)) == "10 CTI + 1 ICM = 0,96"
    assert Load(cti=6, icm=0).room("ICM") == 4
    assert Load(cti=6, icm=0).room("CTI") == 6


def test_the_caps_come_from_settings(settings):
    settings.CASELOAD_CAP_CTI = 10
    assert not Load(cti=10).has_room_for("CTI")
    assert str(Load(cti=5)) == "5 CTI + 0 ICM = 0,50"
