import datetime

import pytest

from interventions.models import Intervention, Phase, PhaseTemplate
from interventions.phases import add_months, cti_timeline, icm_follow_ups
from tests.factories import InterventionFactory, PauseFactory, PhaseTransitionFactory

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2027, 1, 31), 1, D(2027, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2027, 1, 31), 3, D(2027, 4, 30)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2028, 2, 29), 48, D(2032, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
        (D(2027, 3, 31), -1, D(2027, 2, 28)),
        (D(2027, 5, 31), 9, D(2028, 2, 29)),
        (D(2027, 1, 1), 0, D(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(day, months, expected):
    assert add_months(day, months) == expected


def _stages(intervention, today):
    timeline = cti_timeline(intervention, PhaseTemplate.current(), today)
    return {stage.phase: stage for stage in timeline.stages}, timeline


@pytest.mark.django_db
def test_planned_phases_from_31_january_in_a_leap_year():
    intervention = InterventionFactory(start_date=D(2028, 1, 31))
    stages, timeline = _stages(intervention, D(2028, 2, 5))
    assert stages[Phase.CONTACT].planned_start == D(2028, 1, 31)
    assert stages[Phase.PHASE_1].planned_start == D(2028, 2, 14)  # two weeks' contact period
    assert stages[Phase.PHASE_2].planned_start == D(2028, 4, 30)
    assert stages[Phase.PHASE_3].planned_start == D(2028, 7, 31)
    assert timeline.planned_end == D(2028, 10, 31)


@pytest.mark.django_db
def test_planned_phases_from_29_february():
    intervention = InterventionFactory(start_date=D(2028, 2, 29))
    stages, timeline = _stages(intervention, D(2028, 3, 1))
    assert stages[Phase.PHASE_2].planned_start == D(2028, 5, 29)
    assert timeline.planned_end == D(2028, 11, 29)


@pytest.mark.django_db
def test_the_template_the_administrator_edits_changes_the_plan():
    template = PhaseTemplate.current()
    template.phase_1_months, template.contact_period_weeks = 2, 4
    template.save()
    intervention = InterventionFactory(start_date=D(2027, 1, 31))
    stages, timeline = _stages(intervention, D(2027, 2, 1))
    assert stages[Phase.PHASE_1].planned_start == D(2027, 2, 28)
    assert stages[Phase.PHASE_2].planned_start == D(2027, 3, 31)
    assert timeline.planned_end == D(2027, 9, 30)


@pytest.mark.django_db
def test_a_pause_moves_later_phases_by_its_length():
    intervention = InterventionFactory(start_date=D(2027, 1, 1))
    PauseFactory(intervention=intervention, from_date=D(2027, 5, 1), to_date=D(2027, 5, 11))
    stages, timeline = _stages(intervention, D(2027, 6, 1))
    assert stages[Phase.PHASE_2].planned_start == D(2027, 4, 1)  # before the pause: unchanged
    assert stages[Phase.PHASE_3].planned_start == D(2027, 7, 11)
    assert timeline.planned_end == D(2027, 10, 11)


@pytest.mark.django_db
def test_a_running_pause_moves_the_plan_up_to_today():
    intervention = InterventionFactory(start_date=D(2027, 1, 1), status=Intervention.Status.PAUSED)
    PauseFactory(intervention=intervention, from_date=D(2027, 2, 1), to_date=None)
    stages, _timeline = _stages(intervention, D(2027, 2, 6))
    assert stages[Phase.PHASE_2].planned_start == D(2027, 4, 6)


@pytest.mark.django_db
def test_late_and_overdue_transitions_are_flagged():
    intervention = InterventionFactory(start_date=D(2027, 1, 1))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2027, 1, 20))
    stages, timeline = _stages(intervention, D(2027, 4, 10))
    assert stages[Phase.PHASE_1].late and stages[Phase.PHASE_1].days_late == 5
    assert not stages[Phase.CONTACT].late
    assert [stage.phase for stage in timeline.overdue_stages()] == [Phase.PHASE_2]
    assert timeline.current.phase == Phase.PHASE_1


@pytest.mark.django_db
def test_icm_follow_ups_every_three_months():
    intervention = InterventionFactory(start_date=D(2026, 1, 31), method="ICM")
    follow_ups = icm_follow_ups(intervention, PhaseTemplate.current(), D(2026, 9, 1))
    assert [item["date"] for item in follow_ups] == [D(2026, 4, 30), D(2026, 7, 31), D(2026, 10, 31)]
    assert [item["past"] for item in follow_ups] == [True, True, False]
