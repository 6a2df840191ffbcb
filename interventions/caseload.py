"""Caseload arithmetic: a CTI citizen is 1/12 of a worker, an ICM citizen 1/8; a load may not pass 1.

Exact fractions, never floats: 9/12 + 2/8 must be exactly 1, not 0.9999999.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings

from housingfirst.models import Method
from housingfirst.templatetags.hf import format_danish_number

FULL = Fraction(1)


def unit(method: str) -> Fraction:
    """The share of a worker one citizen of this method takes; ACT is capped per team instead."""
    if method == Method.CTI:
        return Fraction(1, settings.CASELOAD_CAP_CTI)
    if method == Method.ICM:
        return Fraction(1, settings.CASELOAD_CAP_ICM)
    return Fraction(0)


@dataclass(frozen=True)
class Load:
    cti: int = 0
    icm: int = 0
    act: int = 0

    @property
    def units(self) -> Fraction:
        return self.cti * unit(Method.CTI) + self.icm * unit(Method.ICM)

    def has_room_for(self, method: str) -> bool:
        return self.units + unit(method) <= FULL

    def room(self, method: str) -> int:
        """How many more citizens of this method fit."""
        share = unit(method)
        return int((FULL - self.units) / share) if share and self.units <= FULL else 0

    @property
    def units_display(self) -> str:
        return format_danish_number(Decimal(self.units.numerator) / Decimal(self.units.denominator))

    @property
    def percent(self) -> int:
        return min(round(self.units * 100), 100)

    @property
    def over(self) -> bool:
        return self.units > FULL

    def __str__(self):
        parts = [f"{self.cti} CTI", f"{self.icm} ICM"]
        if self.act:
            parts.append(f"{self.act} ACT")
        return f"{' + '.join(parts)} = {self.units_display}"
