"""No request costs more than a fraction of a second of a worker's time: too many fields or files answer
the 400 page, a body larger than the upload limit the 413 page, before any of it is parsed."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from citizens.models import ActionPlan, Consent
from tests.citizens.test_pages import PDF, plan_data
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_a_form_with_more_fields_than_any_form_has_gets_the_danish_400(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = plan_data(**{f"goals-{n}-description": "x" for n in range(600)})

    response = lead_client.post(reverse("citizens:plan_create", args=[citizen.pk]), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Forespørgslen kunne ikke behandles" in html
    assert "Intet blev gemt" in html
    assert 'aria-label="Hovedmenu"' in html  # in the layout, with the menu
    assert not ActionPlan.objects.exists()


def test_a_search_with_too_many_parameters_gets_the_400(lead_client):
    query = "&".join(f"f{n}=1" for n in range(600))
    assert lead_client.get(f"{reverse('citizens:list')}?{query}").status_code == 400


def test_more_files_than_a_form_takes_gets_the_400(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    data = {"covers": "Alt", "given_on": "2026-01-01"}
    data.update({f"document{n}": SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf") for n in range(6)})

    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)

    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_a_body_larger_than_the_upload_limit_is_refused_from_its_length_with_413(lead_client, team_lead, settings):
    settings.MAX_UPLOAD_MB = 1
    citizen = CitizenFactory(team=team_lead.team)
    big = SimpleUploadedFile("consent.pdf", PDF + b"0" * (2 * 1024 * 1024 + 10), "application/pdf")
    data = {"covers": "Alt", "given_on": "2026-01-01", "document": big}

    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)

    assert response.status_code == 413
    html = response.content.decode()
    assert "Filen er for stor" in html and "større end 1 MB" in html
    assert not Consent.objects.exists()


def test_the_413_comes_before_the_body_is_read(client, settings):
    """Only the Content-Length is looked at: a claimed 2 GB body is refused at once, unread."""
    settings.MAX_UPLOAD_MB = 10
    started = time.perf_counter()
    response = client.post(reverse("login"), data=b"", content_type="application/pdf", CONTENT_LENGTH=str(2**31))
    assert response.status_code == 413
    assert time.perf_counter() - started < 1


def test_a_body_within_the_limit_and_a_megabyte_of_form_is_let_through(lead_client, team_lead, settings):
    settings.MAX_UPLOAD_MB = 1
    citizen = CitizenFactory(team=team_lead.team)
    over_limit = SimpleUploadedFile("consent.pdf", PDF + b"0" * (1024 * 1024 + 10), "application/pdf")
    data = {"covers": "Alt", "given_on": "2026-01-01", "document": over_limit}

    response = lead_client.post(reverse("citizens:consent_create", args=[citizen.pk]), data)

    assert response.status_code == 200  # the form says why, in the field
    assert "grænsen er 1 MB" in response.content.decode()


def test_a_content_length_that_is_not_a_number_is_a_400(client):
    response = client.post(reverse("login"), data=b"", content_type="text/plain", CONTENT_LENGTH="lots")
    assert response.status_code == 400
