"""Move every stored CPR number (citizens and their history) to the newest key in CPR_ENCRYPTION_KEYS."""

import time

from django.core.management.base import BaseCommand

from citizens import crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every CPR number with the first key of CPR_ENCRYPTION_KEYS while the older keys still "
        "decrypt. Safe to rerun. After it reports nothing left on an old key, remove that key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the rows per key and change nothing.")
        parser.add_argument(
            "--rehash",
            action="store_true",
            help="Also recompute the blind index with the first key of CPR_HMAC_KEYS (after changing that key).",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, dry_run, rehash, batch_size, **options):
        current = crypto.current_key_id()
        self.stdout.write(f"Newest key: {current}")
        for table, info in crypto.rotation_state(rehash=rehash).items():
            keys = ", ".join(f"{key_id}: {count}" for key_id, count in info["by_key"].items()) or "no rows"
            self.stdout.write(f"{table}: {keys}; to rewrite: {info['due']}")
        if dry_run:
            self.stdout.write("Dry run: nothing changed.")
            return
        started = time.monotonic()
        done = crypto.rotate_keys(rehash=rehash, batch_size=batch_size)
        seconds = time.monotonic() - started
        for table, count in done.items():
            self.stdout.write(f"{table}: rewrote {count} rows")
        self.stdout.write(self.style.SUCCESS(f"Done in {seconds:.1f} s; every row is on key {current}."))
