from django.core.management import call_command

from housingfirst.models import Team, User


def test_seed_demo_twice_builds_the_demo_once(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Team.objects.count(), User.objects.count())
    call_command("seed_demo")
    assert (Team.objects.count(), User.objects.count()) == counts
    assert counts[0] == 3
    assert User.objects.get(username="admin").is_administrator
    assert User.objects.get(username="teamleder").is_team_lead
    assert User.objects.get(username="medarbejder").check_password("demo")


def test_seed_demo_refuses_production(db, settings):
    import pytest
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")
