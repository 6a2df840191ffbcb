from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from interventions.models import Intervention, Visit
from interventions.selectors import load_of, team_workers


def test_demo_interventions_are_varied_idempotent_and_within_the_caps(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Intervention.objects.count(), Visit.objects.count())
    call_command("seed_demo")
    assert (Intervention.objects.count(), Visit.objects.count()) == counts
    statuses = set(Intervention.objects.values_list("status", flat=True))
    assert {"active", "paused", "ended", "planned"} <= statuses
    assert set(Intervention.objects.values_list("method", flat=True)) == {"CTI", "ICM", "ACT"}
    assert Intervention.objects.filter(previous__isnull=False).exists()
    assert len(set(Intervention.objects.exclude(end_reason="").values_list("end_reason", flat=True))) >= 3
    assert counts[1] > 600
    for intervention in Intervention.objects.filter(worker__isnull=False).select_related("worker"):
        assert load_of(intervention.worker).units <= 1
    teams = {i.worker.team_id for i in Intervention.objects.filter(worker__isnull=False).select_related("worker")}
    assert any(w.load.units >= 0.8 for team in teams for w in team_workers(team))


def test_demo_visits_lie_inside_their_course(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    assert not Visit.objects.filter(date__lt=F("intervention__start_date")).exists()
    assert not Visit.objects.filter(date__gt=F("intervention__end_date")).exists()
    assert not Visit.objects.filter(date__gt=timezone.localdate()).exists()


def test_demo_gives_the_fidelity_and_outcome_pages_something_to_show(db, settings):
    from interventions import fidelity, outcomes
    from interventions.models import HousingStatus, Pause, SupervisionMeeting
    from interventions.outcome_demo import last_spring
    from interventions.phases import add_months

    settings.DEBUG = True
    call_command("seed_demo")
    today = timezone.localdate()
    assert SupervisionMeeting.objects.filter(kind=SupervisionMeeting.Kind.SUPERVISION).count() >= 3 * 20
    assert set(HousingStatus.objects.values_list("checkpoint", flat=True)) == {"end", "3m", "12m"}
    assert Pause.objects.filter(reason=Pause.Reason.SHELTER, to_date__isnull=False).count() >= 3
    spring = last_spring(today)
    period = fidelity.Period(spring, add_months(spring, 1) - fidelity.ONE_DAY)
    teams = list(Intervention.objects.values_list("citizen__team", flat=True).distinct())
    measurement = fidelity.measure(Intervention.objects.all(), period, team_ids=teams)
    over = [month for month in measurement.months if month.over]
    assert len({month.worker_id for month in over}) == 1  # one worker over the cap last spring
    quarter = fidelity.measure(Intervention.objects.all(), fidelity.quarter_of(today), team_ids=teams).summary()
    assert quarter.transitions_late and quarter.transitions_late < quarter.transitions  # some late, not all
    assert 0 < quarter.supervision_workers_met < quarter.supervision_workers
    year = fidelity.Period(add_months(today, -12), today)
    result = outcomes.measure_outcomes(Intervention.objects.all(), year).total
    assert result.at_end.n and result.after_12.n and result.returns >= 3
    assert result.at_end.own_home > result.at_end.n / 2  # most keep their home
    assert outcomes.due_housing_statuses(Intervention.objects.all())  # some follow-ups are due
