"""Production mode: the hashed static files are built by collectstatic and every page links to them."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db

# Django's manifest storage is what failed; WhiteNoise's compressing subclass (production) adds only
# gzip/brotli copies, which take most of collectstatic's time. scripts/smoke runs the real one.
MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=MANIFEST, DEBUG=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_collectstatic_builds_the_manifest_and_the_login_page_links_hashed_files(collected, client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    hashed = re.search(r"/static/vendor/bootstrap/bootstrap\.min\.([0-9a-f]{12})\.css", html)
    assert hashed, "the login page links the hashed Bootstrap stylesheet"
    assert (collected / "vendor" / "bootstrap" / f"bootstrap.min.{hashed.group(1)}.css").exists()


def test_the_pdf_stylesheet_survives_the_manifest_with_hashed_font_urls(collected):
    css = next((collected / "pdf").glob("document.*.css")).read_text(encoding="utf-8")
    assert re.search(r'url\("\.\./fonts/DejaVuSans\.[0-9a-f]{12}\.ttf"\)', css)
