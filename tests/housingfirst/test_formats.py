import datetime
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def render(source, **context):
    return Template(source).render(Context(context))


def test_money_is_danish():
    assert render("{{ v|kr }}", v=Decimal("1234.5")) == "1.234,50 kr."
    assert render("{{ v|kr }}", v=Decimal("450")) == "450,00 kr."
    assert render("{{ v|kr }}", v=Decimal("-1234567.005")) == "-1.234.567,01 kr."


def test_hours_from_minutes():
    with translation.override("da"):
        assert render("{{ v|hours }}", v=765) == "12,75 t"
        assert render("{{ v|hours }}", v=20) == "0,33 t"


def test_the_hours_unit_is_english_in_english():
    with translation.override("en"):
        assert render("{{ v|hours }}", v=765) == "12,75 h"


def test_dates_are_danish(settings):
    assert render("{{ d|dkdate }}", d=datetime.date(2026, 11, 23)) == "23.11.2026"
    assert render("{{ d|date:'SHORT_DATE_FORMAT' }}", d=datetime.date(2026, 11, 23)) == "23.11.2026"


def test_times_are_shown_in_copenhagen_time():
    from django.utils import timezone

    moment = datetime.datetime(2026, 11, 23, 13, 5, tzinfo=datetime.UTC)
    assert timezone.is_aware(moment)
    assert render("{{ d|dkdate }}", d=moment) == "23.11.2026 14:05"
