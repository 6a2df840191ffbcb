import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from housingfirst import scale


class Command(BaseCommand):
    help = (
        "Builds a national data set for measuring the app (defaults: 78 teams, 1,016 users, 12,000 citizens, "
        "about 994,000 visits over 24 months, the ended months invoiced) on an empty database."
    )

    def add_arguments(self, parser):
        defaults = scale.Plan()
        parser.add_argument("--citizens", type=int, default=defaults.citizens)
        parser.add_argument("--visits", type=int, default=defaults.visits, help="About this many visits.")
        parser.add_argument("--months", type=int, default=defaults.months, help="Months of visits, this one included.")
        parser.add_argument("--teams", type=int, default=defaults.teams)
        parser.add_argument("--workers-per-team", type=int, default=defaults.workers_per_team)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (never on a production database)."
        )

    def handle(self, *args, force=False, **options):
        from citizens.models import Citizen

        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_scale runs only with DEBUG=true (or --force on a database that is not production)."
            )
        if Citizen.objects.exists():
            raise CommandError("seed_scale builds a country on an empty database; this one already has citizens.")
        if options["months"] < 3:
            raise CommandError("--months must be at least 3: two ended months to invoice and this one.")
        plan = scale.Plan(
            citizens=options["citizens"],
            visits=options["visits"],
            months=options["months"],
            teams=options["teams"],
            workers_per_team=options["workers_per_team"],
            seed=options["seed"],
        )
        started = time.perf_counter()
        made = scale.seed(plan, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"A country in {time.perf_counter() - started:.0f} s: {made.users} users, {made.citizens} citizens, "
                f"{made.courses} courses, {made.visits} visits, {made.invoices} invoices with "
                f"{made.invoice_lines} lines over {len(made.months_invoiced)} months."
            )
        )
