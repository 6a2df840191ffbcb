"""Journeys: logging in on a phone, and the doors that stay shut (another team's citizen, an admin page)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.helpers import assert_accessible, assert_styled, shoot
from tests.factories import CitizenFactory, TeamFactory, WorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_worker_logs_in_on_a_phone(pages, phone):
    worker = WorkerFactory(first_name="Sara", team=TeamFactory(name="Team Nord"))

    phone.goto(pages.url("/"))
    expect(phone).to_have_url(pages.url("/login/?next=/"))
    expect(phone.get_by_role("heading", name="Log ind")).to_be_visible()
    assert_styled(phone)
    button = phone.get_by_role("button", name="Log ind")
    assert_accessible(phone, "login-phone")
    shoot(phone, "login-phone")

    phone.get_by_label("Brugernavn").fill(worker.username)
    phone.get_by_label("Adgangskode").fill("wrong-password")
    button.click()
    expect(phone.get_by_text("Indtast venligst korrekt brugernavn og adgangskode")).to_be_visible()
    expect(phone.get_by_label("Brugernavn")).to_have_value(worker.username)
    assert_accessible(phone, "login-error-phone")

    phone.get_by_label("Adgangskode").fill("test-password-1")
    phone.get_by_role("button", name="Log ind").click()
    expect(phone).to_have_url(pages.url("/"))
    expect(phone.get_by_role("heading", name="Hej Sara")).to_be_visible()
    # On a phone the menu folds behind the toggler and opens with a tap.
    menu = phone.get_by_role("button", name="Vis menu")
    expect(menu).to_be_visible()
    menu.tap()
    expect(phone.get_by_role("link", name="Overblik")).to_be_visible()
    # Who is logged in, with role and team, sits behind the user's name in the menu.
    phone.get_by_role("button", name=worker.get_full_name()).tap()
    expect(phone.get_by_text("Team Nord")).to_be_visible()
    expect(phone.get_by_role("button", name="Log ud")).to_be_visible()
    assert_accessible(phone, "dashboard-worker-phone")
    shoot(phone, "dashboard-worker-phone")


def test_worker_of_another_team_gets_the_404_page(pages, desktop):
    citizen = CitizenFactory(team=TeamFactory(name="Team Syd"))
    outsider = WorkerFactory(team=TeamFactory(name="Team Nord"))
    pages.log_in(desktop, outsider)

    response = desktop.goto(pages.url(reverse("citizens:detail", args=[citizen.pk])))

    assert response.status == 404
    expect(desktop).to_have_title("Siden findes ikke · Bostøtte")
    expect(desktop.get_by_role("heading", name="Siden findes ikke")).to_be_visible()
    expect(desktop.get_by_text("Siden findes ikke, eller du har ikke adgang til den.")).to_be_visible()
    # In the app's layout: the worker keeps the menu and a way back.
    expect(desktop.get_by_role("navigation", name="Hovedmenu")).to_be_visible()
    expect(desktop.get_by_text(citizen.first_name)).to_have_count(0)
    desktop.get_by_role("link", name="Gå til overblikket").click()
    expect(desktop).to_have_url(pages.url("/"))
    desktop.go_back()
    assert_accessible(desktop, "404")
    shoot(desktop, "404")


def test_worker_on_an_administrator_page_gets_the_403_page(pages, phone):
    pages.log_in(phone, WorkerFactory())

    response = phone.goto(pages.url(reverse("municipality_list")))

    assert response.status == 403
    expect(phone.get_by_role("heading", name="Du har ikke adgang til denne side")).to_be_visible()
    expect(phone.get_by_role("link", name="Gå til overblikket")).to_be_visible()
    assert_accessible(phone, "403-phone")
    shoot(phone, "403-phone")
