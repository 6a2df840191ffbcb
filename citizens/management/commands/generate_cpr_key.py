"""Print a new random key for CPR_ENCRYPTION_KEYS or CPR_HMAC_KEYS (README, "CPR keys")."""

from django.core.management.base import BaseCommand

from citizens.crypto import generate_key


class Command(BaseCommand):
    help = "Print a new 32-byte key as id:base64key; put it first in CPR_ENCRYPTION_KEYS (or CPR_HMAC_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("key_id", help="A short name for the key, e.g. 2026b; stored beside each value.")

    def handle(self, *args, key_id, **options):
        self.stdout.write(f"{key_id}:{generate_key()}")
