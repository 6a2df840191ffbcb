"""Retention and erasure: who is due, what anonymising removes, that invoices stay as issued, two administrators."""

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agenda.models import Booking
from citizens import erasure
from citizens.models import ActionPlan, Citizen, Consent, ErasureRequest
from interventions.models import Intervention, Visit
from invoicing.models import Invoice, InvoiceLine
from invoicing.services import mark_paid
from tests.conftest import logged_in
from tests.factories import AdministratorFactory, CitizenFactory, InterventionFactory
from workshops.models import WorkshopHours

pytestmark = pytest.mark.django_db

SIX_YEARS_ON = datetime.date.today() + datetime.timedelta(days=6 * 366)


def _end_courses(citizen, on):
    Intervention.objects.filter(citizen=citizen).update(
        status=Intervention.Status.ENDED, end_date=on, end_reason=Intervention.EndReason.GOALS_MET, end_note="Flyttet"
    )


def _history_text(citizen) -> str:
    rows = Citizen.history.filter(id=citizen.pk).values()
    return " ".join(str(value) for row in rows for value in row.values())


def test_a_citizen_past_the_retention_period_is_anonymised_and_the_invoice_stays_as_issued(
    held_citizen, admin_client_, django_capture_on_commit_callbacks
):
    _end_courses(held_citizen, datetime.date.today())
    invoice = Invoice.objects.get()
    total, pdf_hash, lines = invoice.total, invoice.pdf_sha256, list(InvoiceLine.objects.values())
    assert pdf_hash
    consent_file = Consent.objects.get().document
    assert consent_file.storage.exists(consent_file.name)

    out = io.StringIO()
    call_command("anonymise_citizens", "--dry-run", "--date", SIX_YEARS_ON.isoformat(), stdout=out)
    assert "Åse Østergård" in out.getvalue() and "1 citizens due" in out.getvalue()
    assert Citizen.objects.get().first_name == "Åse"  # the dry run changed nothing

    with django_capture_on_commit_callbacks(execute=True):
        call_command("anonymise_citizens", "--date", SIX_YEARS_ON.isoformat(), stdout=io.StringIO())
    citizen = Citizen.objects.get()
    assert citizen.anonymised_at is not None
    assert (citizen.first_name, citizen.last_name) == ("Anonymiseret", f"borger {citizen.pk}")
    assert (citizen.cpr, citizen.birth_date, citizen.phone, citizen.email, citizen.address) == ("", None, "", "", "")
    assert not citizen.cpr_hash.isalnum() or len(citizen.cpr_hash) != 64  # no blind index of the old number
    assert "oestergaard" not in Citizen.objects.get().search_name
    for old in ("Åse", "Østergård", "oestergaard", "20 30 40 50", "aase@example.dk", "Storegade"):
        assert old not in _history_text(citizen), old
    assert ActionPlan.objects.get().notes == "" and ActionPlan.history.filter(notes__contains="økonomi").count() == 0
    assert Visit.objects.get().note == "" and not Visit.history.exclude(note="").exists()
    assert Booking.objects.get().note == ""
    assert WorkshopHours.objects.get().note == "(slettet)" and WorkshopHours.objects.get().hours == 3
    assert not Intervention.history.exclude(end_note="").exists()
    assert not Consent.objects.get().document and not consent_file.storage.exists(consent_file.name)

    invoice.refresh_from_db()
    assert invoice.total == total and invoice.pdf_sha256 == pdf_hash
    assert list(InvoiceLine.objects.values()) == lines  # name and masked number as issued
    assert sum(line["amount"] for line in lines) == total
    pdf = admin_client_.get(reverse("invoicing:download", args=[invoice.pk, "pdf"]))
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == pdf_hash

    page = admin_client_.get(citizen.get_absolute_url()).content.decode()
    assert "Borgeren blev anonymiseret" in page and "Åse" not in page
    assert "Vis CPR" not in page and reverse("citizens:edit", args=[citizen.pk]) not in page
    edit = admin_client_.get(reverse("citizens:edit", args=[citizen.pk]), follow=True).content.decode()
    assert "Borgeren er anonymiseret og kan ikke længere ændres." in edit
    # Running it again finds nobody.
    assert erasure.anonymise_due(today=SIX_YEARS_ON) == []


def test_who_is_due(db):
    today = datetime.date.today()
    cutoff = erasure.retention_cutoff(SIX_YEARS_ON)
    open_course = InterventionFactory().citizen
    ended_long_ago = InterventionFactory().citizen
    _end_courses(ended_long_ago, today)
    ended_recently = InterventionFactory().citizen
    _end_courses(ended_recently, cutoff + datetime.timedelta(days=1))
    never_supported = CitizenFactory()
    due = set(erasure.due_citizens(today=SIX_YEARS_ON))
    assert due == {ended_long_ago, never_supported}
    assert open_course not in due and ended_recently not in due
    assert list(erasure.due_citizens()) == []  # nobody today: everyone was registered this year


def test_two_administrators_erase_a_citizen_ahead_of_time_and_both_are_in_the_trail(
    client, administrator, held_citizen
):
    other = AdministratorFactory(first_name="Anden", last_name="Admin")
    logged_in(client, administrator)
    client.post(reverse("citizens:erasure_request", args=[held_citizen.pk]), {"reason": "Borgeren har bedt om det"})
    request = ErasureRequest.objects.get()
    page = client.get(held_citizen.get_absolute_url()).content.decode()
    assert "Venter på, at en anden administrator godkender" in page
    response = client.post(
        reverse("citizens:erasure_decision", args=[held_citizen.pk, request.pk]), {"decision": "approve"}, follow=True
    )
    assert "En anden administrator skal afgøre en sletning, du selv har bedt om." in response.content.decode()
    assert Citizen.objects.get().anonymised_at is None

    logged_in(client, other)
    assert "1 sletteanmodning venter" in client.get(reverse("dashboard")).content.decode()
    response = client.post(
        reverse("citizens:erasure_decision", args=[held_citizen.pk, request.pk]), {"decision": "approve"}, follow=True
    )
    assert "Borgeren er anonymiseret." in response.content.decode()
    assert Citizen.objects.get().anonymised_at is not None
    request.refresh_from_db()
    assert (request.decision, request.decided_by) == (ErasureRequest.Decision.APPROVED, other)

    trail = client.get(reverse("audit:list"), {"citizen": held_citizen.pk}).content.decode()
    assert trail.count("Sletteanmodning") >= 2  # asked, decided
    assert "Godkendt" in trail  # the decision, in the diff of the request


def test_the_database_refuses_a_decision_by_the_one_who_asked(administrator):
    citizen = CitizenFactory()
    request = erasure.request_erasure(citizen=citizen, user=administrator, reason="Fejlregistrering")
    with pytest.raises(IntegrityError), transaction.atomic():
        ErasureRequest.objects.filter(pk=request.pk).update(
            decision="approved", decided_by=administrator, decided_at=request.requested_at
        )


def test_team_leads_cannot_ask_for_erasure(lead_client, team_lead):
    citizen = CitizenFactory(team=team_lead.team)
    assert "Anmod om sletning" not in lead_client.get(citizen.get_absolute_url()).content.decode()
    response = lead_client.post(reverse("citizens:erasure_request", args=[citizen.pk]), {"reason": "x"})
    assert response.status_code == 403
    assert lead_client.get(reverse("citizens:erasure_requests")).status_code == 403
    assert not ErasureRequest.objects.exists()


def test_invoice_changes_are_in_the_audit_trail(admin_client_, administrator, held_citizen):
    invoice = Invoice.objects.get()
    mark_paid(invoice=invoice, by=administrator, paid_on=datetime.date.today())
    trail = admin_client_.get(reverse("audit:list"), {"kind": "change"}).content.decode()
    assert f"Faktura {invoice.number}" in trail
    assert "Betalt den" in trail


def test_nothing_new_is_recorded_on_an_anonymised_citizen(admin_client_, administrator):
    from django.core.exceptions import ValidationError

    from citizens import services as citizen_services
    from interventions import services as intervention_services

    citizen = CitizenFactory()
    citizen.anonymised_at = timezone.now()
    citizen.save()
    page = admin_client_.get(citizen.get_absolute_url()).content.decode()
    for url in (
        reverse("citizens:plan_create", args=[citizen.pk]),
        reverse("citizens:consent_create", args=[citizen.pk]),
        reverse("interventions:start", args=[citizen.pk]),
    ):
        assert f'href="{url}"' not in page
        response = admin_client_.get(url, follow=True)
        assert response.redirect_chain[-1][0] == citizen.get_absolute_url()
        assert "Borgeren er anonymiseret og kan ikke længere ændres." in response.content.decode()
    with pytest.raises(ValidationError):
        citizen_services.save_consent(consent=Consent(citizen=citizen, given_on=timezone.localdate()))
    with pytest.raises(ValidationError):
        citizen_services.save_plan(plan=ActionPlan(citizen=citizen, municipality=citizen.paying_municipality))
    with pytest.raises(ValidationError):
        intervention_services.start_intervention(
            citizen=citizen, method="CTI", start_date=timezone.localdate(), by=administrator
        )
    assert not ActionPlan.objects.exists() and not Consent.objects.exists() and not citizen.interventions.exists()
