"""The one PDF service: a Django template in, PDF bytes out (WeasyPrint, A4).

Every document gets the provider's name, address, CVR and EAN in a header on every page, page
numbers "side 1 af 2" and PDF metadata (title, author, created). Fonts are shipped in `static/fonts`
and nothing is fetched from outside, so the output is the same on every machine.

Agreements and invoices call `render_pdf`; this module knows nothing of them.

What is reused between renders (WeasyPrint allows it): the parsed stylesheet, the font configuration
with its loaded @font-face fonts, the URL fetcher and the image cache, once per thread. Layout and the
font subsets are per document and cannot be reused. Measured on the 3-page agreement
(`pytest tests/agreements/test_pdf_benchmark.py -m benchmark -s`, median CPU time, warm process):
about 200 ms here against about 300 ms for WeasyPrint given the same HTML and CSS with nothing
reused; without HarfBuzz's subsetter (libharfbuzz-subset0) WeasyPrint falls back to fontTools and
the same render takes about 550 ms.
"""

import hashlib
import logging
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import CSS, HTML
from weasyprint.text.ffi import harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from housingfirst.models import Provider

STYLESHEET = "pdf/document.css"

logger = logging.getLogger(__name__)

if harfbuzz_subset is None:  # pragma: no cover - depends on the machine
    logger.warning("libharfbuzz-subset0 is not installed: WeasyPrint falls back to fontTools and PDFs render slower.")


class PdfResourceError(RuntimeError):
    """A template asked for a resource that is not local (or missing)."""


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str
    pages: int


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _static_path(name: str) -> Path:
    found = finders.find(name)
    if not found:
        raise FileNotFoundError(f"static file {name} is missing")
    return Path(found)


def _static_roots() -> list[Path]:
    return [Path(root).resolve() for root in [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]]


class StaticOnlyFetcher(URLFetcher):
    """Documents hold personal data: a template can never make WeasyPrint reach the network, nor read a
    file outside the app's static files (another citizen's PDF in MEDIA_ROOT, /etc/passwd). Refusals
    are fatal, so a forbidden reference stops the render instead of being skipped silently."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.roots = _static_roots()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if parts.netloc not in ("", "localhost") or not any(path.is_relative_to(root) for root in self.roots):
                raise FatalURLFetchingError(f"{url} is not one of the app's static files")
        elif parts.scheme != "data":
            raise FatalURLFetchingError(f"{url} is not local")
        return super().fetch(url, headers)


class _Resources:
    """Font configuration and parsed stylesheet, built once per thread and reused by every render."""

    def __init__(self):
        self.font_config = FontConfiguration()
        self.url_fetcher = StaticOnlyFetcher()
        # The stylesheet names its fonts relative to itself (../fonts/), so it needs no rewriting here
        # and collectstatic's manifest can hash it like any other file.
        self.stylesheet = CSS(
            filename=str(_static_path(STYLESHEET)), font_config=self.font_config, url_fetcher=self.url_fetcher
        )
        self.image_cache = {}


_per_thread = threading.local()


def _resources() -> _Resources:
    # WeasyPrint objects are not shared across threads; one set per gunicorn thread or worker.
    if not hasattr(_per_thread, "resources"):
        _per_thread.resources = _Resources()
    return _per_thread.resources


@cache
def _base_url() -> str:
    return Path(settings.BASE_DIR).as_uri() + "/"


def render_html(template_name: str, context: dict, *, title: str, author: str = "") -> str:
    provider = Provider.current()
    with translation.override("da"):
        return render_to_string(
            template_name,
            {
                **context,
                "provider": provider,
                "document_title": title,
                "document_author": author or (provider.name if provider else ""),
                "document_created": timezone.now(),
            },
        )


def html_to_pdf(html: str) -> RenderedPdf:
    resources = _resources()
    try:
        document = HTML(string=html, base_url=_base_url(), url_fetcher=resources.url_fetcher).render(
            font_config=resources.font_config,
            stylesheets=[resources.stylesheet],
            cache=resources.image_cache,
        )
    except FatalURLFetchingError as error:
        # WeasyPrint raises a BaseException here, which would pass by Django's error handling and
        # take the worker down; turn it into an ordinary error (a 500 with a report).
        raise PdfResourceError(str(error)) from error.__cause__
    content = document.write_pdf()
    return RenderedPdf(content=content, sha256=sha256_of(content), pages=len(document.pages))


def render_pdf(template_name: str, context: dict, *, title: str, author: str = "") -> RenderedPdf:
    """Render `template_name` (which extends "pdf/base.html") to an A4 PDF."""
    return html_to_pdf(render_html(template_name, context, title=title, author=author))
