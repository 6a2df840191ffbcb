"""Visit POST throughput under gunicorn against a bare one-INSERT view under the same gunicorn.

    DATABASE_URL=postgres://…/copy_of_the_country .venv/bin/python bench/visit_post.py \
        [--clients 20] [--gunicorn-workers 2] [--seconds 20] [--rounds 2] [--port 8790]

It starts gunicorn (`--workers 2`, DEBUG off, the app's settings plus the bench URLs: bench/settings.py) on
the database, signs in `--clients` support workers (a session each, made in the database as a login
would), and has each client log visits with its own citizens through the real form
(`/indsatser/besoeg/ny/`: permission, form, `services.log_visit` with its locks and checks, the history
row, the redirect) as fast as the server answers. Then the same clients POST to a bare view doing one
INSERT (`housingfirst.bench.bare_insert`) under the same gunicorn. The two alternate for `--rounds` rounds.

It prints requests per second, median and 95th percentile latency, refusals, the ratio of the two, and
the queries of one visit POST (counted in this process). The visits it logs are deleted at the end.
"""

import argparse
import datetime
import http.client
import os
import secrets
import signal
import statistics
import string
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "bench/visit_post.py"
SLOT_MINUTES = 5
# Night slots (00:00-05:55) on the last three days: the seeded visits lie in the working day.
SLOTS_PER_DAY = 72


def delete_benchmark_visits() -> int:
    """Delete the visits this script logged. A queryset delete sends post_delete for each visit, so the
    stored month sums the month page reads are taken down with them (invoicing.signals)."""
    from interventions.models import Visit

    _total, per_model = Visit.objects.filter(note=MARK).delete()
    return per_model.get(Visit._meta.label, 0)


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def sign_in(user) -> str:
    """A session for `user`, as `django.contrib.auth.login` writes it."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def pick_clients(count: int):
    """(worker, intervention) pairs: different workers, each with an open course started a week ago or more."""
    from django.utils import timezone

    from interventions.models import Intervention

    today = timezone.localdate()
    chosen, workers = [], set()
    courses = (
        Intervention.objects.filter(
            status=Intervention.Status.ACTIVE,
            worker__isnull=False,
            worker__is_active=True,
            start_date__lte=today - datetime.timedelta(days=7),
            end_date__isnull=True,
        )
        .select_related("worker")
        .order_by("pk")
    )
    for course in courses.iterator():
        if course.worker_id not in workers:
            workers.add(course.worker_id)
            chosen.append((course.worker, course))
            if len(chosen) == count:
                break
    if len(chosen) < count:
        raise SystemExit(f"Only {len(chosen)} workers with an open course: run seed_scale.")
    return chosen


class Client(threading.Thread):
    def __init__(self, *, port, path, client, until, results, start):
        super().__init__(daemon=True)
        self.port, self.path, self.client, self.until = port, path, client, until
        self.cookie, self.form = client["cookie"], client["form"]
        self.results, self.start_barrier = results, start

    def run(self):
        self.start_barrier.wait()
        # Each client's slots continue from round to round, so no visit overlaps an earlier one.
        slot = self.client.get("slot", 0)
        while time.perf_counter() < self.until:
            body = urllib.parse.urlencode(self.form(slot)).encode()
            slot += 1
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                connection.request("POST", self.path, body=body, headers=self.cookie)
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                connection.close()
            self.results.append((time.perf_counter() - started, status))
        self.client["slot"] = slot


def run_load(port, path, clients, seconds, expected):
    results, start = [], threading.Barrier(len(clients) + 1)
    until = time.perf_counter() + seconds + 0.5
    threads = [Client(port=port, path=path, client=c, until=until, results=results, start=start) for c in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    ok = [t for t, status in results if status == expected]
    return {"n": len(ok), "refused": len(results) - len(ok), "seconds": elapsed, "latencies": ok}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20, help="Per endpoint and round.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()

    if not os.environ.get("CPR_ENCRYPTION_KEYS"):
        # gunicorn runs with DEBUG off, which wants the keys in the environment; a country seeded with
        # DEBUG on was sealed with the development keys, so hand those on.
        sys.path.insert(0, str(ROOT))
        from housingfirst.config import development_cpr_keys

        encryption, hmac = development_cpr_keys(ROOT / ".cpr-dev-keys.json")
        os.environ.update(CPR_ENCRYPTION_KEYS=",".join(encryption), CPR_HMAC_KEYS=",".join(hmac))
    os.environ.update(DEBUG="false", SECURE_SSL_REDIRECT="false", ALLOWED_HOSTS="127.0.0.1,testserver")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    os.environ.setdefault("TASK_BACKEND", "database")
    setup_django()
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from housingfirst.bench import BARE_TABLE
    from interventions.models import Visit

    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL copy of the country.")
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {BARE_TABLE} (id bigserial PRIMARY KEY, at timestamptz, body text)")
    delete_benchmark_visits()
    today = timezone.localdate()

    def visit_form(course):
        def form(slot):
            day, index = divmod(slot % (3 * SLOTS_PER_DAY), SLOTS_PER_DAY)
            minutes = index * SLOT_MINUTES
            return {
                "intervention": course.pk,
                "date": (today - datetime.timedelta(days=day)).isoformat(),
                "start_time": f"{minutes // 60:02d}:{minutes % 60:02d}",
                "duration_minutes": SLOT_MINUTES - 1,
                "kind": Visit.Kind.PHONE,
                "note": MARK,
                "billable": "on",
            }

        return form

    pairs = pick_clients(args.clients)
    # The queries of one visit POST, counted in this process through the same stack.
    worker, course = pairs[0]
    probe = TestClient(headers={"X-Forwarded-Proto": "https"})
    probe.force_login(worker)
    probe_form = visit_form(course)(3 * SLOTS_PER_DAY - 1)
    with CaptureQueriesContext(connection) as queries:
        answer = probe.post("/indsatser/besoeg/ny/", probe_form, headers={"Origin": "https://testserver"})
    if answer.status_code != 302:
        raise SystemExit(f"The probe visit was refused ({answer.status_code}): is the night free on {today}?")
    visit_queries = len(queries)
    delete_benchmark_visits()

    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    origin = f"https://127.0.0.1:{args.port}"
    visit_clients, bare_clients = [], []
    for worker, course in pairs:
        headers = {
            "Cookie": f"sessionid={sign_in(worker)}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        visit_clients.append({"cookie": headers, "form": visit_form(course)})
        bare_clients.append({"cookie": {"Content-Type": headers["Content-Type"]}, "form": lambda slot: {"note": MARK}})
    connection.close()

    gunicorn = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "housingfirst.wsgi", "--workers", str(args.gunicorn_workers)]
        + ["--bind", f"127.0.0.1:{args.port}", "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "LOG_LEVEL": "WARNING"},
    )
    try:
        for _ in range(100):
            try:
                probe_connection = http.client.HTTPConnection("127.0.0.1", args.port, timeout=5)
                probe_connection.request("GET", "/health/", headers={"X-Forwarded-Proto": "https"})
                if probe_connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit("gunicorn did not answer /health/")
        totals = {"visit": [], "bare": []}
        for _round in range(args.rounds):
            visit = run_load(args.port, "/indsatser/besoeg/ny/", visit_clients, args.seconds, expected=302)
            bare = run_load(args.port, "/__bench__/insert/", bare_clients, args.seconds, expected=200)
            totals["visit"].append(visit)
            totals["bare"].append(bare)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    print(f"gunicorn --workers {args.gunicorn_workers}, {args.clients} clients, {args.rounds} x {args.seconds:.0f} s")
    print()
    print("| endpoint | requests/s | median ms | p95 ms | refused | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    rates = {}
    for name, label, count in (
        ("visit", "visit POST (/indsatser/besoeg/ny/)", visit_queries),
        ("bare", "bare view, one INSERT", 1),
    ):
        runs = totals[name]
        done = sum(run["n"] for run in runs)
        rate = done / sum(run["seconds"] for run in runs)
        latencies = sorted(t for run in runs for t in run["latencies"])
        rates[name] = rate
        median = statistics.median(latencies) * 1000 if latencies else 0
        p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0
        refused = sum(run["refused"] for run in runs)
        print(f"| {label} | {rate:.1f} | {median:.0f} | {p95:.0f} | {refused} | {count} |")
    print()
    print(f"Visit POST / bare INSERT: {rates['visit'] / rates['bare']:.2f}")
    deleted = delete_benchmark_visits()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {BARE_TABLE}")
    print(f"({deleted} benchmark visits deleted)")


if __name__ == "__main__":
    main()
