from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from housingfirst import twofactor


class Command(BaseCommand):
    help = (
        "Removes a user's authenticator app and recovery codes (a lost phone, or the last administrator locked "
        "out). At the next login a user whose role requires it sets up the app again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be removed; remove nothing.")

    def handle(self, *args, username, dry_run=False, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        if dry_run:
            state = "has" if twofactor.has_second_factor(user) else "has no"
            self.stdout.write(f"{username} {state} second factor; nothing removed (dry run).")
            return
        removed = twofactor.reset_second_factor(user=user, by=None)
        self.stdout.write(f"Removed {removed} second-factor record(s) of {username}.")
