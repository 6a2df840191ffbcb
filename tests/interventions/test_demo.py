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
