"""The lead's and the worker's desk: the visit list's filters, the overview's counts as links, and one
rule for who may change a worker's work (visits and bookings)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.services import can_manage_booking
from agreements.models import AgreementText
from citizens import crypto
from interventions.models import Visit
from interventions.services import can_change_work, can_edit_visit
from tests.factories import (
    AgreementFactory,
    BookingFactory,
    CitizenFactory,
    InterventionFactory,
    TeamFactory,
    TeamLeadFactory,
    VisitFactory,
    WorkerFactory,
)

VISITS = reverse("interventions:visit_list")


def today():
    return timezone.localdate()


# --- the visit list ------------------------------------------------------------------------------------


def test_the_visit_list_filters_by_citizen_period_and_kind(worker_client, worker):
    holm = InterventionFactory(
        citizen=CitizenFactory(team=worker.team, first_name="Ida", last_name="Holm"), worker=worker
    )
    krog = InterventionFactory(
        citizen=CitizenFactory(team=worker.team, first_name="Per", last_name="Krog"), worker=worker
    )
    VisitFactory(intervention=holm, date=today() - datetime.timedelta(days=40), kind=Visit.Kind.PHONE)
    VisitFactory(intervention=holm, date=today() - datetime.timedelta(days=3))
    VisitFactory(intervention=krog, date=today() - datetime.timedelta(days=2))

    def shown(**params):
        return worker_client.get(VISITS, params).content.decode()

    html = shown(citizen=holm.citizen_id)
    assert "2 besøg passer" in html and "· Per Krog" not in html
    html = shown(date_after=(today() - datetime.timedelta(days=10)).isoformat())
    assert "2 besøg passer" in html
    html = shown(kind="phone")
    assert "1 besøg passer" in html and "Telefonopkald" in html
    html = shown(citizen=holm.citizen_id, date_before=(today() - datetime.timedelta(days=30)).isoformat())
    assert "1 besøg passer" in html


def test_the_visit_list_offers_only_citizens_the_user_may_see(worker_client, worker):
    InterventionFactory(citizen=CitizenFactory(team=worker.team, first_name="Ida", last_name="Holm"), worker=worker)
    stranger = CitizenFactory(team=TeamFactory(), first_name="Skjult", last_name="Fremmed")
    html = worker_client.get(VISITS).content.decode()
    assert "Ida Holm" in html and "Skjult Fremmed" not in html
    html = worker_client.get(VISITS, {"citizen": stranger.pk}).content.decode()
    assert "Vælg et gyldigt valg" in html or "gyldig" in html


def test_the_citizen_filter_offers_the_workers_own_citizens_not_every_citizen(lead_client, team_lead, worker):
    """A lead (or an administrator, who sees the country) choosing a worker gets that worker's citizens only."""
    InterventionFactory(citizen=CitizenFactory(team=worker.team, first_name="Ida", last_name="Holm"), worker=worker)
    CitizenFactory(team=worker.team, first_name="Anden", last_name="Kollegas")  # the team's, not this worker's
    html = lead_client.get(VISITS, {"worker": worker.pk}).content.decode()
    assert "Ida Holm" in html and "Anden Kollegas" not in html


def test_the_visit_list_is_paginated_and_its_filters_survive_the_pages(worker_client, worker):
    course = InterventionFactory(citizen=CitizenFactory(team=worker.team), worker=worker)
    start = today() - datetime.timedelta(days=200)
    for n in range(55):
        VisitFactory(intervention=course, date=start + datetime.timedelta(days=n), kind=Visit.Kind.PHONE)
    html = worker_client.get(VISITS, {"kind": "phone"}).content.decode()
    assert "Side 1 af 2" in html and "kind=phone" in html and "page=2" in html


@pytest.mark.parametrize("filtered", [False, True])
def test_the_visit_list_costs_the_same_queries_and_never_decrypts_a_cpr(
    worker_client, worker, django_assert_max_num_queries, monkeypatch, filtered
):
    def add(n):
        for _ in range(n):
            course = InterventionFactory(citizen=CitizenFactory(team=worker.team), worker=worker)
            VisitFactory(intervention=course)

    params = {"kind": "home_visit", "date_after": "2000-01-01"} if filtered else {}
    add(3)

    def refuse(value):
        raise AssertionError("the visit list decrypted a CPR number")

    monkeypatch.setattr(crypto, "decrypt_cpr", refuse)
    with django_assert_max_num_queries(30) as captured:
        assert worker_client.get(VISITS, params).status_code == 200
    few = len(captured)
    monkeypatch.undo()
    add(20)
    monkeypatch.setattr(crypto, "decrypt_cpr", refuse)
    with django_assert_max_num_queries(few):
        assert worker_client.get(VISITS, params).status_code == 200


# --- the overview's counts are links --------------------------------------------------------------------


def test_the_leads_counts_link_to_the_rows_behind_them(lead_client, team_lead, worker):
    team = team_lead.team
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Yding"), worker=None)
    CitizenFactory(team=team, last_name="Zorn")
    InterventionFactory(citizen=CitizenFactory(team=team, last_name="Qvist"), worker=worker)
    page = lead_client.get("/").content.decode()
    assert '<a href="/borgere/?worker=none">2 borgere uden medarbejder</a>' in page
    assert f'href="{reverse("interventions:fidelity")}"' in page
    listing = lead_client.get("/borgere/?worker=none").content.decode()
    assert "2 borgere" in listing and "Yding" in listing and "Zorn" in listing and "Qvist" not in listing


def test_agreements_that_need_action_link_to_their_list(admin_client_, provider):
    late = timezone.now() - datetime.timedelta(days=20)
    AgreementFactory(status="issued", issued_at=late, text=AgreementText.current())
    page = admin_client_.get("/").content.decode()
    assert f'<a href="{reverse("agreements:list")}?reminder=unsigned">' in page
    assert "(1)</a>" in page


# --- one rule for changing a worker's work ---------------------------------------------------------------


def test_one_rule_decides_who_changes_visits_and_bookings(db, worker, team_lead, administrator):
    course = InterventionFactory(citizen=CitizenFactory(team=worker.team), worker=worker)
    visit = VisitFactory(intervention=course)
    booking = BookingFactory(intervention=course)
    colleague = WorkerFactory(team=worker.team)
    other_lead = TeamLeadFactory(team=TeamFactory())
    for user, allowed in (
        (worker, True),
        (team_lead, True),
        (administrator, True),
        (colleague, False),
        (other_lead, False),
    ):
        assert can_change_work(user, worker_id=worker.pk, team_id=worker.team_id) is allowed
        assert can_edit_visit(user, visit) is allowed
        assert can_manage_booking(user, booking) is allowed
