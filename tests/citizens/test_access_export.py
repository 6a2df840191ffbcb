"""The citizen's right of access (GDPR art. 15): one zip with a readable PDF, a JSON and the documents."""

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from citizens.models import CprAccess
from housingfirst.models import Export
from tests.conftest import logged_in
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def _zip(client, export) -> zipfile.ZipFile:
    response = client.get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _make(client, citizen):
    response = client.post(reverse("citizens:access_export", args=[citizen.pk]))
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    return export


def test_the_administrator_makes_one_zip_with_a_danish_pdf_a_json_and_the_signed_consent(
    admin_client_, administrator, held_citizen
):
    page = admin_client_.get(held_citizen.get_absolute_url()).content.decode()
    assert "Lav indsigtsudtræk" in page

    export = _make(admin_client_, held_citizen)
    archive = _zip(admin_client_, export)
    names = archive.namelist()
    pdf_name = next(n for n in names if n.endswith(".pdf") and not n.startswith("dokumenter/"))
    json_name = next(n for n in names if n.endswith(".json"))
    assert any(n.startswith("dokumenter/samtykke-") for n in names)

    if os.environ.get("SHOTS_DIR"):  # for looking at the PDF: pdftoppm -png -r 60
        (Path(os.environ["SHOTS_DIR"]) / "access-export.pdf").write_bytes(archive.read(pdf_name))
    pages = PdfReader(io.BytesIO(archive.read(pdf_name))).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    for expected in (
        "Indsigt i dine personoplysninger",
        "Åse Østergård",
        "010190-1234",
        "Handleplaner",
        "Få styr på huslejen",
        "Samtykker",
        "Besøg og opkald",
        "Talte om gæld til Skat",
        "Aftalte besøg",
        "Tag nøglerne med",
        "Aftaler",
        "Fakturalinjer",
        "Værkstedstimer",
        "Reparerede cykler",
        "Ændringer i oplysningerne",
    ):
        assert expected in text, expected

    data = json.loads(archive.read(json_name))
    assert {
        "citizen",
        "action_plans",
        "goals",
        "consents",
        "interventions",
        "visits",
        "bookings",
        "agreements",
        "invoice_lines",
        "workshop_hours",
        "cpr_views",
        "change_log",
    } <= set(data)
    assert data["citizen"]["cpr"] == "0101901234"
    assert data["citizen"]["first_name"] == "Åse"
    assert data["visits"][0]["note"] == "Talte om gæld til Skat"
    assert data["invoice_lines"][0]["citizen_cpr_masked"] == "010190-XXXX"
    assert data["invoice_lines"][0]["amount"] == "337.50"  # 45 minutes at 450 kr.


def test_asking_and_downloading_are_both_in_the_citizens_access_log(admin_client_, administrator, held_citizen):
    export = _make(admin_client_, held_citizen)
    assert list(CprAccess.objects.filter(citizen=held_citizen).values_list("purpose", flat=True)) == [
        "Indsigtsudtræk bestilt"
    ]
    _zip(admin_client_, export)
    purposes = set(CprAccess.objects.filter(citizen=held_citizen, user=administrator).values_list("purpose", flat=True))
    assert purposes == {"Indsigtsudtræk bestilt", export.title}
    trail = admin_client_.get(reverse("audit:list"), {"citizen": held_citizen.pk}).content.decode()
    assert "Indsigtsudtræk bestilt" in trail


def test_team_leads_and_workers_cannot_make_an_access_export(client, team_lead, worker):
    citizen = CitizenFactory(team=worker.team)
    for user in (team_lead, worker):
        logged_in(client, user)
        assert "Lav indsigtsudtræk" not in client.get(citizen.get_absolute_url()).content.decode()
        assert client.post(reverse("citizens:access_export", args=[citizen.pk])).status_code == 403
    assert not Export.objects.exists()


def test_the_worker_checks_the_right_again_when_it_makes_the_file(team_lead):
    from django.core.exceptions import ValidationError

    from citizens import access_export

    citizen = CitizenFactory(team=team_lead.team)
    with pytest.raises(ValidationError, match="Du må ikke længere lave indsigtsudtræk"):
        access_export.access_export({"citizen": citizen.pk}, team_lead)


def test_the_zip_is_named_with_danish_letters_spelled_out(admin_client_, administrator, provider):
    citizen = CitizenFactory(first_name="Åse", last_name="Østergård")
    export = _make(admin_client_, citizen)
    assert export.filename.startswith("indsigt-aase-oestergaard-")  # not "ase-stergard"
