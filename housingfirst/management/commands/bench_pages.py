import logging
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django_otp import DEVICE_ID_SESSION_KEY

ANCHOR = "/__bench__/anchor/"


def pages(admin, lead, worker) -> list[tuple[str, str, object, str]]:
    """(page, role, user, path): the main pages of each role."""
    from invoicing.models import Invoice

    invoice = Invoice.objects.order_by("-month", "-pk").first()
    month = f"?month={invoice.month:%Y-%m}" if invoice else ""
    rows = [
        ("overview", "administrator", admin, "/"),
        ("citizen list, page 50", "administrator", admin, "/borgere/?page=50"),
        ("visit list", "administrator", admin, "/indsatser/besoeg/"),
        ("invoicing month", "administrator", admin, "/fakturering/"),
        ("invoicing month, issued", "administrator", admin, f"/fakturering/{month}"),
        ("invoice list", "administrator", admin, "/fakturering/fakturaer/"),
        ("hours statement", "administrator", admin, f"/fakturering/timeopgoerelse/{month}"),
        ("agreements", "administrator", admin, "/aftaler/"),
        ("tasks", "administrator", admin, "/opgaver/"),
        ("method fidelity, all teams", "administrator", admin, "/indsatser/troskab/"),
        ("outcomes, all teams", "administrator", admin, "/indsatser/resultater/"),
        ("overview", "team lead", lead, "/"),
        ("capacity board", "team lead", lead, "/indsatser/kapacitet/"),
        ("warnings", "team lead", lead, "/indsatser/advarsler/"),
        ("method fidelity", "team lead", lead, "/indsatser/troskab/"),
        ("outcomes", "team lead", lead, "/indsatser/resultater/"),
        ("citizen list", "team lead", lead, "/borgere/"),
        ("overview", "support worker", worker, "/"),
        ("my citizens", "support worker", worker, "/indsatser/mine-borgere/"),
        ("visit list", "support worker", worker, "/indsatser/besoeg/"),
        ("new visit", "support worker", worker, "/indsatser/besoeg/ny/"),
    ]
    if invoice:
        rows.insert(5, ("invoice detail", "administrator", admin, f"/fakturering/fakturaer/{invoice.pk}/"))
    return rows


class Command(BaseCommand):
    help = (
        "Times every main page for each role server-side (median of warm samples, interleaved with a bare "
        "anchor view rendering 50 rows from one query), counts queries, and prints one table. Run it on the "
        "data of seed_scale; it changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=15, help="Warm samples per page (default 15).")
        parser.add_argument("--only", default="", help="Only pages whose name contains this.")

    def handle(self, *args, samples=15, only="", **options):
        from housingfirst import roles, twofactor
        from housingfirst.models import User

        admin = User.objects.filter(groups__name=roles.ADMINISTRATOR, is_active=True).order_by("pk").first()
        lead = User.objects.filter(groups__name=roles.TEAM_LEAD, is_active=True).order_by("pk").first()
        worker = (
            User.objects.filter(groups__name=roles.SUPPORT_WORKER, is_active=True)
            .annotate(n=Count("caseload"))
            .order_by("-n", "pk")
            .first()
        )
        if not (admin and lead and worker):
            raise CommandError("No administrator, team lead and support worker: run seed_scale (or seed_demo) first.")
        if lead.team_id != worker.team_id:
            lead = User.objects.filter(groups__name=roles.TEAM_LEAD, team=worker.team_id).first() or lead
        rows = [row for row in pages(admin, lead, worker) if only in row[0]]
        # The request log line of every sample would drown the table.
        logging.getLogger("housingfirst.requests").setLevel(logging.WARNING)
        with override_settings(ROOT_URLCONF="housingfirst.bench", ALLOWED_HOSTS=["testserver"], DEBUG=False):
            clients = {}
            for user in (admin, lead, worker):
                clients[user.pk] = Client()
                clients[user.pk].force_login(user)
                if twofactor.needs_code(user):
                    # Timed as a user signed in with the second factor (its device lookup is part of every page).
                    device = twofactor.bench_device(user)
                    session = clients[user.pk].session
                    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
                    session.save()
            anchor_client = clients[admin.pk]
            results = self._measure(rows, clients, anchor_client, samples)
        self._print(results, samples)

    def _measure(self, rows, clients, anchor_client, samples):
        def once(client, url):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}")
            return elapsed, len(queries)

        # Warm every page (templates compiled, caches filled) before any sample counts. A page this
        # provider does not have (the hours statement is for a municipality's own team) is left out.
        once(anchor_client, ANCHOR)
        kept = []
        for row in rows:
            try:
                once(clients[row[2].pk], row[3])
            except CommandError as error:
                self.stdout.write(f"Left out: {row[0]} ({row[1]}): {error}")
            else:
                kept.append(row)
        rows[:] = kept
        anchors, times, queries = [], {i: [] for i in range(len(rows))}, {}
        for _ in range(samples):
            for i, (_page, _role, user, url) in enumerate(rows):
                # Interleaved: a load change on the machine moves the anchor and the page together.
                anchors.append(once(anchor_client, ANCHOR)[0])
                elapsed, count = once(clients[user.pk], url)
                times[i].append(elapsed)
                queries[i] = count
        anchor_ms = statistics.median(anchors) * 1000
        return anchor_ms, [
            (page, role, statistics.median(times[i]) * 1000, queries[i])
            for i, (page, role, _user, _url) in enumerate(rows)
        ]

    def _print(self, results, samples):
        anchor_ms, rows = results
        self.stdout.write(f"Anchor (bare view, 50 rows, 1 query): {anchor_ms:.1f} ms, median of {samples} samples.")
        self.stdout.write("")
        self.stdout.write("| page | role | ms | ratio | queries |")
        self.stdout.write("|---|---|---:|---:|---:|")
        for page, role, ms, count in rows:
            self.stdout.write(f"| {page} | {role} | {ms:,.0f} | {ms / anchor_ms:,.1f}× | {count} |")
