"""The statement's arithmetic: rates by day, lines rounded to the øre, AM contribution once."""

import datetime
from decimal import Decimal

import pytest

from workshops.workbonus import Entry, MissingRate, statement

D = datetime.date
MARCH = D(2025, 3, 1)
BONUS = [(D(2024, 1, 1), Decimal("30.00")), (D(2025, 3, 15), Decimal("32.00"))]
AM = [(D(2024, 1, 1), Decimal("8.00"))]


def test_a_month_spanning_a_rate_change_pays_each_day_at_its_own_rate():
    entries = [
        Entry(D(2025, 3, 3), Decimal("6")),
        Entry(D(2025, 3, 14), Decimal("4.5")),
        Entry(D(2025, 3, 17), Decimal("7.25")),
    ]

    made = statement(MARCH, entries, BONUS, AM)

    before, after = made.lines
    assert (before.first_day, before.last_day, before.hours, before.rate, before.amount) == (
        D(2025, 3, 3),
        D(2025, 3, 14),
        Decimal("10.5"),
        Decimal("30.00"),
        Decimal("315.00"),
    )
    assert (after.first_day, after.hours, after.rate, after.amount) == (
        D(2025, 3, 17),
        Decimal("7.25"),
        Decimal("32.00"),
        Decimal("232.00"),
    )
    assert made.gross == Decimal("547.00")
    assert made.contribution == Decimal("43.76")
    assert made.before_tax == Decimal("503.24")


def test_the_am_contribution_is_rounded_to_the_ore_once_per_statement_not_per_line():
    # Two lines of 10,06 kr.: 8 % of each is 0,8048 (0,80 rounded, 1,60 together); of the gross 20,12 it is 1,6096.
    rates = [(D(2024, 1, 1), Decimal("20.12")), (D(2025, 3, 15), Decimal("40.24"))]
    entries = [Entry(D(2025, 3, 3), Decimal("0.50")), Entry(D(2025, 3, 20), Decimal("0.25"))]

    made = statement(MARCH, entries, rates, AM)

    assert [line.amount for line in made.lines] == [Decimal("10.06"), Decimal("10.06")]
    assert made.contribution == Decimal("1.61")
    assert made.before_tax == Decimal("18.51")


def test_a_line_amount_is_rounded_half_up_to_the_ore():
    made = statement(MARCH, [Entry(D(2025, 3, 3), Decimal("2.25"))], [(D(2024, 1, 1), Decimal("30.50"))], AM)

    assert made.gross == Decimal("68.63")  # 68,625
    assert made.contribution == Decimal("5.49")  # 5,4904


def test_a_correction_of_a_paid_month_is_its_own_line_at_its_days_rate():
    entries = [Entry(D(2025, 3, 17), Decimal("5")), Entry(D(2025, 2, 10), Decimal("-1.5"), True, "Talt dobbelt")]

    made = statement(MARCH, entries, BONUS, AM)

    ordinary, correction = made.lines
    assert correction.is_correction and correction.note == "Talt dobbelt"
    assert (correction.first_day, correction.rate, correction.amount) == (
        D(2025, 2, 10),
        Decimal("30.00"),
        Decimal("-45.00"),
    )
    assert made.gross == Decimal("115.00")


def test_a_day_without_a_rate_says_which_day():
    with pytest.raises(MissingRate) as raised:
        statement(D(2023, 12, 1), [Entry(D(2023, 12, 4), Decimal("3"))], BONUS, [(D(2023, 1, 1), Decimal("8"))])
    assert raised.value.day == D(2023, 12, 4)
