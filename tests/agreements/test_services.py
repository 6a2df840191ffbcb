import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementText
from invoicing.models import Rate
from tests.factories import ActionPlanFactory, CitizenFactory, InterventionFactory, municipality

pytestmark = pytest.mark.django_db


def refusal(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def draft(intervention, administrator):
    return services.create_draft(intervention=intervention, user=administrator)


@pytest.fixture
def issued(draft, administrator):
    return services.issue_agreement(agreement=draft, user=administrator)


def test_draft_is_prefilled_from_intervention_citizen_plan_and_rate(intervention, administrator):
    Rate.objects.create(valid_from=intervention.start_date - datetime.timedelta(days=10), hourly_rate=Decimal("465"))
    intervention.follow_up_date = intervention.start_date + datetime.timedelta(days=90)
    intervention.employment_department = True
    intervention.save()

    agreement = services.create_draft(intervention=intervention, user=administrator)

    citizen = intervention.citizen
    assert agreement.status == "draft"
    assert agreement.citizen == citizen
    assert agreement.version == 1
    assert agreement.method == "CTI"
    assert agreement.start_date == intervention.start_date
    assert agreement.follow_up_date == intervention.follow_up_date
    assert agreement.hourly_rate == Decimal("465")
    assert agreement.paying_municipality == citizen.paying_municipality
    assert agreement.caseworker == citizen.caseworker
    assert agreement.employment_department is True
    assert agreement.coordinator == intervention.coordinator
    assert agreement.action_plan == citizen.plans.get()


def test_second_draft_for_the_same_intervention_is_refused(draft, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.create_draft(intervention=draft.intervention, user=administrator)
    assert "Indsatsen har allerede en aftale (version 1)" in refusal(excinfo)


def test_issue_without_action_plan_is_refused(administrator, provider):
    intervention = InterventionFactory()
    agreement = services.create_draft(intervention=intervention, user=administrator)
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=agreement, user=administrator)
    assert "Der er ingen handleplan efter §141/§142" in refusal(excinfo)
    agreement.refresh_from_db()
    assert agreement.status == "draft" and not agreement.pdf


def test_issue_to_municipality_without_ean_is_refused(administrator, provider):
    tonder = municipality("550")
    citizen = CitizenFactory(paying_municipality=tonder)
    ActionPlanFactory(citizen=citizen)
    agreement = services.create_draft(intervention=InterventionFactory(citizen=citizen), user=administrator)
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=agreement, user=administrator)
    assert "Tønder har intet EAN-nummer og kan derfor ikke faktureres" in refusal(excinfo)
    assert Agreement.objects.get(pk=agreement.pk).status == "draft"


def test_issue_freezes_pdf_with_hash_and_text_version(issued):
    issued.refresh_from_db()
    assert issued.status == "issued"
    assert issued.issued_at is not None
    assert issued.text == AgreementText.current()
    content = issued.pdf.read()
    assert content.startswith(b"%PDF-")
    assert issued.pdf_sha256 == __import__("hashlib").sha256(content).hexdigest()


def test_issuing_twice_is_refused(issued, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=issued, user=administrator)
    assert "Aftalen er allerede udstedt" in refusal(excinfo)


def test_no_edit_after_issue(issued, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.update_draft(agreement=issued, user=administrator, data={"hourly_rate": Decimal("500")})
    assert "En udstedt aftale kan ikke ændres. Lav en ny version" in refusal(excinfo)
    assert Agreement.objects.get(pk=issued.pk).hourly_rate == Decimal("450.00")


def test_no_signing_before_issue(draft, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.record_signatures(
            agreement=draft, user=administrator, provider_signed_by="Ida", provider_signed_on=timezone.localdate()
        )
    assert "Aftalen skal udstedes, før nogen kan underskrive den" in refusal(excinfo)


def test_signature_dates_not_before_issue_nor_in_future(issued, administrator):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as excinfo:
        services.record_signatures(
            agreement=issued,
            user=administrator,
            provider_signed_by="Ida Lund",
            provider_signed_on=today - datetime.timedelta(days=1),
        )
    assert "Leverandøren kan ikke have underskrevet den" in refusal(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.record_signatures(
            agreement=issued,
            user=administrator,
            municipality_signed_by="Hanne Mikkelsen",
            municipality_signed_on=today + datetime.timedelta(days=1),
        )
    assert "datoen ligger i fremtiden" in refusal(excinfo)


def test_both_signatures_make_it_signed(issued, administrator):
    today = timezone.localdate()
    one = services.record_signatures(
        agreement=issued, user=administrator, provider_signed_by="Ida Lund", provider_signed_on=today
    )
    assert one.status == "issued"
    both = services.record_signatures(
        agreement=issued,
        user=administrator,
        provider_signed_by="Ida Lund",
        provider_signed_on=today,
        municipality_signed_by="Hanne Mikkelsen",
        municipality_signed_on=today,
    )
    assert both.status == "signed"
    assert both.municipality_signed_by == "Hanne Mikkelsen"


def test_signed_copy_must_be_a_pdf_and_not_on_a_draft(draft, administrator):
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 scanned", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        services.upload_signed_copy(agreement=draft, user=administrator, uploaded=scan)
    assert "En kladde har ingen underskrevet kopi: udsted aftalen først" in refusal(excinfo)
    issued = services.issue_agreement(agreement=draft, user=administrator)
    picture = SimpleUploadedFile("scan.pdf", b"\x89PNG not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        services.upload_signed_copy(agreement=issued, user=administrator, uploaded=picture)
    assert "denne fil er ikke en PDF" in refusal(excinfo)
    scan.seek(0)
    services.upload_signed_copy(agreement=issued, user=administrator, uploaded=scan)
    issued.refresh_from_db()
    assert issued.signed_copy.read() == b"%PDF-1.4 scanned"
    assert "scan" not in issued.signed_copy.name


def test_signed_copy_size_limit(issued, administrator, settings):
    settings.MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    with pytest.raises(ValidationError) as excinfo:
        services.upload_signed_copy(agreement=issued, user=administrator, uploaded=big)
    assert "grænsen er 1 MB" in refusal(excinfo)


def test_end_refusals_and_ending(draft, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.end_agreement(agreement=draft, user=administrator, ended_on=timezone.localdate())
    assert "En kladde kan ikke afsluttes" in refusal(excinfo)
    issued = services.issue_agreement(agreement=draft, user=administrator)
    with pytest.raises(ValidationError) as excinfo:
        services.end_agreement(
            agreement=issued, user=administrator, ended_on=issued.start_date - datetime.timedelta(days=1)
        )
    assert "Ophørsdatoen kan ikke ligge før startdatoen" in refusal(excinfo)
    ended = services.end_agreement(agreement=issued, user=administrator, ended_on=timezone.localdate())
    assert ended.status == "ended"
    with pytest.raises(ValidationError) as excinfo:
        services.end_agreement(agreement=ended, user=administrator, ended_on=timezone.localdate())
    assert "Aftalen er allerede ophørt" in refusal(excinfo)


def test_new_version_keeps_the_old_one_readable(issued, administrator):
    old_hash, old_bytes = issued.pdf_sha256, issued.pdf.read()
    draft = services.new_version(agreement=issued, user=administrator)
    assert (draft.version, draft.previous_version, draft.status) == (2, issued, "draft")
    assert draft.hourly_rate == issued.hourly_rate and not draft.pdf

    # A new rate in force on the start date reaches the new version when its draft is saved.
    Rate.objects.create(valid_from=draft.start_date, hourly_rate=Decimal("475.00"))
    draft = services.update_draft(agreement=draft, user=administrator, data={})
    assert draft.hourly_rate == Decimal("475.00")
    new = services.issue_agreement(agreement=draft, user=administrator)

    issued.refresh_from_db()
    assert issued.status == "ended"
    assert issued.hourly_rate == Decimal("450.00")
    assert issued.pdf_sha256 == old_hash and issued.pdf.read() == old_bytes
    assert new.pdf_sha256 != old_hash
    with pytest.raises(ValidationError) as excinfo:
        services.new_version(agreement=issued, user=administrator)
    assert "Der findes allerede en nyere version af aftalen" in refusal(excinfo)


def test_new_version_of_a_draft_is_refused(draft, administrator):
    with pytest.raises(ValidationError) as excinfo:
        services.new_version(agreement=draft, user=administrator)
    assert "Aftalen er stadig en kladde" in refusal(excinfo)


def test_issued_agreement_keeps_its_text_version(issued, administrator):
    old_text = issued.text
    sections = [dict(section) for section in old_text.sections]
    sections[0]["body"] = "Ny formulering af formålet."
    new_text = services.save_agreement_text(sections=sections, user=administrator)
    assert new_text.version == old_text.version + 1 and new_text.is_current
    issued.refresh_from_db()
    assert issued.text == old_text
    old_text.refresh_from_db()
    assert not old_text.is_current
    with pytest.raises(ValidationError) as excinfo:
        services.save_agreement_text(sections=sections, user=administrator)
    assert "Intet blev ændret" in refusal(excinfo)


def test_history_records_who_did_what(issued, administrator):
    events = list(issued.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert events == [("created", administrator.pk), ("issued", administrator.pk)]


def test_ended_intervention_gets_no_new_agreement(intervention, administrator):
    intervention.status = "ended"
    intervention.end_date = timezone.localdate()
    intervention.end_reason = "goals_met"
    intervention.save()
    with pytest.raises(ValidationError) as excinfo:
        services.create_draft(intervention=intervention, user=administrator)
    assert "Indsatsen er afsluttet og kan ikke få en ny aftale" in refusal(excinfo)


def test_issue_without_provider_details_is_refused(intervention, administrator):
    from housingfirst.models import Provider

    agreement = services.create_draft(intervention=intervention, user=administrator)
    Provider.objects.all().delete()
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=agreement, user=administrator)
    assert "Leverandørens navn, adresse, CVR og EAN mangler" in refusal(excinfo)


def test_rate_and_paying_municipality_come_from_the_record_not_the_data(intervention, administrator):
    Rate.objects.create(valid_from=intervention.start_date - datetime.timedelta(days=1), hourly_rate=Decimal("470"))
    tonder = municipality("550")
    agreement = services.create_draft(
        intervention=intervention,
        user=administrator,
        data={"hourly_rate": Decimal("500"), "paying_municipality": tonder},
    )
    assert agreement.hourly_rate == Decimal("470")
    assert agreement.paying_municipality == intervention.citizen.paying_municipality

    # Saving the draft refreshes both: a later start date falls under a newer rate; the citizen moved.
    later = intervention.start_date + datetime.timedelta(days=30)
    Rate.objects.create(valid_from=later, hourly_rate=Decimal("480"))
    citizen = intervention.citizen
    citizen.paying_municipality = tonder
    citizen.save()
    services.update_draft(
        agreement=agreement,
        user=administrator,
        data={"start_date": later, "hourly_rate": Decimal("500"), "paying_municipality": municipality("510")},
    )
    agreement.refresh_from_db()
    assert agreement.hourly_rate == Decimal("480")
    assert agreement.paying_municipality == tonder


def test_issue_is_refused_when_the_paying_municipality_changed_since_the_draft(draft, administrator):
    citizen = draft.citizen
    citizen.paying_municipality = municipality("550")
    citizen.save()
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=draft, user=administrator)
    assert (
        "Borgerens betalingskommune er ændret fra Haderslev til Tønder, siden kladden blev lavet. "
        "Opdatér kladden (redigér den, og gem)" in refusal(excinfo)
    )
    assert Agreement.objects.get(pk=draft.pk).status == "draft"


def test_issue_is_refused_when_the_rate_changed_since_the_draft(draft, administrator):
    Rate.objects.create(valid_from=draft.start_date, hourly_rate=Decimal("455.50"))
    with pytest.raises(ValidationError) as excinfo:
        services.issue_agreement(agreement=draft, user=administrator)
    assert "Taksten på startdatoen er nu 455,50 kr.; kladden lyder på 450,00 kr." in refusal(excinfo)
    services.update_draft(agreement=draft, user=administrator, data={})
    assert services.issue_agreement(agreement=draft, user=administrator).hourly_rate == Decimal("455.50")


def test_signatures_of_a_signed_agreement_cannot_be_changed(issued, administrator):
    today = timezone.localdate()
    signed = services.record_signatures(
        agreement=issued,
        user=administrator,
        provider_signed_by="Ida Lund",
        provider_signed_on=today,
        municipality_signed_by="Hanne Mikkelsen",
        municipality_signed_on=today,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_signatures(agreement=signed, user=administrator)  # blank: would drop it back to issued
    assert (
        "Aftalen er underskrevet af begge parter, så underskrifterne kan ikke ændres. En rettelse er en ny version"
        in refusal(excinfo)
    )
    signed.refresh_from_db()
    assert signed.status == "signed"
    assert (signed.provider_signed_by, signed.municipality_signed_on) == ("Ida Lund", today)
