"""Outcomes: housing status at the end and after, returns to the shelter, shelter to first contact."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from housingfirst.models import Method
from interventions import outcome_services, outcomes
from interventions.fidelity import Period
from interventions.models import HousingStatus, Intervention, Pause
from tests.factories import CitizenFactory, InterventionFactory, PauseFactory, VisitFactory, WorkerFactory

D = datetime.date
pytestmark = pytest.mark.django_db
S = HousingStatus.Status
C = HousingStatus.Checkpoint


def ended(worker, start, end, reason=Intervention.EndReason.GOALS_MET, **citizen):
    return InterventionFactory(
        citizen=CitizenFactory(team=worker.team, **citizen),
        worker=worker,
        start_date=start,
        status=Intervention.Status.ENDED,
        end_date=end,
        end_reason=reason,
    )


def status(intervention, checkpoint, value):
    return HousingStatus.objects.create(
        intervention=intervention, checkpoint=checkpoint, status=value, recorded_by=intervention.worker
    )


def test_own_home_share_counts_answers_and_shows_unknowns_beside():
    worker = WorkerFactory()
    kept = ended(worker, D(2025, 5, 1), D(2026, 1, 31))
    moved = ended(worker, D(2025, 5, 1), D(2026, 2, 10))
    shelter = ended(worker, D(2025, 5, 1), D(2026, 3, 1), reason=Intervention.EndReason.CITIZEN_DECLINED)
    unknown = ended(worker, D(2025, 5, 1), D(2026, 3, 5))
    ended(worker, D(2025, 5, 1), D(2026, 3, 20))  # not recorded: unknown too
    status(kept, C.END, S.OWN_HOME_KEPT)
    status(moved, C.END, S.OTHER_OWN_HOME)
    status(shelter, C.END, S.SHELTER)
    status(unknown, C.END, S.UNKNOWN)
    # Ended in January 2025: its 12-month follow-up falls in the first quarter of 2026.
    year_ago = ended(worker, D(2024, 4, 1), D(2025, 1, 15))
    status(year_ago, C.MONTHS_12, S.OWN_HOME_KEPT)
    measurement = outcomes.measure_outcomes(
        Intervention.objects.all(), Period(D(2026, 1, 1), D(2026, 3, 31)), today=D(2026, 4, 1)
    )
    at_end = measurement.total.at_end

    assert (at_end.n, at_end.own_home, at_end.unknown, at_end.known) == (5, 2, 2, 3)
    assert at_end.share == Decimal("66.7")
    assert (measurement.total.after_12.n, measurement.total.after_12.own_home) == (1, 1)
    assert measurement.total.end_reasons == {"goals_met": 4, "citizen_declined": 1}
    rows = {label: value for label, value, _link in outcomes.outcome_rows(measurement.total)}
    assert rows["I egen bolig ved CTI-forløbets afslutning"] == "2 af 3 (66,7 %) i egen bolig · 2 ukendte af 5"


def test_returns_to_the_shelter_and_days_from_shelter_to_first_contact():
    worker = WorkerFactory()
    citizen = CitizenFactory(team=worker.team, shelter_stay_from=D(2025, 6, 1), shelter_stay_to=D(2026, 1, 4))
    course = InterventionFactory(citizen=citizen, worker=worker, start_date=D(2026, 1, 5))
    VisitFactory(intervention=course, date=D(2026, 1, 7))
    PauseFactory(intervention=course, from_date=D(2026, 2, 1), to_date=D(2026, 2, 11), reason=Pause.Reason.SHELTER)
    PauseFactory(intervention=course, from_date=D(2026, 3, 1), to_date=D(2026, 3, 4), reason=Pause.Reason.HOSPITAL)
    other = InterventionFactory(citizen=CitizenFactory(team=worker.team), worker=worker, start_date=D(2026, 1, 10))
    PauseFactory(intervention=other, from_date=D(2026, 3, 25), to_date=None, reason=Pause.Reason.SHELTER)
    measurement = outcomes.measure_outcomes(
        Intervention.objects.all(), Period(D(2026, 1, 1), D(2026, 3, 31)), today=D(2026, 3, 31)
    )
    total = measurement.total

    assert (total.returns, len(total.return_citizens)) == (2, 2)
    assert sorted(total.return_days) == [6, 10]  # the running pause counts up to today
    assert total.mean_return_days == Decimal("8.0")
    assert total.shelter_days == [3]
    assert total.shelter_unknown == 1  # the other citizen has no shelter stay recorded
    behind = outcomes.courses_behind(measurement, "returns", today=D(2026, 3, 31))
    assert {intervention.pk for intervention in behind} == {course.pk, other.pk}


def test_figures_per_method_and_paying_municipality():
    worker = WorkerFactory()
    cti = ended(worker, D(2025, 5, 1), D(2026, 2, 1))
    status(cti, C.END, S.OWN_HOME_KEPT)
    icm = InterventionFactory(
        citizen=CitizenFactory(team=worker.team), worker=worker, method=Method.ICM, start_date=D(2026, 1, 2)
    )
    period = Period(D(2026, 1, 1), D(2026, 3, 31))
    by_method = dict(outcomes.measure_outcomes(Intervention.objects.all(), period, by="method").groups)
    assert by_method["CTI"].at_end.own_home == 1
    assert by_method["ICM"].started == 1 and by_method["ICM"].at_end.n == 0
    by_municipality = outcomes.measure_outcomes(Intervention.objects.all(), period, by="municipality").groups
    assert [name for name, _summary in by_municipality] == [icm.citizen.paying_municipality.name]


def test_housing_status_is_due_at_the_end_and_3_and_12_months_after():
    worker = WorkerFactory()
    course = ended(worker, D(2025, 5, 31), D(2025, 11, 30))
    due = outcomes.due_housing_statuses(Intervention.objects.all(), today=D(2026, 2, 28))
    # 30 November + 3 months is 28 February (no 30th), the end status is overdue since the end day.
    assert [(item["checkpoint"], item["date"]) for item in due] == [
        (C.END, D(2025, 11, 30)),
        (C.MONTHS_3, D(2026, 2, 28)),
    ]
    outcome_services.record_housing_status(
        intervention=course, checkpoint=C.END, status=S.OWN_HOME_KEPT, by=worker, today=D(2026, 2, 28)
    )
    due = outcomes.due_housing_statuses(Intervention.objects.all(), today=D(2026, 2, 28))
    assert [item["checkpoint"] for item in due] == [C.MONTHS_3]


def test_housing_status_refusals_read_their_reason():
    worker = WorkerFactory()
    course = ended(worker, D(2025, 5, 1), D(2026, 1, 31))
    with pytest.raises(ValidationError) as early:
        outcome_services.record_housing_status(
            intervention=course, checkpoint=C.MONTHS_12, status=S.OWN_HOME_KEPT, by=worker, today=D(2026, 2, 1)
        )
    assert early.value.message_dict["status"] == ["Denne opfølgning falder den 31.01.2027."]
    outcome_services.record_housing_status(
        intervention=course, checkpoint=C.END, status=S.OWN_HOME_KEPT, by=worker, today=D(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as twice:
        outcome_services.record_housing_status(
            intervention=course, checkpoint=C.END, status=S.SHELTER, by=worker, today=D(2026, 2, 1)
        )
    assert twice.value.message_dict["status"] == ["Boligstatus er allerede registreret for dette tidspunkt."]
    running = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    with pytest.raises(ValidationError) as not_ended:
        outcome_services.record_housing_status(intervention=running, checkpoint=C.END, status=S.HOMELESS, by=worker)
    assert not_ended.value.messages == ["En boligstatus registreres for et CTI-forløb, der er afsluttet."]


def test_the_start_page_picks_the_same_due_statuses_in_the_database():
    """`due_housing_statuses_shown` (the start page: a few and the count) agrees with the full list,
    also where a month's end is clamped (31 January + 1 month) and at the 13-month edge."""
    worker = WorkerFactory()
    for start, end in [
        (D(2025, 5, 31), D(2025, 11, 30)),
        (D(2025, 1, 1), D(2025, 2, 28)),
        (D(2025, 6, 1), D(2025, 11, 29)),
        (D(2025, 7, 1), D(2026, 2, 28)),
        (D(2024, 6, 1), D(2025, 1, 27)),
    ]:
        ended(worker, start, end)
    for today in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 5, 31)):
        full = outcomes.due_housing_statuses(Intervention.objects.all(), today=today)
        for limit in (2, 20):
            shown, total = outcomes.due_housing_statuses_shown(Intervention.objects.all(), limit=limit, today=today)
            assert total == len(full)
            assert [(i["intervention"].pk, i["checkpoint"]) for i in shown] == [
                (i["intervention"].pk, i["checkpoint"]) for i in full[:limit]
            ]


def test_the_start_pages_due_statuses_show_the_cpr_masked_without_decrypting(monkeypatch):
    from citizens import crypto

    ended(WorkerFactory(), D(2025, 10, 1), D(2026, 6, 1))

    def refuse(token):
        raise AssertionError("the start page decrypted a CPR number")

    monkeypatch.setattr(crypto, "decrypt_cpr", refuse)
    shown, total = outcomes.due_housing_statuses_shown(Intervention.objects.all(), limit=5, today=D(2026, 12, 3))
    assert total == len(shown) > 0
    assert all(item["intervention"].citizen.cpr_masked.endswith("-XXXX") for item in shown)
