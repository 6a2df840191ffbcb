"""The month preview sums the visits in one aggregate query, and its totals are the ones the old
per-day grouping in Python gave (rate changes in the month, shelter nights, unbillable visits)."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizens.models import Citizen
from interventions.models import Pause, Visit
from invoicing import selectors, services
from invoicing.models import InvoiceLine
from invoicing.selectors import RateTable, line_amount, month_bounds, month_preview
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    VisitFactory,
    municipality,
)

pytestmark = pytest.mark.django_db
CODES = ["510", "101", "147", "751"]


def old_lines(month):
    """The preview's support lines as the per-day grouping in Python made them: every billable visit
    of the month priced at the rate on its date, left out on a night of an agreed return to the shelter."""
    first, following = month_bounds(month)
    rates = RateTable()
    nights = set()
    for pause in Pause.objects.filter(reason=Pause.Reason.SHELTER, agreed_on__isnull=False):
        start, count = pause.shelter_nights(first, following)
        nights.update((pause.intervention_id, start + datetime.timedelta(days=n)) for n in range(count))
    lines = defaultdict(lambda: [0, 0])
    for visit in Visit.objects.filter(billable=True, date__gte=first, date__lt=following).select_related(
        "intervention"
    ):
        if (visit.intervention_id, visit.date) in nights:
            continue
        key = (visit.intervention.citizen_id, visit.intervention.method, rates.on(visit.date))
        lines[key][0] += visit.duration_minutes
        lines[key][1] += 1
    return {key: (minutes, count, line_amount(minutes, key[2])) for key, (minutes, count) in lines.items()}


def new_lines(previews):
    return {
        (line.citizen.pk, line.method, line.rate): (line.minutes, line.visits, line.amount)
        for preview in previews
        for line in preview.lines
        if not line.is_shelter_days
    }


def test_month_totals_equal_the_old_per_day_grouping(national_month, month):
    previews = month_preview(month)

    expected = old_lines(month)
    assert new_lines(previews) == expected
    # Each municipality's total, as the invoice will have it: each line rounded once, then summed.
    by_municipality = defaultdict(Decimal)
    for (citizen_id, _method, _rate), (_minutes, _count, amount) in expected.items():
        by_municipality[Citizen.objects.get(pk=citizen_id).paying_municipality.code] += amount
    shelter = {p.municipality.code: sum(line.amount for line in p.lines if line.is_shelter_days) for p in previews}
    assert {p.municipality.code: p.total - shelter[p.municipality.code] for p in previews} == dict(by_municipality)
    # Three rates in the month: a citizen with visits on both sides of a change has a line per rate.
    assert {line.rate for p in previews for line in p.lines if not line.is_shelter_days} == {
        Decimal("450.00"),
        Decimal("455.50"),
        Decimal("461.25"),
    }
    # The agreed stay is 8 nights at the day rate; the stay not agreed is a warning, not a line.
    assert sum(line.days for p in previews for line in p.lines if line.is_shelter_days) == 8
    assert any("ikke aftalt med kommunen" in warning for p in previews for warning in p.warnings)


def test_one_municipalitys_totals_equal_its_share_of_the_month(national_month, month):
    everyone = {p.municipality.code: p for p in month_preview(month)}
    for code in CODES:
        place = municipality(code)
        (alone,) = month_preview(month, municipality_ids=[place.pk])
        assert alone.total == everyone[code].total
        assert new_lines([alone]) == new_lines([everyone[code]])
        assert alone.warnings == everyone[code].warnings


def test_the_issued_invoices_carry_the_old_totals(national_month, month):
    expected = old_lines(month)

    services.issue_month(month=month)

    issued = {
        (line.citizen_id, line.method, line.rate): (line.minutes, line.visits, line.amount)
        for line in InvoiceLine.objects.filter(kind=InvoiceLine.Kind.SUPPORT)
    }
    assert issued == expected


def test_the_month_is_summed_in_one_query_without_id_lists(national_month, month):
    with CaptureQueriesContext(connection) as few:
        month_preview(month)
    # Ten times the visits, on new citizens: the same queries, none of them longer by a list of ids.
    for intervention in national_month:
        for n in range(10):
            VisitFactory(
                intervention=InterventionFactory(
                    citizen=CitizenFactory(paying_municipality=intervention.citizen.paying_municipality),
                    start_date=month - datetime.timedelta(days=90),
                ),
                date=month + datetime.timedelta(days=n),
            )
    with CaptureQueriesContext(connection) as many:
        previews = month_preview(month)

    assert len(many) == len(few)
    assert [len(q["sql"]) for q in many] == [len(q["sql"]) for q in few]
    visit_reads = [q["sql"] for q in many if 'FROM "interventions_visit"' in q["sql"] and "SUM(" in q["sql"]]
    assert len(visit_reads) == 1, visit_reads
    assert sum(p.citizen_count for p in previews) == 12 + 12 * 10


def test_generate_invoices_previews_each_municipality_once(national_month, month, monkeypatch):
    from django.core.management import call_command

    calls = []
    preview = services.month_preview

    def counted(*args, **kwargs):
        calls.append(kwargs.get("municipality_ids"))
        return preview(*args, **kwargs)

    monkeypatch.setattr(services, "month_preview", counted)
    monkeypatch.setattr(selectors, "month_preview", counted)

    call_command("generate_invoices", month=f"{month:%Y-%m}", stdout=open("/dev/null", "w"))  # noqa: SIM115

    issued = [ids[0] for ids in calls if ids]
    assert len(issued) == len(set(issued)) == len(CODES)
