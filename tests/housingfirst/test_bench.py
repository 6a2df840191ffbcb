"""The benchmark harness runs on a small country and prints its table (times are printed, never asserted)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_bench_pages_prints_one_row_per_page_and_role(settings, capsys):
    settings.DEBUG = True
    call_command("seed_scale", citizens=40, visits=400, months=3, teams=1, workers_per_team=4)
    capsys.readouterr()

    call_command("bench_pages", samples=1)

    out = capsys.readouterr().out
    print(out)  # the figures, for the CI log
    assert "Anchor (bare view, 50 rows, 1 query)" in out
    assert "| page | role | ms | ratio | queries |" in out
    for row in ("| overview | administrator |", "| capacity board | team lead |", "| visit list | support worker |"):
        assert row in out
    assert "| invoice detail | administrator |" in out
