"""The 403, 404 and 500 pages: Danish, in the app's layout, and a 500 gives nothing away."""

import pytest
from django.test import Client
from django.urls import include, path, reverse

from tests.conftest import logged_in


def _explode(request):
    raise RuntimeError("database password is hunter2 at /srv/bostotte/secret.py")


# This module doubles as the URLconf of the 500 test: the app's URLs plus one view that fails.
urlpatterns = [path("boom/", _explode), path("", include("housingfirst.urls"))]


def test_unknown_page_is_the_danish_404_in_the_layout(worker_client):
    response = worker_client.get("/findes-ikke/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<title>Siden findes ikke · Bostøtte</title>" in html
    assert "Siden findes ikke, eller du har ikke adgang til den." in html
    assert "Fejlkode 404" in html
    assert 'aria-label="Hovedmenu"' in html  # the menu stays, so the worker is not stranded
    assert "Log ud" in html


def test_worker_on_an_administrator_page_gets_the_danish_403(worker_client):
    response = worker_client.get(reverse("municipality_list"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Du har ikke adgang til denne side" in html
    assert "Din rolle giver ikke adgang til dette. Spørg din teamleder eller en administrator" in html
    assert 'aria-label="Hovedmenu"' in html


@pytest.mark.urls(__name__)
def test_a_crash_shows_the_danish_500_without_internals(settings, worker):
    settings.DEBUG = False
    client = logged_in(Client(raise_request_exception=False), worker)

    response = client.get("/boom/")

    assert response.status_code == 500
    html = response.content.decode()
    assert "Noget gik galt" in html
    # Requests are not atomic, so the page promises nothing about what was saved: it asks to check first.
    assert "er måske ikke gennemført" in html
    assert "Tjek, om det blev gemt, før du prøver igen" in html
    assert "er ikke gemt" not in html
    assert '<html lang="da">' in html
    for leak in ("hunter2", "secret.py", "RuntimeError", "Traceback", "_explode"):
        assert leak not in html


def test_an_expired_form_shows_the_danish_csrf_page(worker):
    client = logged_in(Client(enforce_csrf_checks=True), worker)

    response = client.post(reverse("logout"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "Siden var udløbet" in html
    assert "intet blev gemt" in html
    assert "cookie" not in html  # Django's reason ("CSRF cookie not set") is logged, not shown
