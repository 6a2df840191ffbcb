from django.core.management.base import BaseCommand

from interventions import services


class Command(BaseCommand):
    help = (
        "Make every planned intervention whose start date has come active. "
        "Run it daily, e.g. from cron just after midnight; running it twice changes nothing."
    )

    def handle(self, *args, **options):
        started = services.start_planned_interventions()
        self.stdout.write(f"{started} planlagte indsatser er startet.")
