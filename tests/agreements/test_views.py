import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from agreements import services
from agreements.models import Agreement, AgreementText
from citizens.models import CprAccess
from invoicing.models import Rate
from tests.conftest import logged_in
from tests.factories import (
    AgreementFactory,
    CaseworkerFactory,
    InterventionFactory,
    MunicipalityEANFactory,
    TeamLeadFactory,
    WorkerFactory,
    municipality,
)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def issued(intervention, administrator):
    draft = services.create_draft(intervention=intervention, user=administrator)
    return services.issue_agreement(agreement=draft, user=administrator)


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_administrator_creates_draft_from_prefilled_form_and_issues_it(admin_client_, intervention):
    url = reverse("agreements:create") + f"?intervention={intervention.pk}"
    page = admin_client_.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert "hourly_rate" not in form.fields and "paying_municipality" not in form.fields
    assert page.context["hourly_rate"] == 450
    assert page.context["paying_municipality"] == intervention.citizen.paying_municipality

    data = {
        "intervention": intervention.pk,
        "method": "CTI",
        "start_date": intervention.start_date.isoformat(),
        "follow_up_date": (intervention.start_date + datetime.timedelta(days=90)).isoformat(),
        "caseworker": intervention.citizen.caseworker.pk,
        "coordinator": intervention.coordinator.pk,
    }
    response = admin_client_.post(reverse("agreements:create"), data, follow=True)
    agreement = Agreement.objects.get()
    assert response.redirect_chain[-1][0] == agreement.get_absolute_url()
    assert "Aftalekladden er gemt" in response.content.decode()

    response = admin_client_.post(reverse("agreements:issue", args=[agreement.pk]), follow=True)
    assert "Aftalen er udstedt" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "issued"


def test_issue_refusal_is_shown_on_the_page(admin_client_, provider, administrator):
    agreement = services.create_draft(intervention=InterventionFactory(), user=administrator)
    page = admin_client_.get(agreement.get_absolute_url()).content.decode()
    assert "Før aftalen kan udstedes" in page
    response = admin_client_.post(reverse("agreements:issue", args=[agreement.pk]), follow=True)
    assert "Der er ingen handleplan efter §141/§142" in response.content.decode()


def test_pdf_text_holds_name_full_cpr_rate_municipality_and_method(admin_client_, issued):
    response = admin_client_.get(reverse("agreements:pdf", args=[issued.pk]))
    assert response.status_code == 200
    text = pdf_text(body(response))
    citizen = issued.citizen
    assert "Karen Holm" in text
    # Full CPR in the issued PDF (the municipality needs it to match its case): see agreements/documents.py.
    assert f"{citizen.cpr[:6]}-{citizen.cpr[6:]}" in text
    assert "450,00 kr." in text
    assert citizen.paying_municipality.name in text
    assert "CTI" in text and "Critical Time Intervention" in text
    assert "Samtykkeerklæring" in text
    assert "side 1 af" in text
    assert "Forsorgshjemmet Solbakken" in text


def test_reprint_serves_the_stored_bytes_and_hash(admin_client_, issued):
    stored = issued.pdf.read()
    first = body(admin_client_.get(reverse("agreements:pdf", args=[issued.pk])))
    # A later change of the standard text or the citizen's name must not change the issued document.
    issued.citizen.last_name = "Andersen"
    issued.citizen.save()
    second = body(admin_client_.get(reverse("agreements:pdf", args=[issued.pk])))
    assert first == second == stored
    issued.refresh_from_db()
    assert hashlib.sha256(second).hexdigest() == issued.pdf_sha256


def _file_signed_copy(agreement, user):
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    return services.upload_signed_copy(agreement=agreement, user=user, uploaded=scan)


CPR_DOCUMENTS = ("pdf", "consent_pdf", "signed_copy")


def test_worker_may_not_open_the_documents_with_the_full_cpr(worker_client, issued, administrator):
    _file_signed_copy(issued, administrator)
    for name in CPR_DOCUMENTS:
        assert worker_client.get(reverse(f"agreements:{name}", args=[issued.pk])).status_code == 403, name
    assert not CprAccess.objects.exists()
    # The detail page offers no links the worker cannot use, and says why.
    page = worker_client.get(issued.get_absolute_url()).content.decode()
    for name in CPR_DOCUMENTS:
        assert reverse(f"agreements:{name}", args=[issued.pk]) not in page, name
    assert "så kun teamledere og administratorer kan åbne dem" in page
    assert "fuldt nummer i PDF&#x27;en" not in page
    # Nor does the agreement panel on the citizen page.
    citizen_page = worker_client.get(issued.citizen.get_absolute_url()).content.decode()
    assert issued.get_absolute_url() in citizen_page
    assert f"/aftaler/{issued.pk}/pdf/" not in citizen_page


def test_team_lead_opens_the_documents_and_each_is_logged(lead_client, team_lead, issued, administrator):
    _file_signed_copy(issued, administrator)
    page = lead_client.get(issued.get_absolute_url()).content.decode()
    for name in CPR_DOCUMENTS:
        assert reverse(f"agreements:{name}", args=[issued.pk]) in page, name

    response = lead_client.get(reverse("agreements:pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert CprAccess.objects.filter(citizen=issued.citizen, user=team_lead, purpose="aftale-PDF").count() == 1
    response = lead_client.get(reverse("agreements:consent_pdf", args=[issued.pk]))
    assert response.status_code == 200
    assert CprAccess.objects.filter(citizen=issued.citizen, user=team_lead, purpose="samtykkeerklæring-PDF").exists()
    text = pdf_text(response.content)
    assert "Samtykkeerklæring" in text and "Karen Holm" in text
    response = lead_client.get(reverse("agreements:signed_copy", args=[issued.pk]))
    assert body(response) == b"%PDF-1.4 signed"
    assert CprAccess.objects.filter(user=team_lead, purpose="aftale, underskrevet kopi").count() == 1


def test_worker_of_another_team_gets_404(client, issued):
    stranger = WorkerFactory()
    logged_in(client, stranger)
    for name in ("detail", "pdf", "consent_pdf", "signed_copy"):
        assert client.get(reverse(f"agreements:{name}", args=[issued.pk])).status_code == 404, name
    assert not CprAccess.objects.exists()


def test_team_lead_of_another_team_gets_404(client, issued, administrator):
    _file_signed_copy(issued, administrator)
    logged_in(client, TeamLeadFactory())
    for name in ("detail", *CPR_DOCUMENTS):
        assert client.get(reverse(f"agreements:{name}", args=[issued.pk])).status_code == 404, name
    assert not CprAccess.objects.exists()


def test_worker_of_the_team_can_view_but_not_change(worker_client, issued):
    page = worker_client.get(issued.get_absolute_url())
    assert page.status_code == 200
    assert "Registrér underskrifter" not in page.content.decode()
    assert worker_client.post(reverse("agreements:new_version", args=[issued.pk])).status_code == 403
    assert worker_client.get(reverse("agreements:sign", args=[issued.pk])).status_code == 403


def test_a_draft_without_follow_up_caseworker_or_coordinator_is_not_issued(admin_client_, intervention, administrator):
    draft = services.create_draft(intervention=intervention, user=administrator)
    Agreement.objects.filter(pk=draft.pk).update(follow_up_date=None, caseworker=None, coordinator=None)
    page = admin_client_.get(draft.get_absolute_url()).content.decode()
    assert "Kladden mangler dato for opfølgning, kommunens sagsbehandler og tovholder." in page
    response = admin_client_.post(reverse("agreements:issue", args=[draft.pk]), follow=True)
    assert "Kladden mangler dato for opfølgning" in response.content.decode()
    assert Agreement.objects.get(pk=draft.pk).status == "draft"


def test_detail_masks_the_cpr_on_screen(admin_client_, issued):
    page = admin_client_.get(issued.get_absolute_url()).content.decode()
    assert issued.citizen.cpr_masked in page
    cpr = issued.citizen.cpr
    assert cpr not in page and f"{cpr[:6]}-{cpr[6:]}" not in page


def test_sign_form_refuses_a_future_date_and_keeps_the_input(admin_client_, issued):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = admin_client_.post(
        reverse("agreements:sign", args=[issued.pk]),
        {"provider_signed_by": "Ida Lund", "provider_signed_on": tomorrow.isoformat()},
    )
    page = response.content.decode()
    assert "datoen ligger i fremtiden" in page
    assert 'value="Ida Lund"' in page


def test_sign_both_and_upload_signed_copy(admin_client_, issued):
    today = timezone.localdate().isoformat()
    admin_client_.post(
        reverse("agreements:sign", args=[issued.pk]),
        {
            "provider_signed_by": "Ida Lund",
            "provider_signed_on": today,
            "municipality_signed_by": "Hanne Mikkelsen",
            "municipality_signed_on": today,
        },
    )
    issued.refresh_from_db()
    assert issued.status == "signed"
    not_pdf = SimpleUploadedFile("scan.pdf", b"GIF89a", content_type="application/pdf")
    response = admin_client_.post(reverse("agreements:upload", args=[issued.pk]), {"signed_copy": not_pdf})
    assert "denne fil er ikke en PDF" in response.content.decode()
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 signed", content_type="application/pdf")
    admin_client_.post(reverse("agreements:upload", args=[issued.pk]), {"signed_copy": scan})
    response = admin_client_.get(reverse("agreements:signed_copy", args=[issued.pk]))
    assert body(response) == b"%PDF-1.4 signed"
    assert response["Cache-Control"] == "private, no-store"


def test_edit_after_issue_redirects_with_message(admin_client_, issued):
    response = admin_client_.get(reverse("agreements:edit", args=[issued.pk]), follow=True)
    assert "En udstedt aftale kan ikke ændres" in response.content.decode()


def test_new_version_page_flow(admin_client_, issued):
    response = admin_client_.post(reverse("agreements:new_version", args=[issued.pk]), follow=True)
    draft = Agreement.objects.get(version=2)
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    old_page = admin_client_.get(issued.get_absolute_url()).content.decode()
    assert "Version 2 erstatter denne aftale" in old_page


def test_standard_text_edit_makes_a_new_version(admin_client_):
    current = AgreementText.current()
    data = {}
    for section in current.sections:
        data[f"{section['key']}__heading"] = section["heading"]
        data[f"{section['key']}__body"] = section["body"]
    data["purpose__body"] = "Et nyt formål.\n\n- punkt et\n- punkt to"
    response = admin_client_.post(reverse("agreements:text"), data, follow=True)
    assert f"Version {current.version + 1} af standardteksten er gemt" in response.content.decode()
    new = AgreementText.current()
    assert new.version == current.version + 1
    assert AgreementText.objects.get(pk=current.pk).sections == current.sections  # the old one stays
    assert new.rendered_sections()[0]["blocks"] == [
        {"kind": "p", "text": "Et nyt formål."},
        {"kind": "ul", "items": ["punkt et", "punkt to"]},
    ]


def test_the_shipped_standard_text_covers_the_methods_and_their_footing(db):
    sections = {section["key"]: section["body"] for section in AgreementText.current().sections}
    assert {"purpose", "cti", "icm", "act", "frame", "continuity", "return", "ending"} <= set(sections)
    assert "tre faser af samme længde" in sections["cti"] and "højst 12 borgere" in sections["cti"]
    assert "empowerment" in sections["cti"] and "recovery" in sections["icm"]
    assert "højst 8 borgere" in sections["icm"]
    assert "drømme, ønsker og håb" in sections["purpose"]
    assert AgreementText.objects.filter(version=1).exists()  # issued agreements may point at it


def test_worker_cannot_edit_the_standard_text(worker_client):
    assert worker_client.get(reverse("agreements:text")).status_code == 403


@pytest.mark.parametrize("rows", [5, 50])
def test_list_uses_constant_queries(admin_client_, django_assert_max_num_queries, rows):
    for _ in range(rows):
        AgreementFactory()
    with django_assert_max_num_queries(8):
        response = admin_client_.get(reverse("agreements:list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)


def test_list_filters_by_status(admin_client_, issued):
    AgreementFactory(citizen__first_name="Ulla", citizen__last_name="Udkast")
    page = admin_client_.get(reverse("agreements:list") + "?status=issued").content.decode()
    assert "Karen Holm" in page and "Ulla Udkast" not in page


def test_citizen_panel_shows_state_and_create_button(rf, administrator, worker, intervention):
    from agreements.panels import citizen_panel

    request = rf.get("/")
    request.user = administrator
    template, context = citizen_panel(request, intervention.citizen)
    assert context["uncovered"] == [intervention]
    services.create_draft(intervention=intervention, user=administrator)
    template, context = citizen_panel(request, intervention.citizen)
    assert context["uncovered"] == [] and context["agreements"][0].status == "draft"
    request.user = worker
    _template, context = citizen_panel(request, intervention.citizen)
    assert context["uncovered"] == []


def test_dashboard_reminders(admin_client_, issued, administrator):
    assert "Intet venter" in admin_client_.get("/").content.decode()
    Agreement.objects.filter(pk=issued.pk).update(issued_at=timezone.now() - datetime.timedelta(days=15))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    other = AgreementFactory(
        status="signed",
        issued_at=timezone.now() - datetime.timedelta(days=30),
        follow_up_date=yesterday,
        intervention__follow_up_date=yesterday,
        text=AgreementText.current(),
        citizen__first_name="Otto",
        citizen__last_name="Opfølgning",
    )
    page = admin_client_.get("/").content.decode()
    assert "Ikke underskrevet 14 dage efter udstedelse" in page
    assert "Karen Holm" in page
    assert "Opfølgningsdatoen er overskredet" in page and other.citizen.full_name in page

    # The team followed up and agreed the next date on the intervention: the reminder goes.
    other.intervention.follow_up_date = timezone.localdate() + datetime.timedelta(days=90)
    other.intervention.save()
    assert other.citizen.full_name not in admin_client_.get("/").content.decode()


def test_a_version_being_replaced_is_not_a_reminder(admin_client_, issued, administrator):
    Agreement.objects.filter(pk=issued.pk).update(issued_at=timezone.now() - datetime.timedelta(days=15))
    services.new_version(agreement=issued, user=administrator)
    assert "Intet venter" in admin_client_.get("/").content.decode()


def test_more_than_ten_reminders_link_to_the_whole_list(admin_client_, provider):
    late = timezone.now() - datetime.timedelta(days=20)
    agreements = [AgreementFactory(status="issued", issued_at=late, text=AgreementText.current()) for _i in range(12)]
    page = admin_client_.get("/").content.decode()
    assert "Se alle 12" in page
    listing = admin_client_.get(reverse("agreements:list") + "?reminder=unsigned").content.decode()
    assert "Påmindelse: Ikke underskrevet 14 dage efter udstedelse" in listing
    assert all(agreement.get_absolute_url() in listing for agreement in agreements)
    AgreementFactory(status="draft", citizen__last_name="Kladdesen")
    assert "Kladdesen" not in admin_client_.get(reverse("agreements:list") + "?reminder=unsigned").content.decode()


def test_dashboard_panel_hidden_for_workers(worker_client):
    assert "Aftaler, der kræver handling" not in worker_client.get("/").content.decode()


def test_create_is_refused_to_workers(worker_client, intervention):
    url = reverse("agreements:create") + f"?intervention={intervention.pk}"
    assert worker_client.get(url).status_code == 403


def test_rate_and_paying_municipality_are_shown_but_not_typed_in(admin_client_, intervention):
    Rate.objects.create(valid_from=intervention.start_date - datetime.timedelta(days=400), hourly_rate=Decimal("460"))
    page = admin_client_.get(reverse("agreements:create") + f"?intervention={intervention.pk}").content.decode()
    assert "460,00 kr." in page and "fra taksttabellen" in page
    assert intervention.citizen.paying_municipality.name in page and "fra borgerens oplysninger" in page
    assert 'name="hourly_rate"' not in page and 'name="paying_municipality"' not in page
    assert "har intet EAN-nummer" not in page
    data = {
        "intervention": intervention.pk,
        "method": "ICM",
        "start_date": "17.08.2026",
        # Posted anyway: ignored, the record decides.
        "hourly_rate": "999,00",
        "paying_municipality": municipality("550").pk,
    }
    admin_client_.post(reverse("agreements:create"), data)
    agreement = Agreement.objects.get()
    assert agreement.hourly_rate == Decimal("460.00")
    assert agreement.paying_municipality == intervention.citizen.paying_municipality
    assert agreement.start_date == datetime.date(2026, 8, 17)


def test_changed_paying_municipality_blocks_issue_until_the_draft_is_saved(admin_client_, intervention, administrator):
    agreement = services.create_draft(intervention=intervention, user=administrator)
    citizen = intervention.citizen
    tonder = municipality("550")
    MunicipalityEANFactory(municipality=tonder)
    citizen.paying_municipality = tonder
    citizen.caseworker = None
    citizen.save()

    page = admin_client_.get(agreement.get_absolute_url()).content.decode()
    assert "Borgerens betalingskommune er ændret fra Haderslev til Tønder" in page
    response = admin_client_.post(reverse("agreements:issue", args=[agreement.pk]), follow=True)
    assert "Opdatér kladden" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status == "draft"

    edit = admin_client_.get(reverse("agreements:edit", args=[agreement.pk])).content.decode()
    assert "Tønder" in edit and "Kladden lyder på 450,00 kr. med Haderslev som betalingskommune" in edit
    caseworker = CaseworkerFactory(municipality=tonder)
    data = {
        "method": "CTI",
        "start_date": agreement.start_date.isoformat(),
        "follow_up_date": agreement.follow_up_date.isoformat(),
        "caseworker": caseworker.pk,
        "coordinator": agreement.coordinator_id,
    }
    admin_client_.post(reverse("agreements:edit", args=[agreement.pk]), data)
    agreement.refresh_from_db()
    assert agreement.paying_municipality == tonder
    response = admin_client_.post(reverse("agreements:issue", args=[agreement.pk]), follow=True)
    assert "Aftalen er udstedt" in response.content.decode()


def test_coordinator_choices_are_the_citizens_team(admin_client_, intervention, worker):
    WorkerFactory(first_name="Ottilie", last_name="Andethold")  # another team
    colleague = WorkerFactory(team=worker.team, first_name="Kamma", last_name="Kollega")
    page = admin_client_.get(reverse("agreements:create") + f"?intervention={intervention.pk}")
    choices = list(page.context["form"].fields["coordinator"].queryset)
    assert colleague in choices and worker in choices
    content = page.content.decode()
    assert "Kamma Kollega" in content and "Ottilie Andethold" not in content


@pytest.mark.parametrize("query", ["?intervention=abc", "?intervention=999999", "?intervention=1.5", ""])
def test_create_with_a_bad_or_unknown_intervention_is_404(admin_client_, query):
    assert admin_client_.get(reverse("agreements:create") + query).status_code == 404


def test_signed_agreement_offers_no_signature_change(admin_client_, issued, administrator):
    today = timezone.localdate()
    services.record_signatures(
        agreement=issued,
        user=administrator,
        provider_signed_by="Ida Lund",
        provider_signed_on=today,
        municipality_signed_by="Hanne Mikkelsen",
        municipality_signed_on=today,
    )
    page = admin_client_.get(issued.get_absolute_url()).content.decode()
    assert "Registrér underskrifter" not in page and "Upload underskrevet kopi" in page
    response = admin_client_.get(reverse("agreements:sign", args=[issued.pk]), follow=True)
    assert "En rettelse er en ny version" in response.content.decode()
    response = admin_client_.post(reverse("agreements:sign", args=[issued.pk]), {}, follow=True)
    assert "En rettelse er en ny version" in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == "signed" and issued.municipality_signed_by == "Hanne Mikkelsen"


def test_consent_pdf_lists_what_may_be_obtained_from_whom(admin_client_, issued):
    from tests.factories import ConsentFactory

    ConsentFactory(
        citizen=issued.citizen, covers="Oplysninger om helbred og behandling", obtain_from="Psykiatrien, egen læge"
    )
    response = admin_client_.get(reverse("agreements:consent_pdf", args=[issued.pk]))
    text = pdf_text(response.content)
    citizen = issued.citizen
    assert "Karen Holm" in text and f"{citizen.cpr[:6]}-{citizen.cpr[6:]}" in text
    assert "Psykiatrien" in text and "Egen læge" in text  # each source starts its own line with a capital
    assert "Oplysninger om helbred og behandling" in text
    assert "Underskrift" in text and "side 1 af 1" in text


def test_an_expired_consent_is_not_printed_as_if_in_force(admin_client_, intervention, administrator):
    from tests.factories import ConsentFactory

    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    ConsentFactory(
        citizen=intervention.citizen, given_on=yesterday - datetime.timedelta(days=365), expires_on=yesterday
    )
    draft = services.create_draft(intervention=intervention, user=administrator)

    html = admin_client_.get(draft.get_absolute_url()).content.decode()
    assert "Borgeren har intet gældende samtykke" in html
    issued = services.issue_agreement(agreement=draft, user=administrator)
    text = pdf_text(bytes(issued.pdf.read()))
    assert yesterday.strftime("%d.%m.%Y") not in text
    assert "Samtykket gælder i et år fra underskriften" in text


def test_the_intervention_page_shows_its_agreement_or_offers_one(admin_client_, worker, intervention, administrator):
    from django.test import Client

    page = admin_client_.get(intervention.get_absolute_url()).content.decode()
    assert f"{reverse('agreements:create')}?intervention={intervention.pk}" in page
    draft = services.create_draft(intervention=intervention, user=administrator)
    page = admin_client_.get(intervention.get_absolute_url()).content.decode()
    assert draft.get_absolute_url() in page and "Kladde" in page
    assert f"{reverse('agreements:create')}?intervention={intervention.pk}" not in page
    worker_page = logged_in(Client(), worker).get(intervention.get_absolute_url()).content.decode()
    assert draft.get_absolute_url() in worker_page and reverse("agreements:create") not in worker_page


def test_the_pdf_title_is_danish_whatever_language_the_administrator_reads(intervention, administrator):
    from django.utils import translation

    draft = services.create_draft(intervention=intervention, user=administrator)
    with translation.override("en"):
        issued = services.issue_agreement(agreement=draft, user=administrator)
    title = PdfReader(io.BytesIO(issued.pdf.read())).metadata.title
    assert title.startswith("Aftale om Housing First-støtte, version 1")


def test_a_swapped_agreement_file_is_refused_and_logged(admin_client_, issued, caplog):
    # Another citizen's file put in its place: same size class, other bytes.
    with open(issued.pdf.path, "wb") as handle:
        handle.write(b"%PDF-1.7 another citizen's agreement")
    accesses = CprAccess.objects.count()
    response = admin_client_.get(reverse("agreements:pdf", args=[issued.pk]), follow=True)
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert f"Aftale {issued.pk} svarer ikke til det udstedte dokument" in html
    assert "another citizen" not in html
    assert CprAccess.objects.count() == accesses
    errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert any(f"Aftale {issued.pk}" in message for message in errors)
