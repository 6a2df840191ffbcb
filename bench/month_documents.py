"""The month run's document step against bare WeasyPrint rendering the same pages.

    DATABASE_URL=postgres://…/copy .venv/bin/python bench/month_documents.py [--month 2026-10] [--sample 15]

For a sample of the month's invoices, spread over their sizes (lines), it times what the task worker does
per invoice (`services.render_invoice_pdf`: the template and the PDF service; `ubl.build_ubl` and the Peppol
rules for the XML) and, for the same HTML, bare WeasyPrint with the same stylesheet and nothing reused
(`HTML(string=…).write_pdf(stylesheets=[CSS(filename=…)])`). It prints the totals and the ratio. Read-only.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM (default: the newest invoiced month)")
    parser.add_argument("--sample", type=int, default=15, help="Invoices, spread over their sizes.")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housingfirst.settings")
    import django

    django.setup()
    from django.db.models import Count
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from housingfirst import pdf
    from invoicing import peppol, services, ubl
    from invoicing.models import Invoice

    issued = Invoice.objects.exclude(number="").filter(kind="invoice")
    month = (
        datetime.date.fromisoformat(f"{args.month}-01")
        if args.month
        else issued.order_by("-month").values_list("month", flat=True).first()
    )
    invoices = list(issued.filter(month=month).annotate(n=Count("lines")).order_by("n", "pk").defer("pdf", "xml"))
    if not invoices:
        raise SystemExit("No invoices: run seed_scale.")
    step = max(len(invoices) // args.sample, 1)
    sample = invoices[::step][: args.sample]
    if invoices[-1] not in sample:
        sample[-1] = invoices[-1]  # the largest municipality is the one that takes the time
    stylesheet = str(pdf._static_path(pdf.STYLESHEET))
    service = bare = xml = template = 0.0
    pages = lines = 0
    services.render_invoice_pdf(sample[0])  # warm: fonts, the stylesheet, the template
    for invoice in sample:
        invoice = Invoice.objects.select_related("credits", "municipality").prefetch_related("lines").get(pk=invoice.pk)
        started = time.perf_counter()
        rendered = services.render_invoice_pdf(invoice)
        service += time.perf_counter() - started
        started = time.perf_counter()
        document = ubl.build_ubl(invoice)
        peppol.peppol_errors(document)
        xml += time.perf_counter() - started
        started = time.perf_counter()
        html = pdf.render_html(
            "invoicing/pdf/invoice.html",
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),
                "total_minutes": sum(line.minutes for line in invoice.lines.all()),
                "total_days": sum(line.days for line in invoice.lines.all()),
                "seller": invoice.seller,
                "exemption_reason": ubl.EXEMPTION_REASON,
            },
            title=f"Faktura {invoice.number}",
        )
        template += time.perf_counter() - started
        started = time.perf_counter()
        font_config = FontConfiguration()
        HTML(string=html, base_url=pdf._base_url()).write_pdf(
            stylesheets=[CSS(filename=stylesheet, font_config=font_config)], font_config=font_config
        )
        bare += time.perf_counter() - started
        pages += rendered.pages
        lines += len(invoice.lines.all())
    print(f"{month:%m.%Y}: {len(sample)} of {len(invoices)} invoices, {lines} lines, {pages} pages")
    print()
    print("| step | s | per page ms | ratio to bare WeasyPrint |")
    print("|---|---:|---:|---:|")
    print(f"| PDF service (template + PDF) | {service:.1f} | {service / pages * 1000:.0f} | {service / bare:.2f} |")
    print(f"| of which the Django template | {template:.1f} | {template / pages * 1000:.0f} | |")
    print(f"| bare WeasyPrint, same HTML + CSS | {bare:.1f} | {bare / pages * 1000:.0f} | 1.00 |")
    print(f"| XML + Peppol rules | {xml:.1f} | {xml / pages * 1000:.0f} | |")
    print(f"| document step (PDF + XML) | {service + xml:.1f} | | {(service + xml) / bare:.2f} |")


if __name__ == "__main__":
    main()
