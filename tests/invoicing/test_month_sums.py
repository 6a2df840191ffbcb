"""The month sums the month page reads (VisitMonthSum) are what issuing would bill.

After visits are logged, corrected (across a month boundary, unticked as billable), deleted, refused in an
invoiced month and priced again by a new rate, the stored sums equal the sums of the visits, and every row
of the month page equals the one the full preview of the visits gives."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from agreements.models import AgreementText
from interventions import services as visit_services
from interventions.models import Visit
from invoicing import services
from invoicing.models import VisitMonthSum
from invoicing.selectors import RateTable, month_bounds, month_overview
from tests.factories import (
    AgreementFactory,
    CitizenFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    VisitFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def stored_sums() -> Counter:
    sums = Counter()
    for row in VisitMonthSum.objects.exclude(visits=0, minutes=0):
        sums[(row.intervention_id, row.month, row.rate_ore)] = (row.minutes, row.visits)
    return sums


def summed_visits() -> Counter:
    """The sums from the visits themselves: each billable visit at the rate in force on its date."""
    rates, sums = RateTable(), Counter()
    for visit in Visit.objects.filter(billable=True):
        key = (visit.intervention_id, visit.date.replace(day=1), int(rates.on(visit.date) * 100))
        minutes, count = sums.get(key, (0, 0))
        sums[key] = (minutes + visit.duration_minutes, count + 1)
    return sums


def page_rows(month, **kwargs):
    return [
        (
            row.municipality.code,
            row.citizen_count,
            row.total_minutes,
            row.total,
            row.line_count,
            row.total_shelter_days,
            row.warning_count,
            row.blocking,
            row.can_issue,
            row.invoice.pk if row.invoice else None,
        )
        for row in month_overview(month, **kwargs)
    ]


def assert_the_page_bills_what_issuing_would(*months):
    assert stored_sums() == summed_visits()
    for month in months:
        # warnings=True previews every municipality not invoiced from its visits, as issuing does.
        assert page_rows(month) == page_rows(month, warnings=True)


@pytest.fixture
def courses(provider, haderslev, month):
    """Three courses in Haderslev (one with a signed agreement, one with a draft, one with none) and one in
    Copenhagen, which has no EAN number."""
    copenhagen = municipality("101")
    start = month - datetime.timedelta(days=90)
    made = [InterventionFactory(citizen=CitizenFactory(paying_municipality=haderslev), start_date=start) for _ in "abc"]
    made.append(InterventionFactory(citizen=CitizenFactory(paying_municipality=copenhagen), start_date=start))
    AgreementFactory(intervention=made[0], status="signed", issued_at=timezone.now(), text=AgreementText.current())
    AgreementFactory(intervention=made[1])
    return made


def log(intervention, day, minutes, hour=9):
    return visit_services.log_visit(
        intervention=intervention,
        by=intervention.worker,
        date=day,
        start_time=datetime.time(hour, 0),
        duration_minutes=minutes,
    )


def test_logging_correcting_and_deleting_visits_keeps_the_sums(courses, month):
    following = month_bounds(month)[1]
    last_day = following - datetime.timedelta(days=1)
    visits = [log(course, month + datetime.timedelta(days=n), 17 + 11 * n) for n, course in enumerate(courses)]
    visits += [log(course, last_day, 45, hour=13) for course in courses]
    visits.append(log(courses[0], following, 30))
    assert_the_page_bills_what_issuing_would(month, following)

    # Across the month boundary and back, a new length, unticked as billable and ticked again, a note.
    visit_services.change_visit(visit=visits[4], by=courses[0].worker, date=following)
    visit_services.change_visit(visit=visits[5], by=courses[1].worker, date=following, duration_minutes=7)
    visit_services.change_visit(visit=visits[8], by=courses[0].worker, date=last_day - datetime.timedelta(days=1))
    visit_services.change_visit(visit=visits[1], by=courses[1].worker, billable=False)
    visit_services.change_visit(visit=visits[2], by=courses[2].worker, billable=False)
    visit_services.change_visit(visit=visits[2], by=courses[2].worker, billable=True, duration_minutes=61)
    visit_services.change_visit(visit=visits[3], by=courses[3].worker, note="Ringede først")
    assert_the_page_bills_what_issuing_would(month, following)

    visit_services.delete_visit(visit=visits[0], by=courses[0].worker)
    visit_services.delete_visit(visit=visits[6], by=courses[2].worker)
    Visit.objects.get(pk=visits[7].pk).delete()  # not through the service: the sums follow all the same
    assert_the_page_bills_what_issuing_would(month, following)
    rows = {row[0]: row for row in page_rows(month)}
    assert rows["510"][1:5] == (2, 30 + 61, Decimal("682.50"), 2)  # 225.00 + 457.50
    assert rows["101"][7] == "Intet EAN-nummer"


def test_a_visit_refused_in_an_invoiced_month_moves_no_sum(courses, month):
    following = month_bounds(month)[1]
    visit = log(courses[0], month + datetime.timedelta(days=2), 90)
    log(courses[3], month + datetime.timedelta(days=3), 30)  # Copenhagen has no EAN: not invoiced
    (invoice,) = services.issue_month(month=month)
    before = stored_sums()

    with pytest.raises(ValidationError):
        visit_services.change_visit(visit=visit, by=courses[0].worker, date=following)
    with pytest.raises(ValidationError):
        visit_services.delete_visit(visit=visit, by=courses[0].worker)
    with pytest.raises(ValidationError):
        log(courses[1], month + datetime.timedelta(days=5), 60)

    assert stored_sums() == before
    log(courses[1], following, 60)
    assert_the_page_bills_what_issuing_would(month, following)
    rows = {row[0]: row for row in page_rows(month)}
    assert rows["510"][9] == invoice.pk and rows["510"][3] == invoice.total == Decimal("675.00")
    assert rows["101"][3] == Decimal("225.00") and rows["101"][9] is None


def test_a_new_rate_prices_the_month_sums_again(courses, month):
    following = month_bounds(month)[1]
    for n, course in enumerate(courses):
        log(course, month + datetime.timedelta(days=n), 50)
        log(course, month + datetime.timedelta(days=20 + n), 70)
    log(courses[0], following, 40)

    services.add_rate(hourly_rate=Decimal("463.17"), valid_from=month + datetime.timedelta(days=15))

    assert {row.rate_ore for row in VisitMonthSum.objects.filter(month=month)} == {45000, 46317}
    assert_the_page_bills_what_issuing_would(month, following)


def test_shelter_stays_rate_changes_and_agreements_on_the_page_equal_the_preview(national_month, month):
    """The fixture of the month totals: four municipalities, rates changing twice in the month, an agreed
    return to the shelter with visits on its nights, one not agreed, drafts and missing agreements."""
    assert_the_page_bills_what_issuing_would(month, month_bounds(month)[1])


def test_a_citizen_invoiced_elsewhere_is_previewed_from_the_visits(provider, haderslev, month):
    citizen = CitizenFactory(paying_municipality=haderslev)
    course = InterventionFactory(citizen=citizen, start_date=month - datetime.timedelta(days=90))
    VisitFactory(intervention=course, date=month + datetime.timedelta(days=1), duration_minutes=60)
    services.issue_month(month=month)
    copenhagen = municipality("101")
    MunicipalityEANFactory(municipality=copenhagen)
    citizen.paying_municipality = copenhagen
    citizen.save()
    stayed = InterventionFactory(
        citizen=CitizenFactory(paying_municipality=copenhagen), start_date=month - datetime.timedelta(days=90)
    )
    VisitFactory(intervention=stayed, date=month + datetime.timedelta(days=2), duration_minutes=30)

    assert_the_page_bills_what_issuing_would(month)
    rows = {row[0]: row for row in page_rows(month)}
    # Copenhagen bills only the citizen who was its own, and warns of the one already on Haderslev's invoice.
    assert rows["101"][1:5] == (1, 30, Decimal("225.00"), 1)


def test_rebuilding_the_sums_gives_the_same_rows(national_month, month):
    kept = stored_sums()

    services.rebuild_visit_month_sums()

    assert stored_sums() == kept == summed_visits()
