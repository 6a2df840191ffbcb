import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from housingfirst.twofactor import current_code


class Command(BaseCommand):
    help = "Prints the current two-factor code of a demo user (admin, teamleder). Only with DEBUG=true."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code prints sign-in codes; it runs only with DEBUG=true (the demo).")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True, name="Demo").first()
        if device is None:
            raise CommandError(f"{username!r} has no demo authenticator (seed_demo gives one to admin and teamleder).")
        left = device.step - int(time.time() - device.t0) % device.step
        self.stdout.write(f"{current_code(device)}  (code for {username}, valid for {left} s more)")
