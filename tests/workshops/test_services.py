"""Logging workshop hours, paying a month and correcting it afterwards, through the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tests.factories import AdministratorFactory, CitizenFactory, WorkerFactory, WorkshopFactory
from tests.workshops.conftest import MARCH
from workshops import selectors, services
from workshops.models import WorkBonusMonth, WorkshopHours

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_days_attendance_list_saves_every_citizens_hours_at_once(workshop, leader, citizen):
    other = CitizenFactory()
    workshop.participants.add(other)

    saved = services.save_attendance(
        workshop=workshop, date=D(2025, 3, 3), hours_by_citizen={citizen.pk: Decimal("7.5"), other.pk: None}, by=leader
    )

    assert saved == 1
    assert dict(selectors.attendance(workshop, D(2025, 3, 3))) == {citizen: Decimal("7.50"), other: None}
    # Saving the list again changes the day's hours, never doubles them; 0 removes them.
    services.save_attendance(
        workshop=workshop, date=D(2025, 3, 3), hours_by_citizen={citizen.pk: Decimal("6")}, by=leader
    )
    assert WorkshopHours.objects.get().hours == Decimal("6.00")
    services.save_attendance(
        workshop=workshop, date=D(2025, 3, 3), hours_by_citizen={citizen.pk: Decimal("0")}, by=leader
    )
    assert not WorkshopHours.objects.exists()


def test_another_workshops_leader_and_a_support_worker_may_not_log(workshop, citizen):
    for user in (WorkshopFactory().leader, WorkerFactory()):
        with pytest.raises(ValidationError, match="Du må ikke registrere timer på dette værksted"):
            services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("2"), by=user)


def test_hours_in_the_future_or_beyond_a_day_are_refused(workshop, leader, citizen):
    with pytest.raises(ValidationError, match="i dag eller tidligere"):
        services.log_hours(
            workshop=workshop,
            citizen=citizen,
            date=D.today() + datetime.timedelta(days=1),
            hours=Decimal("2"),
            by=leader,
        )
    with pytest.raises(ValidationError, match="højst 24 timer"):
        services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("25"), by=leader)


def test_a_paid_month_refuses_new_hours_and_says_where_a_correction_goes(workshop, leader, citizen):
    administrator = AdministratorFactory()
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    paid = services.pay_month(month=MARCH, by=administrator)
    assert (paid.citizens, paid.total_gross, paid.total_contribution) == (1, Decimal("180.00"), Decimal("14.40"))

    with pytest.raises(ValidationError) as refused:
        services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 4), hours=Decimal("3"), by=leader)
    assert refused.value.messages == [
        "Arbejdsdusøren for marts 2025 er udbetalt, så timerne er låst. "
        "Registrér ændringen som en rettelse i april 2025 med en bemærkning om hvorfor."
    ]
    with pytest.raises(ValidationError, match="udbetalt"):
        services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("0"), by=leader)
    assert list(WorkshopHours.objects.values_list("date", "hours")) == [(D(2025, 3, 3), Decimal("6.00"))]


def test_a_correction_after_payment_goes_to_the_next_open_month_with_its_note(workshop, leader, citizen):
    administrator = AdministratorFactory()
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    services.pay_month(month=MARCH, by=administrator)
    services.pay_month(month=D(2025, 4, 1), by=administrator)  # April paid too (nobody worked)

    correction = services.correct_hours(
        workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("-2"), note="Gik kl. 12", by=leader
    )

    assert correction.bonus_month == D(2025, 5, 1) and correction.is_correction
    (may,) = selectors.month_statements(D(2025, 5, 1))
    (line,) = may.statement.lines
    assert (line.is_correction, line.first_day, line.hours, line.amount, line.note) == (
        True,
        D(2025, 3, 3),
        Decimal("-2.00"),
        Decimal("-60.00"),
        "Gik kl. 12",
    )
    # March's statement is what was paid.
    (march,) = selectors.month_statements(MARCH)
    assert march.statement.gross == Decimal("180.00")


def test_a_correction_needs_a_note_and_cannot_take_away_more_than_was_worked(workshop, leader, citizen):
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    with pytest.raises(ValidationError, match="ikke udbetalt endnu"):
        services.correct_hours(
            workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("1"), note="x", by=leader
        )
    services.pay_month(month=MARCH, by=AdministratorFactory())
    with pytest.raises(ValidationError, match="hvorfor"):
        services.correct_hours(
            workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("1"), note=" ", by=leader
        )
    with pytest.raises(ValidationError, match="6,00 timer"):
        services.correct_hours(
            workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("-7"), note="x", by=leader
        )


def test_a_month_is_paid_once_and_only_when_it_has_ended(workshop, leader, citizen):
    administrator = AdministratorFactory()
    services.pay_month(month=MARCH, by=administrator)
    with pytest.raises(ValidationError, match="allerede udbetalt"):
        services.pay_month(month=MARCH, by=administrator)
    with pytest.raises(ValidationError, match="ikke slut"):
        services.pay_month(month=D.today(), by=administrator)
    assert WorkBonusMonth.objects.get(month=MARCH).paid_by == administrator


def test_a_rate_cannot_take_effect_in_or_before_a_paid_month(workshop, leader, citizen):
    services.pay_month(month=MARCH, by=AdministratorFactory())
    for add, value in (
        (services.add_work_bonus_rate, {"hourly_rate": Decimal("31")}),
        (services.add_contribution_rate, {"percent": Decimal("9")}),
    ):
        with pytest.raises(ValidationError) as refused:
            add(valid_from=D(2025, 3, 20), **value)
        assert "tidligst gælde fra 01.04.2025" in refused.value.messages[0]
    rate = services.add_work_bonus_rate(hourly_rate=Decimal("31"), valid_from=D(2025, 4, 1))
    assert rate.hourly_rate == Decimal("31")


def test_a_month_spanning_a_rate_change_is_paid_at_the_rate_of_each_day(workshop, leader, citizen):
    services.add_work_bonus_rate(hourly_rate=Decimal("32.00"), valid_from=D(2025, 3, 15))
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 14), hours=Decimal("5"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 17), hours=Decimal("5"), by=leader)

    paid = services.pay_month(month=MARCH, by=AdministratorFactory())

    assert paid.total_gross == Decimal("310.00")  # 5 × 30 + 5 × 32
    (made,) = selectors.month_statements(MARCH)
    assert [(line.rate, line.amount) for line in made.statement.lines] == [
        (Decimal("30.00"), Decimal("150.00")),
        (Decimal("32.00"), Decimal("160.00")),
    ]


def test_a_citizens_own_worker_given_the_permission_logs_for_their_own_citizens_only(workshop, citizen):
    from django.contrib.auth.models import Permission

    from tests.factories import InterventionFactory

    intervention = InterventionFactory(citizen=citizen)
    worker = intervention.worker
    worker.user_permissions.add(Permission.objects.get(codename="log_workshop_hours"))
    other = CitizenFactory()
    workshop.participants.add(other)
    worker = type(worker).objects.get(pk=worker.pk)  # fresh permission cache

    assert list(selectors.visible_workshops(worker)) == [workshop]
    assert [row[0] for row in selectors.attendance(workshop, D(2025, 3, 3), worker)] == [citizen]
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("3"), by=worker)
    with pytest.raises(ValidationError, match="kun registrere værkstedstimer for de borgere, du støtter"):
        services.save_attendance(
            workshop=workshop, date=D(2025, 3, 3), hours_by_citizen={other.pk: Decimal("2")}, by=worker
        )


def test_every_change_of_hours_is_kept_with_who_made_it(workshop, leader, citizen):
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("5"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("0"), by=leader)

    history = WorkshopHours.history.order_by("history_date")
    assert [(row.history_type, row.hours, row.history_user) for row in history] == [
        ("+", Decimal("6.00"), leader),
        ("~", Decimal("5.00"), leader),
        ("-", Decimal("5.00"), leader),
    ]
