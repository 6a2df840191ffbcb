from django.core.management import call_command
from django.utils import timezone

from citizens.cpr import validate_cpr
from citizens.demo import COUNT
from citizens.models import ActionPlan, Citizen, Consent, Goal
from citizens.selectors import expired_consent_q


def test_seed_demo_adds_its_citizens_once_with_valid_cpr_plans_and_consents(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = [model.objects.count() for model in (Citizen, ActionPlan, Goal, Consent)]
    call_command("seed_demo")
    assert [model.objects.count() for model in (Citizen, ActionPlan, Goal, Consent)] == counts
    # Sixty citizens in support, and the fidelity demo's earlier CTI cohorts, whose courses have ended.
    assert counts[0] >= COUNT
    assert Citizen.objects.filter(status=Citizen.Status.ENDED).count() >= counts[0] - COUNT
    for cpr in Citizen.objects.values_list("cpr", flat=True):
        validate_cpr(cpr)
    assert Citizen.objects.values("team").distinct().count() == 3
    assert Citizen.objects.values("paying_municipality").distinct().count() >= 4
    assert not Citizen.objects.filter(plans__isnull=True).exists()
    assert Goal.objects.values("life_area").distinct().count() == 7
    expired = Consent.objects.filter(expired_consent_q(timezone.localdate())).count()
    assert 3 <= expired < 30
