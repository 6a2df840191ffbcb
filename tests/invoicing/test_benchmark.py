"""Time to issue a month for 98 municipalities and 1,000 citizens (PDF + XML), in one process and over all cores.

Run: DATABASE_URL=postgres://... pytest tests/invoicing/test_benchmark.py -m benchmark -s
Prints figures; asserts only that the work was done.
"""

import cProfile
import datetime
import io
import os
import pstats
import random
import time

import pytest
from django.db import connection

from citizens.models import Citizen
from housingfirst.demo import ean_with_check_digit
from housingfirst.models import Municipality, MunicipalityEAN
from interventions.models import Intervention, Visit
from invoicing import peppol, services, ubl
from invoicing.models import Invoice
from tests.factories import ProviderFactory, TeamFactory, WorkerFactory, fictional_cpr, last_month

pytestmark = [
    pytest.mark.benchmark,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a shared database"),
]

CITIZENS = 1000
VISITS_PER_CITIZEN = 8


def build(months):
    rng = random.Random(98)
    team = TeamFactory()
    worker = WorkerFactory(team=team)
    municipalities = list(Municipality.objects.order_by("code"))
    MunicipalityEAN.objects.bulk_create(
        MunicipalityEAN(municipality=m, ean=ean_with_check_digit(f"5790{int(m.code):08d}"), is_default=True)
        for m in municipalities
    )
    citizens = Citizen.objects.bulk_create(
        Citizen(
            first_name=f"Borger{n}",
            last_name=rng.choice(["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen"]),
            cpr=fictional_cpr(n + 5000),
            paying_municipality=municipalities[n % len(municipalities)],
            acting_municipality=municipalities[n % len(municipalities)],
            team=team,
        )
        for n in range(CITIZENS)
    )
    start = months[0] - datetime.timedelta(days=10)
    interventions = Intervention.objects.bulk_create(
        Intervention(citizen=c, method=rng.choice(["CTI", "ICM"]), worker=worker, start_date=start, status="active")
        for c in citizens
    )
    visits = []
    for month in months:
        for intervention in interventions:
            for _ in range(VISITS_PER_CITIZEN):
                visits.append(
                    Visit(
                        intervention=intervention,
                        worker=worker,
                        date=month + datetime.timedelta(days=rng.randrange(0, 28)),
                        start_time=datetime.time(10, 0),
                        duration_minutes=rng.choice([17, 30, 45, 60, 90]),
                    )
                )
    Visit.objects.bulk_create(visits, batch_size=5000)
    return len(municipalities)


def test_issue_a_month_for_98_municipalities():
    ProviderFactory(iban="DK5080650001234567")
    sequential_month = last_month()
    parallel_month = last_month(sequential_month)
    count = build([parallel_month, sequential_month])
    cores = os.cpu_count() or 1
    visits = CITIZENS * VISITS_PER_CITIZEN
    print(f"\n{count} municipalities, {CITIZENS} citizens, {visits} visits per month, {cores} cores")

    print(f"load average before: {os.getloadavg()[0]:.1f} (other work on the machine inflates wall time)")

    # One process, with the time split by kind of work.
    cpu_started = time.process_time()
    started = time.perf_counter()
    issued = services.issue_month(month=sequential_month)
    db_issue = time.perf_counter() - started
    timings = {"db: load + save": 0.0, "xml: build + Peppol check": 0.0, "pdf: render": 0.0}
    for invoice in issued:
        t0 = time.perf_counter()
        full = Invoice.objects.select_related("credits").prefetch_related("lines").get(pk=invoice.pk)
        t1 = time.perf_counter()
        xml = ubl.build_ubl(full)
        assert peppol.peppol_errors(xml) == []
        t2 = time.perf_counter()
        pdf = services.render_invoice_pdf(full)
        t3 = time.perf_counter()
        Invoice.objects.filter(pk=full.pk).update(
            pdf=pdf.content, pdf_sha256=pdf.sha256, pages=pdf.pages, xml=xml, xml_sha256="x" * 64
        )
        t4 = time.perf_counter()
        timings["db: load + save"] += (t1 - t0) + (t4 - t3)
        timings["xml: build + Peppol check"] += t2 - t1
        timings["pdf: render"] += t3 - t2
    one_process = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"one process: {one_process:.1f} s wall, {cpu:.1f} s CPU for {len(issued)} invoices "
        f"({one_process / len(issued) * 1000:.0f} ms wall, {cpu / len(issued) * 1000:.0f} ms CPU each)"
    )
    print(f"  issue (numbers, lines, locks; one transaction): {db_issue:.2f} s")
    for name, seconds in timings.items():
        print(f"  {name}: {seconds:.2f} s ({seconds / one_process:.0%})")

    # The same work for the other month, documents spread over a process pool of all cores.
    before = os.times()
    started = time.perf_counter()
    issued_parallel = services.issue_month(month=parallel_month)
    services.store_documents_in_parallel([i.pk for i in issued_parallel], workers=cores)
    parallel = time.perf_counter() - started
    after = os.times()
    workers_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    print(f"  CPU in the worker processes: {workers_cpu:.1f} s; load average now {os.getloadavg()[0]:.1f}")
    speed_up = one_process / parallel
    print(f"{cores} processes: {parallel:.1f} s for {len(issued_parallel)} invoices (speed-up {speed_up:.2f}×)")

    # Where the time goes inside one invoice's PDF and XML (10 invoices, cProfile).
    profiler = cProfile.Profile()
    sample = list(Invoice.objects.filter(month=sequential_month).order_by("pk")[:10])
    profiler.enable()
    for invoice in sample:
        full = Invoice.objects.select_related("credits").prefetch_related("lines").get(pk=invoice.pk)
        ubl.build_ubl(full)
        services.render_invoice_pdf(full)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print("profile of 10 invoices, by own time:")
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:3000])

    assert len(issued) == len(issued_parallel) == count
    assert not Invoice.objects.filter(month=parallel_month, pdf_sha256="").exists()
