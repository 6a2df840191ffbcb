"""`manage.py report fidelity|outcomes --from 2026-01-01 --to 2026-06-30 [--team "Team Nord"] --format csv`:
the pages' reports from the shell, for cron; the file goes to --output or standard output."""

import datetime
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from housingfirst.models import Team
from interventions import fidelity, outcomes, report_files
from interventions.models import Intervention


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = "Write the fidelity or outcomes report for a period (all teams, or one) as CSV, XLSX or PDF."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["fidelity", "outcomes"])
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--team", help="the team's name; all teams side by side without it")
        parser.add_argument("--by", choices=sorted(outcomes.GROUPINGS), default="team", help="outcomes per group")
        parser.add_argument("--format", choices=["csv", "xlsx", "pdf"], default="csv")
        parser.add_argument("--output", "-o", help="file to write; standard output when left out")
        parser.add_argument("--language", default="da", help="language of the CSV and XLSX headings (PDF is Danish)")

    def handle(self, *args, report, start, end, team, by, format, output, language, **options):
        period = fidelity.Period(_date(start), _date(end))
        if period.end < period.start:
            raise CommandError("--to is before --from.")
        teams = list(Team.objects.all())
        chosen = None
        if team:
            chosen = next((t for t in teams if t.name.casefold() == team.casefold()), None)
            if chosen is None:
                raise CommandError(f"No team is called {team!r}. Teams: {', '.join(t.name for t in teams)}")
            teams = [chosen]
        interventions = Intervention.objects.filter(citizen__team__in=[t.pk for t in teams])
        with translation.override(language):
            if report == "fidelity":
                made = report_files.fidelity_file(
                    interventions=interventions, period=period, teams=teams, team=chosen, fmt=format
                )
            else:
                made = report_files.outcomes_file(
                    interventions=interventions, period=period, team=chosen, by=by, fmt=format
                )
        if output:
            with open(output, "wb") as handle:
                handle.write(made.content)
            self.stderr.write(f"{made.filename}: {len(made.content)} bytes written to {output}")
        else:
            sys.stdout.buffer.write(made.content)
            sys.stdout.flush()
