import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from housingfirst.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TWO_FACTOR, seed_core
from housingfirst.twofactor import DEMO_TOTP_KEY

# Each app adds its own demo data in `<app>/demo.py: seed(context, stdout)`, in this order.
APP_SEEDS = ["citizens", "interventions", "agreements", "invoicing", "workshops"]


class Command(BaseCommand):
    help = "Builds a believable demo provider with staff, citizens, visits, agreements and invoices."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed even with DEBUG off (never on a production database)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with the password 'demo'; it runs only with DEBUG=true "
                "(or --force on a database that is not production)."
            )
        with transaction.atomic():
            context = seed_core(stdout=self.stdout)
            for app in APP_SEEDS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as error:
                    if error.name != f"{app}.demo":
                        raise
                    continue
                module.seed(context, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. Logins (password: {DEMO_PASSWORD}):"))
        for username, role in DEMO_LOGINS:
            second = "  + code: manage.py demo_code " + username if username in DEMO_TWO_FACTOR else ""
            self.stdout.write(f"  {username:<16} {role}{second}")
        self.stdout.write(
            f"The two-factor demo key of {' and '.join(DEMO_TWO_FACTOR)} (add it to an authenticator app, "
            f"time-based): {DEMO_TOTP_KEY}"
        )
