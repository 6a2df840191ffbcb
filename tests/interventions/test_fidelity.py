"""Every fidelity figure asserted exactly, from courses with known visits."""

import datetime
from decimal import Decimal

import pytest

from housingfirst.models import Method
from interventions import fidelity
from interventions.fidelity import Period
from interventions.models import Intervention, Pause, Phase, SupervisionMeeting, Visit
from tests.factories import (
    CitizenFactory,
    InterventionFactory,
    PauseFactory,
    PhaseTransitionFactory,
    TeamFactory,
    VisitFactory,
    WorkerFactory,
)

D = datetime.date
Q1 = Period(D(2026, 1, 1), D(2026, 3, 31))
TODAY = D(2026, 4, 15)

pytestmark = pytest.mark.django_db


def course(worker, start, method=Method.CTI, **kwargs):
    return InterventionFactory(
        citizen=CitizenFactory(team=worker.team), worker=worker, method=method, start_date=start, **kwargs
    )


def visit(intervention, day, minutes=60, kind=Visit.Kind.HOME_VISIT):
    return VisitFactory(intervention=intervention, date=day, duration_minutes=minutes, kind=kind)


def measured(team, period=Q1, today=TODAY):
    return fidelity.measure(Intervention.objects.all(), period, team_ids=[team.pk], today=today)


def only(measurement):
    assert len(measurement.courses) == 1
    return measurement.courses[0]


def test_a_course_without_visits_misses_every_window():
    worker = WorkerFactory()
    intervention = course(worker, D(2026, 1, 5))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2026, 1, 19))
    result = only(measured(worker.team))

    assert result.started_in_period
    assert result.days_to_first_contact is None
    assert result.first_month_contacts == 0
    contact, phase_1 = result.phases[Phase.CONTACT], result.phases[Phase.PHASE_1]
    assert (contact.days, contact.windows, contact.windows_met, contact.longest_gap) == (14, 2, 0, 14)
    # 19 January to 31 March: 72 days, 10 whole weeks, no contact in any.
    assert (phase_1.days, phase_1.windows, phase_1.windows_met, phase_1.longest_gap) == (72, 10, 0, 72)
    assert phase_1.minutes_per_week == Decimal("0.0")
    assert {"first_contact", "first_month", "contact"} <= result.flags

    summary = measured(worker.team).summary()
    assert (summary.started, summary.first_contact_met, summary.no_contact_yet) == (1, 0, 1)
    assert summary.first_contact_share == Decimal("0.0")


def test_weekly_contact_meets_phase_1_and_attempts_are_counted_apart():
    worker = WorkerFactory()
    intervention = course(worker, D(2026, 1, 5))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2026, 1, 5))
    for week in range(12):  # Mondays 5 January to 23 March
        visit(intervention, D(2026, 1, 5) + datetime.timedelta(weeks=week), minutes=70)
    visit(intervention, D(2026, 1, 7), minutes=10, kind=Visit.Kind.ATTEMPTED_CONTACT)
    result = only(measured(worker.team))

    assert result.days_to_first_contact == 0
    assert result.first_contact_met
    assert result.first_month_contacts == 5  # 5, 12, 19, 26 January and 2 February (before 5 February)
    assert result.first_month_met
    figures = result.phases[Phase.PHASE_1]
    # 5 January to 31 March is 86 days: 12 whole weeks, each with its Monday visit; the attempt is apart.
    assert (figures.days, figures.windows, figures.windows_met) == (86, 12, 12)
    assert (figures.contacts, figures.attempts, figures.minutes) == (12, 1, 840)
    assert figures.longest_gap == 8  # 24 to 31 March
    assert figures.minutes_per_week == Decimal("68.4")  # 840 × 7 / 86
    assert "contact" in result.flags  # the last 8 days without contact exceed the weekly rhythm
    assert "first_contact" not in result.flags and "first_month" not in result.flags


def test_phase_2_is_judged_by_its_fortnightly_rhythm_and_rising_intensity_is_flagged():
    worker = WorkerFactory()
    intervention = course(worker, D(2025, 12, 1))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2025, 12, 15))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_2, date=D(2026, 3, 2))
    for day in (D(2026, 1, 6), D(2026, 1, 13), D(2026, 1, 20), D(2026, 1, 27), D(2026, 2, 3)):
        visit(intervention, day, minutes=30)
    visit(intervention, D(2026, 3, 3), minutes=120)
    visit(intervention, D(2026, 3, 17), minutes=120)
    result = only(measured(worker.team))

    phase_2 = result.phases[Phase.PHASE_2]
    assert phase_2.rhythm_days == 14
    # 2 to 31 March: 30 days, two whole fortnights (2–15 and 16–29 March), each with a visit.
    assert (phase_2.days, phase_2.windows, phase_2.windows_met, phase_2.longest_gap) == (30, 2, 2, 14)
    assert phase_2.minutes_per_week == Decimal("56.0")
    assert result.phases[Phase.PHASE_1].minutes_per_week == Decimal("17.5")  # 150 minutes over 60 days
    assert result.rising_intensity
    assert "intensity" in result.flags
    assert not result.started_in_period


def test_a_pause_is_left_out_of_windows_gaps_and_minutes():
    worker = WorkerFactory()
    intervention = course(worker, D(2026, 1, 1), method=Method.ICM)
    PauseFactory(
        intervention=intervention, from_date=D(2026, 1, 15), to_date=D(2026, 2, 12), reason=Pause.Reason.SHELTER
    )
    visit(intervention, D(2026, 1, 2))
    visit(intervention, D(2026, 2, 13))
    period = Period(D(2026, 1, 1), D(2026, 2, 25))
    figures = only(measured(worker.team, period=period)).phases[Method.ICM]

    # 1–14 January (14 days, one fortnight, met) and 12–25 February (14 days, one fortnight, met).
    assert (figures.days, figures.windows, figures.windows_met) == (28, 2, 2)
    assert figures.longest_gap == 12  # 3 to 14 January; the pause cuts the run
    assert figures.rhythm_days == 14


def test_leap_year_month_end_phase_dates_and_lateness_with_a_pause():
    worker = WorkerFactory()
    intervention = course(worker, D(2024, 1, 31))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2024, 2, 14))
    PauseFactory(intervention=intervention, from_date=D(2024, 3, 1), to_date=D(2024, 3, 11))
    # Planned phase 2: 31 January + 3 months = 30 April (month end), + the 10-day pause = 10 May.
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_2, date=D(2024, 5, 13))
    visit(intervention, D(2024, 2, 28))
    visit(intervention, D(2024, 2, 29))  # 31 January + 1 month is 29 February: no longer the first month
    period = Period(D(2024, 1, 1), D(2024, 6, 30))
    result = only(measured(worker.team, period=period, today=D(2024, 7, 1)))

    assert result.first_month_contacts == 1
    assert result.days_to_first_contact == 28
    labels = {phase: (planned, actual, late) for phase, _label, planned, actual, late in result.transitions}
    assert labels[Phase.PHASE_1] == (D(2024, 2, 14), D(2024, 2, 14), 0)
    assert labels[Phase.PHASE_2] == (D(2024, 5, 10), D(2024, 5, 13), 3)
    assert result.planned_end == D(2024, 11, 10)  # 31 October + 10 days
    assert "timing" in result.flags and "past_end" not in result.flags


def test_completion_counts_reasons_and_drop_outs_before_the_planned_end():
    worker = WorkerFactory()
    done = course(
        worker,
        D(2025, 4, 1),
        status=Intervention.Status.ENDED,
        end_date=D(2026, 1, 10),
        end_reason=Intervention.EndReason.GOALS_MET,
    )
    course(
        worker,
        D(2025, 11, 1),
        status=Intervention.Status.ENDED,
        end_date=D(2026, 2, 1),
        end_reason=Intervention.EndReason.CITIZEN_DECLINED,
    )
    course(
        worker,
        D(2025, 12, 1),
        status=Intervention.Status.ENDED,
        end_date=D(2026, 3, 1),
        end_reason=Intervention.EndReason.METHOD_CHANGE,
    )
    summary = measured(worker.team).summary()

    assert summary.ended == 3
    assert summary.end_reasons == {"goals_met": 1, "citizen_declined": 1, "method_change": 1}
    assert summary.drop_outs == 1
    assert summary.drop_out_share == Decimal("33.3")
    # The course ended on 10 January was planned to end on 1 January: it ran past its planned end.
    assert summary.past_end == 1
    assert [c.intervention.pk for c in measured(worker.team).flagged("past_end")] == [done.pk]


def test_a_course_handed_over_counts_for_the_worker_who_carried_it_that_month():
    """Anna carried 12 CTI citizens; the 13th came to her on 10 February from Bo, who had it from its start.
    January is within her cap; February counts it for both (each carried it on days of the month) and is
    over; March is over for Anna alone. Bo is not over, and his months end with February."""
    anna = WorkerFactory()
    bo = WorkerFactory(team=anna.team)
    for _ in range(12):
        course(anna, D(2025, 10, 1))
    handed = course(bo, D(2025, 12, 1))
    handed.worker = anna
    handed.save()
    handed.history.filter(worker=anna).update(history_date=datetime.datetime(2026, 2, 10, 12, tzinfo=datetime.UTC))
    handed.history.filter(worker=bo).update(history_date=datetime.datetime(2025, 12, 1, 9, tzinfo=datetime.UTC))

    rows = {row["worker"]: row for row in measured(anna.team).worker_rows()}
    assert [(m.month.month, m.load.cti, m.over) for m in rows[anna]["months"]] == [
        (1, 12, False),
        (2, 13, True),
        (3, 13, True),
    ]
    assert [(m.month.month, m.load.cti, m.over) for m in rows[bo]["months"]] == [(1, 1, False), (2, 1, False)]


def test_a_course_written_without_history_counts_for_its_worker_from_its_start():
    worker = WorkerFactory()
    written = course(worker, D(2026, 2, 1))
    written.history.all().delete()  # as seed_scale's bulk inserts leave it
    rows = {row["worker"]: row for row in measured(worker.team).worker_rows()}
    assert [m.month.month for m in rows[worker]["months"]] == [2, 3]


def test_a_worker_over_the_cap_in_one_month():
    worker = WorkerFactory()
    for _ in range(12):
        course(worker, D(2025, 10, 1))
    course(worker, D(2026, 3, 20))  # the 13th CTI citizen from 20 March
    other = WorkerFactory(team=worker.team)
    course(other, D(2026, 1, 1), method=Method.ICM)
    measurement = measured(worker.team)
    summary = measurement.summary()

    assert summary.worker_months == 6  # two workers, three months
    assert summary.worker_months_over == 1
    assert summary.worker_months_over_share == Decimal("16.7")
    rows = {row["worker"]: row for row in measurement.worker_rows()}
    assert [m.over for m in rows[worker]["months"]] == [False, False, True]
    assert str(rows[worker]["max_load"]) == "13 CTI + 0 ICM = 1,08"


def test_supervision_attendance_against_the_expected_fortnightly_rhythm():
    worker = WorkerFactory()
    absent = WorkerFactory(team=worker.team)
    period = Period(D(2026, 2, 1), D(2026, 2, 28))  # 28 days: 2 supervisions expected
    for day in (D(2026, 2, 5), D(2026, 2, 19)):
        meeting = SupervisionMeeting.objects.create(team=worker.team, date=day, recorded_by=worker)
        meeting.participants.add(worker)
    team_meeting = SupervisionMeeting.objects.create(
        team=worker.team, date=D(2026, 2, 12), kind=SupervisionMeeting.Kind.TEAM_MEETING, recorded_by=worker
    )
    team_meeting.participants.add(worker, absent)
    other_team = SupervisionMeeting.objects.create(team=TeamFactory(), date=D(2026, 2, 12), recorded_by=worker)
    other_team.participants.add(absent)  # recorded by another team, still the worker's own attendance
    rows = {row["worker"]: row for row in measured(worker.team, period=period).attendance}

    assert (rows[worker]["attended"], rows[worker]["expected"]) == (2, 2)
    assert (rows[absent]["attended"], rows[absent]["expected"]) == (1, 2)
    summary = measured(worker.team, period=period).summary()
    assert (summary.supervision_workers, summary.supervision_workers_met) == (2, 1)
    assert summary.supervision_share == Decimal("50.0")


def test_measuring_costs_the_same_queries_for_many_courses(django_assert_max_num_queries):
    worker = WorkerFactory()
    for index in range(3):
        intervention = course(worker, D(2026, 1, 5))
        PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2026, 1, 19))
        PauseFactory(intervention=intervention, from_date=D(2026, 2, 1), to_date=D(2026, 2, 5 + index))
        visit(intervention, D(2026, 1, 6))
    # The template, courses, transitions, pauses, changes of worker, contact windows, supervision; two SET
    # LOCALs in a savepoint.
    with django_assert_max_num_queries(11) as few:
        measured(worker.team).summary()
    for _ in range(20):
        intervention = course(worker, D(2026, 1, 5))
        PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2026, 1, 19))
        PauseFactory(intervention=intervention, from_date=D(2026, 2, 1), to_date=D(2026, 2, 5))
        visit(intervention, D(2026, 1, 6))
    with django_assert_max_num_queries(len(few.captured_queries)):
        measured(worker.team).summary()


def test_team_worker_and_all_summaries_are_the_sums_of_their_courses():
    """The summaries are merged from one per team and worker: each equals adding its courses, worker-months
    and attendance one by one, including a worker with courses in two teams and a course without worker."""
    north, south = WorkerFactory(), WorkerFactory()
    both = WorkerFactory(team=north.team)
    for worker, start, method in [
        (north, D(2026, 1, 5), Method.CTI),
        (north, D(2025, 11, 3), Method.ICM),
        (south, D(2026, 2, 2), Method.CTI),
        (both, D(2026, 1, 12), Method.CTI),
    ]:
        intervention = course(worker, start, method=method)
        visit(intervention, start + datetime.timedelta(days=1), minutes=30)
        visit(intervention, start + datetime.timedelta(days=20), kind=Visit.Kind.ATTEMPTED_CONTACT)
        PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=start + datetime.timedelta(days=28))
    elsewhere = InterventionFactory(citizen=CitizenFactory(team=south.team), worker=both, start_date=D(2026, 1, 20))
    visit(elsewhere, D(2026, 1, 20))
    PauseFactory(intervention=elsewhere, from_date=D(2026, 2, 1), to_date=D(2026, 2, 10))
    InterventionFactory(
        citizen=CitizenFactory(team=north.team), worker=None, coordinator=None, start_date=D(2026, 3, 2)
    )
    declined = Intervention.EndReason.CITIZEN_DECLINED
    course(south, D(2025, 6, 2), status=Intervention.Status.ENDED, end_date=D(2026, 2, 27), end_reason=declined)
    meeting = SupervisionMeeting.objects.create(team=north.team, date=D(2026, 2, 12), recorded_by=north)
    meeting.participants.add(north, both)
    teams = [north.team.pk, south.team.pk]
    measurement = fidelity.measure(Intervention.objects.all(), Q1, team_ids=teams, today=TODAY)

    def one_by_one(courses, months, attendance):
        summary = fidelity.summarise(courses, months, attendance)
        summary.days_to_first.sort()
        return summary

    def merged(summary):
        summary.days_to_first.sort()
        return summary

    months = measurement._summaries["months"]
    assert merged(measurement.summary()) == one_by_one(measurement.courses, measurement.months, measurement.attendance)
    for team in teams:
        courses = [c for c in measurement.courses if c.intervention.team_id == team]
        workers = {c.intervention.worker_id for c in courses}
        team_months = [m for m in measurement.months if m.worker_id in workers]
        attendance = [row for row in measurement.attendance if row["team_id"] == team]
        assert merged(measurement.summary(team_id=team)) == one_by_one(courses, team_months, attendance)
    for worker in (north, south, both):
        courses = [c for c in measurement.courses if c.intervention.worker_id == worker.pk]
        attendance = [row for row in measurement.attendance if row["worker"].pk == worker.pk]
        assert merged(measurement.summary(worker_id=worker.pk)) == one_by_one(courses, months[worker.pk], attendance)
    assert measurement.summary(team_id=south.team.pk).courses == 3  # the both-teams worker's course counts there


def test_attempts_and_two_contacts_on_one_day_leave_windows_and_gaps_to_the_contacts():
    """An attempt on the day of a contact, two contacts on one day and an attempt alone in a fortnight: the
    windows and gaps are the contacts' (ICM, a contact every 14 days, from 1 January)."""
    worker = WorkerFactory()
    intervention = course(worker, D(2026, 1, 1), method=Method.ICM)
    visit(intervention, D(2026, 1, 3), kind=Visit.Kind.ATTEMPTED_CONTACT)
    visit(intervention, D(2026, 1, 10), kind=Visit.Kind.ATTEMPTED_CONTACT)
    visit(intervention, D(2026, 1, 10))
    visit(intervention, D(2026, 1, 10), kind=Visit.Kind.PHONE)
    visit(intervention, D(2026, 1, 20), kind=Visit.Kind.ATTEMPTED_CONTACT)  # alone in 15–28 January
    visit(intervention, D(2026, 2, 5))
    visit(intervention, D(2026, 3, 20))
    figures = only(measured(worker.team)).phases[Method.ICM]

    # 90 days, six whole fortnights; contacts in the 1st, 3rd and 6th.
    assert (figures.days, figures.windows, figures.windows_met) == (90, 6, 3)
    assert (figures.contacts, figures.attempts, figures.minutes) == (4, 3, 240)
    assert figures.longest_gap == 42  # 6 February to 19 March
