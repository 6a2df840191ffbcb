"""The citizen's statement as a PDF, the month's payroll list as CSV, the rates page and the demo."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from citizens.models import CprAccess
from housingfirst.models import Export
from tests.workshops.conftest import MARCH
from workshops import services
from workshops.models import LabourMarketContributionRate, WorkBonusMonth, WorkBonusRate, Workshop, WorkshopHours

pytestmark = pytest.mark.django_db
D = datetime.date


def _download(client, response):
    export = Export.objects.get(pk=response.url.rstrip("/").split("/")[-1])
    return client.get(reverse("export_download", args=[export.pk]))


def test_the_statement_pdf_is_plain_danish_and_says_who_withholds_a_tax(
    admin_client_, administrator, provider, workshop, leader, citizen
):
    services.add_work_bonus_rate(hourly_rate=Decimal("32.00"), valid_from=D(2025, 3, 15))
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 17), hours=Decimal("4.5"), by=leader)

    response = admin_client_.post(reverse("workshops:statement_pdf", args=[citizen.pk]), {"month": "2025-03"})
    pdf = _download(admin_client_, response)

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Din arbejdsdusør for marts 2025" in text and "Mona Holm" in text
    assert "Foreløbig" in text  # not paid yet
    assert "03.03.2025" in text and "17.03.2025" in text and "30,00 kr." in text and "32,00 kr." in text
    assert "324,00 kr." in text  # 6 × 30 + 4,5 × 32
    assert "AM-bidrag (8,00 %)" in text and "25,92 kr." in text and "298,08 kr." in text
    assert "Lønkontoret trækker A-skat" in text and "skattekort" in text
    assert CprAccess.objects.filter(citizen=citizen, user=administrator).exists()


def test_the_payroll_csv_has_full_cpr_and_its_download_is_logged_per_citizen(
    admin_client_, administrator, workshop, leader, citizen
):
    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("2.25"), by=leader)
    url = reverse("workshops:payroll_csv")

    refused = admin_client_.post(url, {"month": "2025-03"}, follow=True)
    assert "Udbetal måneden først" in refused.content.decode()

    services.pay_month(month=MARCH, by=administrator)
    content = _download(admin_client_, admin_client_.post(url, {"month": "2025-03"})).content.decode("utf-8-sig")

    header, row = content.strip().splitlines()
    assert header == "CPR;Navn;Måned;Timer;Sats;Brutto;AM-bidrag %;AM-bidrag;Før A-skat;Rettelser"
    assert row == f"{citizen.cpr};Mona Holm;2025-03;2,25;30,00;67,50;8,00;5,40;62,10;0"
    assert CprAccess.objects.filter(citizen=citizen, user=administrator).count() == 1


def test_a_team_lead_may_not_ask_for_the_payroll_list(lead_client):
    assert lead_client.post(reverse("workshops:payroll_csv"), {"month": "2025-03"}).status_code == 403


def test_the_rates_page_shows_and_adds_to_every_dated_table(admin_client_):
    page = admin_client_.get(reverse("invoicing:rates")).content.decode()
    assert "Døgntakst (forsorgshjem)" in page and "Arbejdsdusør pr. time" in page and "AM-bidrag" in page
    assert "30,00 kr." in page and "8,00 %" in page

    added = admin_client_.post(
        reverse("invoicing:rates"),
        {"table": "bonus", "bonus-hourly_rate": "31,50", "bonus-valid_from": "2027-01-01", "bonus-note": "2027"},
        follow=True,
    )
    assert "Arbejdsdusør pr. time: 31,50 kr. gælder fra 01.01.2027." in added.content.decode()
    assert WorkBonusRate.objects.filter(valid_from=D(2027, 1, 1), hourly_rate=Decimal("31.50")).exists()
    admin_client_.post(reverse("invoicing:rates"), {"table": "am", "am-percent": "8,5", "am-valid_from": "2027-01-01"})
    assert LabourMarketContributionRate.objects.filter(percent=Decimal("8.5")).exists()
    admin_client_.post(
        reverse("invoicing:rates"),
        {"table": "shelter", "shelter-day_rate": "1450,00", "shelter-valid_from": "2027-01-01"},
    )
    from invoicing.models import ShelterDayRate

    assert ShelterDayRate.objects.filter(day_rate=Decimal("1450.00")).exists()


def test_a_bonus_rate_in_a_paid_month_is_refused_on_the_rates_page(admin_client_, administrator):
    services.pay_month(month=MARCH, by=administrator)

    response = admin_client_.post(
        reverse("invoicing:rates"), {"table": "bonus", "bonus-hourly_rate": "40", "bonus-valid_from": "2025-03-10"}
    )

    assert (
        "Arbejdsdusøren for marts 2025 er udbetalt. En ny sats kan tidligst gælde fra 01.04.2025."
        in response.content.decode()
    )


def test_the_demo_has_a_workshop_with_a_month_of_hours_a_paid_month_and_a_correction(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = WorkshopHours.objects.count()
    call_command("seed_demo")

    assert WorkshopHours.objects.count() == counts
    workshop = Workshop.objects.get(name="Cykelværkstedet")
    assert workshop.leader.username == "vaerkstedsleder" and workshop.leader.check_password("demo")
    assert workshop.leader.is_workshop_leader
    last_month = (D.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert WorkshopHours.objects.filter(bonus_month=last_month, is_correction=False).count() >= 40
    assert WorkshopHours.objects.filter(bonus_month=last_month, is_correction=True).count() == 1
    assert WorkBonusMonth.objects.filter(paid_at__isnull=False).count() == 1


def test_the_citizens_access_export_and_erasure_cover_workshop_hours(workshop, leader, citizen, administrator):
    from housingfirst import personal_data

    services.log_hours(workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("6"), by=leader)
    services.pay_month(month=MARCH, by=administrator)
    services.correct_hours(
        workshop=workshop, citizen=citizen, date=D(2025, 3, 3), hours=Decimal("-1"), note="Syg", by=leader
    )

    keys = {section.key for section in personal_data.sections_for(citizen)}
    assert {"workshop_hours", "workshops"} <= keys
    for erase in personal_data.erasers():
        if erase.__module__ == "workshops.personal_data":
            erase(citizen)

    assert not WorkshopHours.objects.filter(note="Syg").exists()
    assert not WorkshopHours.history.filter(note="Syg").exists()
    assert WorkshopHours.objects.filter(citizen=citizen).count() == 2  # the payroll's record stays
    assert not workshop.participants.filter(pk=citizen.pk).exists()
