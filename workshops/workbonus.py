"""The work-bonus statement, as pure arithmetic: entries and dated rates in, lines and totals out.

- An hour earns the bonus rate in force on the day it was worked, so a month spanning a rate change
  gets one line per rate; a correction of an earlier, paid month is its own line at its day's rate.
- Each line is rounded to the øre; the AM contribution is worked out once, of the statement's gross,
  and rounded to the øre once (rounding it per line could differ by øre from what payroll withholds).
- The AM rate is the one in force on the last day of the month paid: the contribution is due when
  the bonus is paid out, not when it was earned.
- A-tax is not worked out here: payroll withholds it from the citizen's tax card.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
ZERO = Decimal("0")


class MissingRate(ValueError):
    """No rate was in force on a day that needs one."""

    def __init__(self, kind: str, day: datetime.date):
        super().__init__(f"no {kind} rate in force on {day:%d.%m.%Y}")
        self.kind, self.day = kind, day


def to_ore(amount: Decimal) -> Decimal:
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def last_day_of(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _in_force(rates, day: datetime.date, kind: str) -> tuple[datetime.date, Decimal]:
    in_force = [(valid_from, rate) for valid_from, rate in rates if valid_from <= day]
    if not in_force:
        raise MissingRate(kind, day)
    return max(in_force)


def rate_on(rates: Sequence[tuple[datetime.date, Decimal]], day: datetime.date, kind: str = "work bonus") -> Decimal:
    """The rate in force on `day`, of `(valid_from, rate)` pairs in any order."""
    return _in_force(rates, day, kind)[1]


@dataclass(frozen=True)
class Entry:
    date: datetime.date
    hours: Decimal
    is_correction: bool = False
    note: str = ""


@dataclass(frozen=True)
class Line:
    first_day: datetime.date
    last_day: datetime.date
    hours: Decimal
    rate: Decimal
    amount: Decimal
    is_correction: bool = False
    note: str = ""


@dataclass
class Statement:
    month: datetime.date
    lines: list[Line] = field(default_factory=list)
    contribution_percent: Decimal = ZERO

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), ZERO)

    @property
    def gross(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def contribution(self) -> Decimal:
        # Once per statement, of the gross (never of a negative gross: nothing is paid then).
        return to_ore(max(self.gross, ZERO) * self.contribution_percent / 100)

    @property
    def before_tax(self) -> Decimal:
        return self.gross - self.contribution

    @property
    def corrections(self) -> list[Line]:
        return [line for line in self.lines if line.is_correction]


def statement(
    month: datetime.date,
    entries: Iterable[Entry],
    bonus_rates: Sequence[tuple[datetime.date, Decimal]],
    contribution_rates: Sequence[tuple[datetime.date, Decimal]],
) -> Statement:
    """The statement of one citizen's month. Raises MissingRate when a day has no rate."""
    result = Statement(month=month, contribution_percent=rate_on(contribution_rates, last_day_of(month), "AM"))
    # One line per rate period (not per rate value: a rate that returns later is a new line).
    ordinary: dict[tuple[datetime.date, Decimal], list[Entry]] = {}
    corrections: list[Entry] = []
    for entry in sorted(entries, key=lambda e: e.date):
        if entry.is_correction:
            corrections.append(entry)
        else:
            ordinary.setdefault(_in_force(bonus_rates, entry.date, "work bonus"), []).append(entry)
    for (_valid_from, rate), days in sorted(ordinary.items()):
        hours = sum((e.hours for e in days), ZERO)
        result.lines.append(Line(days[0].date, days[-1].date, hours, rate, to_ore(hours * rate)))
    for entry in corrections:
        rate = rate_on(bonus_rates, entry.date)
        result.lines.append(
            Line(entry.date, entry.date, entry.hours, rate, to_ore(entry.hours * rate), True, entry.note)
        )
    return result
