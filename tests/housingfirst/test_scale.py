"""seed_scale: a country built in bulk still keeps the app's rules."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from citizens.cpr import validate_cpr
from citizens.models import Citizen
from housingfirst.models import User
from housingfirst.scale import fictional_cpr, per_worker
from interventions.models import Intervention, LockedMonth, Visit
from interventions.selectors import load_of
from invoicing.models import Invoice
from invoicing.selectors import month_preview

pytestmark = pytest.mark.django_db


@pytest.fixture
def country(settings, capsys):
    settings.DEBUG = True
    call_command("seed_scale", citizens=300, visits=6000, months=4, teams=3, workers_per_team=8)
    return capsys.readouterr().out


def check_the_country_is_made_with_its_users_citizens_courses_and_visits(country):
    assert "A country in" in country
    assert User.objects.filter(groups__name="Bostøttemedarbejder").count() == 24
    assert User.objects.filter(groups__name="Teamleder").count() == 3
    assert User.objects.filter(groups__name="Administrator").count() == 2
    assert Citizen.objects.count() == 300
    assert 5000 <= Visit.objects.count() <= 7000
    # 24 workers with room for 11 each carry 264; the other 36 wait for a worker.
    assert Intervention.objects.filter(status="planned", worker=None).count() == 36


def check_no_worker_carries_more_than_the_caps(country):
    for worker in User.objects.filter(groups__name="Bostøttemedarbejder"):
        assert load_of(worker).units <= 1


def check_no_worker_has_two_visits_at_once(country):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM interventions_visit a JOIN interventions_visit b
              ON a.worker_id = b.worker_id AND a.id < b.id AND a.date = b.date
             AND a.start_time < b.start_time + make_interval(mins => b.duration_minutes)
             AND b.start_time < a.start_time + make_interval(mins => a.duration_minutes)
            """
        )
        assert cursor.fetchone()[0] == 0


def check_every_visit_lies_within_its_course_and_before_today(country):
    today = timezone.localdate()
    outside = Visit.objects.filter(
        Q(date__lt=F("intervention__start_date"))
        | Q(intervention__end_date__isnull=False, date__gt=F("intervention__end_date"))
        | Q(date__gte=today)
    )
    assert not outside.exists()
    assert not Visit.objects.exclude(worker=F("intervention__worker")).exists()


def check_an_icm_course_follows_the_cti_course_it_replaced(country):
    for course in Intervention.objects.filter(method="ICM").select_related("previous"):
        assert course.previous.method == "CTI"
        assert course.previous.end_reason == "method_change"
        assert course.previous.end_date < course.start_date
        assert course.previous.end_date - course.previous.start_date <= datetime.timedelta(days=270)


def check_ended_months_are_invoiced_by_the_real_service_and_locked(country):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    months = sorted(set(Invoice.objects.values_list("month", flat=True)))
    assert len(months) == 2
    assert last_month not in months  # left for the month page
    for month in months:
        assert not [p for p in month_preview(month) if p.can_issue]  # nothing left to invoice
        invoiced = set(Invoice.objects.filter(month=month).values_list("municipality_id", flat=True))
        assert set(LockedMonth.objects.filter(month=month).values_list("municipality_id", flat=True)) == invoiced
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert [p for p in month_preview(last_month) if p.can_issue]
    lines = Invoice.objects.annotate(n=Count("lines")).filter(n=0)
    assert not lines.exists()


def test_cpr_numbers_are_real_dates_and_unique():
    numbers = [fictional_cpr(n) for n in range(0, 36_000, 7)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[:: len(numbers) // 50]:
        validate_cpr(number)


def test_a_full_worker_fits_the_caps():
    assert per_worker(12, 8) == (9, 2)
    assert 9 / 12 + 2 / 8 <= 1


def check_it_refuses_a_database_with_citizens(country):
    with pytest.raises(CommandError, match="empty database"):
        call_command("seed_scale", citizens=10, visits=10, months=3, teams=1, workers_per_team=1)


def test_it_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_scale", citizens=10)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the overlap check is written in PostgreSQL's SQL")
def test_a_small_country_keeps_the_rules_of_the_app(country):
    # One country, built once (about 15 s), checked for every rule.
    check_the_country_is_made_with_its_users_citizens_courses_and_visits(country)
    check_no_worker_carries_more_than_the_caps(country)
    check_no_worker_has_two_visits_at_once(country)
    check_every_visit_lies_within_its_course_and_before_today(country)
    check_an_icm_course_follows_the_cti_course_it_replaced(country)
    check_ended_months_are_invoiced_by_the_real_service_and_locked(country)
    check_it_refuses_a_database_with_citizens(country)
