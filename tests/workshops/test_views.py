"""The workshop pages: the day's attendance list on a phone, the month's work bonus, who may see what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import CitizenFactory, WorkshopFactory
from tests.workshops.conftest import MARCH
from workshops import services
from workshops.models import WorkBonusMonth, WorkshopHours

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 3, 3)


def attendance_url(workshop, day=DAY):
    return f"{reverse('workshops:attendance', args=[workshop.pk])}?dato={day:%Y-%m-%d}"


def test_the_leader_saves_a_whole_days_list_with_danish_decimals(client, workshop, leader, citizen):
    other = CitizenFactory(first_name="Ole")
    workshop.participants.add(other)
    logged_in(client, leader)

    response = client.post(
        attendance_url(workshop),
        {"dato": "2025-03-03", f"hours_{citizen.pk}": "7,5", f"hours_{other.pk}": ""},
        follow=True,
    )

    assert "Fremmødelisten for mandag 3. marts er gemt: 1 med timer." in response.content.decode()
    assert list(WorkshopHours.objects.values_list("citizen", "hours")) == [(citizen.pk, Decimal("7.50"))]
    assert 'value="7,50"' in response.content.decode()


def test_a_bad_number_is_shown_on_its_row_and_nothing_is_lost(client, workshop, leader, citizen):
    logged_in(client, leader)

    response = client.post(attendance_url(workshop), {"dato": "2025-03-03", f"hours_{citizen.pk}": "7.5.1"})

    assert "Skriv timerne som et tal, fx 7,5." in response.content.decode()
    assert 'value="7.5.1"' in response.content.decode()
    assert not WorkshopHours.objects.exists()


def test_a_paid_months_list_is_locked_and_a_post_to_it_is_refused_in_danish(
    client, workshop, leader, citizen, administrator
):
    services.pay_month(month=MARCH, by=administrator)
    logged_in(client, leader)

    page = client.get(attendance_url(workshop)).content.decode()
    assert "Arbejdsdusøren for marts 2025 er udbetalt: timerne er låst." in page
    response = client.post(attendance_url(workshop), {"dato": "2025-03-03", f"hours_{citizen.pk}": "2"})
    assert "Registrér ændringen som en rettelse i april 2025" in response.content.decode()
    assert not WorkshopHours.objects.exists()


def test_another_leaders_workshop_is_404_and_a_support_worker_has_no_workshops(client, workshop, worker):
    logged_in(client, WorkshopFactory().leader)
    assert client.get(attendance_url(workshop)).status_code == 404
    logged_in(client, worker)
    assert client.get(reverse("workshops:list")).status_code == 403


def test_the_attendance_list_runs_a_constant_number_of_queries(client, workshop, leader, django_assert_max_num_queries):
    for _ in range(20):
        citizen = CitizenFactory()
        workshop.participants.add(citizen)
        services.log_hours(workshop=workshop, citizen=citizen, date=DAY, hours=Decimal("3"), by=leader)
    logged_in(client, leader)
    with django_assert_max_num_queries(12):
        assert client.get(attendance_url(workshop)).status_code == 200


def test_the_month_page_lists_statements_and_pays_the_month(
    admin_client_, workshop, leader, citizen, django_assert_max_num_queries
):
    for day in range(3, 13):
        other = CitizenFactory()
        services.log_hours(workshop=workshop, citizen=other, date=MARCH.replace(day=day), hours=Decimal("2"), by=leader)
    services.log_hours(workshop=workshop, citizen=citizen, date=DAY, hours=Decimal("6"), by=leader)
    url = f"{reverse('workshops:month')}?month=2025-03"
    with django_assert_max_num_queries(12):
        page = admin_client_.get(url).content.decode()
    assert "Mona Holm" in page and "180,00 kr." in page and "A-skat" in page

    refused = admin_client_.post(reverse("workshops:pay"), {"month": "2025-03"}, follow=True)
    assert "Sæt flueben for at udbetale måneden" in refused.content.decode()
    paid = admin_client_.post(reverse("workshops:pay"), {"month": "2025-03", "confirm": "on"}, follow=True)
    assert "Arbejdsdusøren for marts 2025 er udbetalt til 11 borgere" in paid.content.decode()
    assert WorkBonusMonth.objects.get(month=MARCH).is_paid


def test_the_statement_shows_the_correction_line_and_the_a_tax_sentence(
    admin_client_, workshop, leader, citizen, administrator
):
    services.log_hours(workshop=workshop, citizen=citizen, date=DAY, hours=Decimal("6"), by=leader)
    services.pay_month(month=MARCH, by=administrator)
    services.correct_hours(
        workshop=workshop, citizen=citizen, date=DAY, hours=Decimal("1.5"), note="Glemt fredag", by=leader
    )

    page = admin_client_.get(f"{reverse('workshops:statement', args=[citizen.pk])}?month=2025-04").content.decode()

    assert "Rettelse for 03.03.2025 (en udbetalt måned)" in page and "Glemt fredag" in page
    assert "45,00 kr." in page and "AM-bidrag (8,00 %)" in page and "3,60 kr." in page
    assert "lønkontoret trækker den efter borgerens skattekort" in page


def test_the_citizen_page_shows_the_employment_department_and_the_months_hours(lead_client, team_lead, leader):
    from tests.factories import InterventionFactory

    intervention = InterventionFactory(citizen=CitizenFactory(team=team_lead.team), employment_department=True)
    workshop = WorkshopFactory(name="Snedkeriet", leader=leader, participants=[intervention.citizen])
    services.log_hours(
        workshop=workshop, citizen=intervention.citizen, date=datetime.date.today(), hours=Decimal("4.5"), by=leader
    )

    page = lead_client.get(intervention.citizen.get_absolute_url()).content.decode()

    assert "Tilbuddets beskæftigelsesafdeling er involveret" in page
    assert "Snedkeriet: 4,50 t" in page
