"""The shared PDF service: header on every page, page numbers, metadata, Danish formats, no network."""

import io
import threading

import pytest
from django.template import engines
from django.utils import translation
from pypdf import PdfReader

from housingfirst import pdf

pytestmark = pytest.mark.django_db

LONG = """{% extends "pdf/base.html" %}{% block content %}<h1>Prøvedokument</h1>
{% for i in rows %}<p>Afsnit {{ i }}: {{ amount|kr }} den {{ day|dkdate }}.</p>{% endfor %}{% endblock %}"""


@pytest.fixture
def template_name(settings, tmp_path):
    (tmp_path / "pdf_test").mkdir()
    (tmp_path / "pdf_test" / "long.html").write_text(LONG, encoding="utf-8")
    (tmp_path / "pdf_test" / "remote.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<img src="http://example.com/x.png">{% endblock %}',
        encoding="utf-8",
    )
    (tmp_path / "pdf_test" / "hours.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<p>Timer: {{ minutes|hours }}</p>{% endblock %}',
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    engines._templates = None
    engines.__dict__.pop("templates", None)
    yield "pdf_test/long.html"
    engines.__dict__.pop("templates", None)


def render(template_name, rows=120):
    import datetime
    from decimal import Decimal

    context = {"rows": range(rows), "amount": Decimal("1234.5"), "day": datetime.date(2026, 11, 23)}
    return pdf.render_pdf(template_name, context, title="Prøve", author="Tester")


def test_every_page_has_the_provider_header_and_page_numbers(provider, template_name):
    rendered = render(template_name)
    reader = PdfReader(io.BytesIO(rendered.content))
    assert rendered.pages == len(reader.pages) >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "Forsorgshjemmet Solbakken" in text
        assert f"CVR {provider.cvr}" in text and f"EAN {provider.ean}" in text
        assert f"side {number} af {rendered.pages}" in text
    assert "1.234,50 kr." in reader.pages[0].extract_text()
    assert "23.11.2026" in reader.pages[0].extract_text()


def test_metadata_and_hash(provider, template_name):
    rendered = render(template_name, rows=3)
    info = PdfReader(io.BytesIO(rendered.content)).metadata
    assert info.title == "Prøve"
    assert info.author == "Tester"
    assert info.creation_date is not None
    assert rendered.sha256 == pdf.sha256_of(rendered.content)


def test_a_template_cannot_reach_the_network(provider, template_name):
    with pytest.raises(pdf.PdfResourceError, match="http://example.com/x.png"):
        pdf.render_pdf("pdf_test/remote.html", {}, title="x")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "file:///{media}/agreements/other-citizen.pdf"])
def test_a_template_cannot_read_files_outside_the_static_folder(provider, template_name, settings, tmp_path, url):
    url = url.format(media=str(settings.MEDIA_ROOT).lstrip("/"))
    (tmp_path / "pdf_test" / "file.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}<img src="' + url + '">{% endblock %}', encoding="utf-8"
    )
    with pytest.raises(pdf.PdfResourceError, match="not one of the app's static files"):
        pdf.render_pdf("pdf_test/file.html", {}, title="x")


def test_the_static_fonts_are_still_embedded(provider, template_name):
    fonts = {
        font.get("/BaseFont")
        for page in PdfReader(io.BytesIO(render(template_name, rows=1).content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu-Sans" in str(name) for name in fonts)


def test_renders_in_parallel_threads(provider, template_name):
    results, errors = [], []
    html = pdf.render_html(template_name, {"rows": range(5)}, title="Tråde")

    def work():
        try:
            results.append(pdf.html_to_pdf(html).pages)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and results == [1, 1, 1]


def test_a_document_says_hours_in_danish_while_the_page_is_english(provider, template_name):
    with translation.override("en"):
        assert "12,75 h" in engines["django"].from_string("{{ m|hours }}").render({"m": 765})
        rendered = pdf.render_pdf("pdf_test/hours.html", {"minutes": 765}, title="Timer")
    assert "Timer: 12,75 t" in PdfReader(io.BytesIO(rendered.content)).pages[0].extract_text()
