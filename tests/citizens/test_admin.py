"""The Django admin keeps the app's rules: PDF-only documents, consent dates, CPR with or without a dash."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from citizens.models import ActionPlan, Citizen, Consent
from tests.citizens.test_cpr import citizen_data
from tests.conftest import logged_in
from tests.factories import CitizenFactory, TeamFactory, municipality

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_site(client, administrator):
    # The Django admin is for the operator (superusers) only: housingfirst/admin.py.
    administrator.is_superuser = True
    administrator.save()
    return logged_in(client, administrator)


def _plan_data(citizen, document):
    return {
        "citizen": citizen.pk,
        "kind": "142",
        "received_on": "2026-11-01",
        "municipality": municipality().pk,
        "document": document,
        "notes": "",
        "goals-TOTAL_FORMS": "0",
        "goals-INITIAL_FORMS": "0",
    }


def test_the_admin_refuses_a_plan_document_that_is_not_a_pdf(admin_site):
    citizen = CitizenFactory()
    exe = SimpleUploadedFile("plan.exe", b"MZ\x90\x00" + b"\x00" * 100, content_type="application/pdf")
    response = admin_site.post("/admin/citizens/actionplan/add/", _plan_data(citizen, exe))
    assert response.status_code == 200
    assert "Der kan kun uploades PDF-filer" in response.content.decode()
    assert not ActionPlan.objects.exists()


def test_the_admin_stores_a_real_pdf_under_a_pdf_name(admin_site):
    citizen = CitizenFactory()
    pdf = SimpleUploadedFile("Jens Hansen 010190-1238.PDF", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    response = admin_site.post("/admin/citizens/actionplan/add/", _plan_data(citizen, pdf))
    assert response.status_code == 302, response.content.decode()[:2000]
    name = ActionPlan.objects.get().document.name
    assert re.fullmatch(r"plans/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name), name  # nothing of the uploaded name


def test_the_admin_refuses_a_consent_given_in_the_future(admin_site):
    citizen = CitizenFactory()
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = admin_site.post(
        "/admin/citizens/consent/add/",
        {"citizen": citizen.pk, "covers": "Alt", "obtain_from": "", "given_on": future, "expires_on": ""},
    )
    assert "Et samtykke kan ikke være givet i fremtiden" in response.content.decode()
    assert not Consent.objects.exists()


def test_the_admin_takes_a_cpr_with_a_dash_and_names_a_duplicate(admin_site):
    team = TeamFactory()
    data = {**citizen_data(team), "history_change_reason": ""}
    response = admin_site.post("/admin/citizens/citizen/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Citizen.objects.get().cpr == "0101901238"
    again = admin_site.post("/admin/citizens/citizen/add/", {**data, "first_name": "Anden"})
    assert "allerede registreret for Jens Hansen" in again.content.decode()
    assert Citizen.objects.count() == 1
