"""How long one agreement takes to render in a warm process, against WeasyPrint with no reuse.

Not a timed test: run with `pytest tests/agreements/test_pdf_benchmark.py -m benchmark -s`.
"""

import statistics
import time

import pytest
from weasyprint import CSS, HTML
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.fonts import FontConfiguration

from agreements import services
from agreements.documents import AGREEMENT_TEMPLATE, agreement_context, agreement_title
from housingfirst import pdf

ROUNDS = 25


def timings_ms(function, rounds=ROUNDS) -> tuple[float, float]:
    """(median wall time, median CPU time) of warm runs. CPU time is what this process spent, so it
    moves less than wall time when other processes share the machine."""
    function()  # warm
    wall, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


@pytest.mark.benchmark
@pytest.mark.django_db
def test_agreement_render_benchmark(intervention, administrator, monkeypatch):
    agreement = services.create_draft(intervention=intervention, user=administrator)
    context = agreement_context(agreement)
    title = agreement_title(agreement)
    html = pdf.render_html(AGREEMENT_TEMPLATE, context, title=title)
    css_text = pdf._static_path(pdf.STYLESHEET).read_text(encoding="utf-8")
    css_text = css_text.replace("{FONTS}", pdf._static_path("fonts/DejaVuSans.ttf").parent.as_uri())
    base_url = pdf._base_url()

    def service():
        pdf.render_pdf(AGREEMENT_TEMPLATE, context, title=title)

    def html_only():
        pdf.html_to_pdf(html)

    def bare_with_css():
        # What a render costs with nothing reused: new font configuration, stylesheet parsed again.
        font_config = FontConfiguration()
        HTML(string=html, base_url=base_url).write_pdf(
            stylesheets=[CSS(string=css_text, font_config=font_config)], font_config=font_config
        )

    def bare():
        HTML(string=html, base_url=base_url).write_pdf()

    def template_only():
        pdf.render_html(AGREEMENT_TEMPLATE, context, title=title)

    pages = pdf.render_pdf(AGREEMENT_TEMPLATE, context, title=title).pages
    results = {
        "render_pdf (template + PDF, warm)": timings_ms(service),
        "  of which the Django template": timings_ms(template_only),
        "html_to_pdf (same HTML, warm)": timings_ms(html_only),
        "bare WeasyPrint, same HTML + CSS, nothing reused": timings_ms(bare_with_css),
        "bare WeasyPrint, same HTML, no stylesheet": timings_ms(bare),
    }
    # The same service without HarfBuzz's subsetter: WeasyPrint falls back to fontTools.
    monkeypatch.setattr(weasyprint_fonts, "harfbuzz_subset", None)
    results["html_to_pdf, fontTools subsetting (no HarfBuzz)"] = timings_ms(html_only)
    print(f"\nAgreement PDF ({pages} pages), median of {ROUNDS} warm renders:     wall        CPU")
    for name, (wall, cpu) in results.items():
        print(f"  {name:<52} {wall:7.1f} ms {cpu:7.1f} ms")
