"""Journey: a workshop leader fills in the day's attendance list on a phone, with Danish decimals."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_fits, open_menu, shoot
from tests.factories import CitizenFactory, WorkshopFactory
from workshops.models import WorkshopHours

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_workshop_leader_saves_a_days_attendance_list_on_a_phone(pages, phone):
    names = [("Mona", "Holm"), ("Ole", "Brandt"), ("Lis", "Østergaard"), ("Jan", "Thomsen")]
    citizens = [CitizenFactory(first_name=first, last_name=last) for first, last in names]
    workshop = WorkshopFactory(name="Cykelværkstedet", participants=citizens)
    page = pages.log_in(phone, workshop.leader)

    page.get_by_role("link", name="Cykelværkstedet: dagens fremmøde").tap()
    expect(page.get_by_role("heading", name="Cykelværkstedet")).to_be_visible()
    page.get_by_label("Mona Holm").fill("7,5")
    page.get_by_label("Ole Brandt").fill("4")
    page.get_by_label("Lis Østergaard").fill("3,25")
    assert_fits(page, "workshop-attendance-phone")
    assert_accessible(page, "workshop-attendance-phone")
    shoot(page, "workshop-attendance-phone")
    page.get_by_role("button", name="Gem dagens timer").tap()

    expect(page.get_by_text("med timer.")).to_contain_text("3 med timer")
    expect(page.get_by_label("Mona Holm")).to_have_value("7,50")
    expect(page.get_by_label("Jan Thomsen")).to_have_value("")
    shoot(page, "workshop-attendance-saved-phone")
    today = datetime.date.today()
    assert sorted(WorkshopHours.objects.filter(date=today).values_list("hours", flat=True)) == [
        Decimal("3.25"), Decimal("4.00"), Decimal("7.50")
    ]  # fmt: skip


def test_the_administrator_pays_the_demo_month_and_reads_a_statement(pages, desktop, demo):
    from workshops.models import WorkBonusMonth

    page = pages.log_in(desktop, demo["admin"], password="demo")
    open_menu(page, "Arbejdsdusør")
    expect(page.get_by_role("heading", name="Arbejdsdusør")).to_contain_text("Arbejdsdusør ·")
    expect(page.get_by_text("lønkontoret trækker A-skat")).to_be_visible()
    assert_accessible(page, "work-bonus-month")
    shoot(page, "work-bonus-month")
    page.get_by_label("Opgørelserne er kontrolleret. Udbetal måneden og lås dens timer.").check()
    page.get_by_role("button", name="Udbetal arbejdsdusøren for").click()
    expect(page.get_by_text("borgere; timerne er låst.")).to_be_visible()
    expect(page.get_by_role("button", name="Lønliste (CSV)")).to_be_visible()
    assert WorkBonusMonth.objects.filter(paid_at__isnull=False).count() == 2
    shoot(page, "work-bonus-month-paid")

    page.get_by_role("row").filter(has_text="rettelse af en udbetalt måned").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Opgørelse af arbejdsdusør")).to_be_visible()
    expect(page.get_by_text("Rettelse for")).to_be_visible()
    assert_accessible(page, "work-bonus-statement")
    shoot(page, "work-bonus-statement")
