"""The fidelity expectations: kept in the phase template, edited by administrators, measured against."""

import datetime

import pytest
from django.urls import reverse

from interventions import fidelity
from interventions.fidelity import Period
from interventions.models import Intervention, Phase, PhaseTemplate, SupervisionMeeting
from tests.factories import CitizenFactory, InterventionFactory, PhaseTransitionFactory, VisitFactory

pytestmark = pytest.mark.django_db
URL = reverse("interventions:expectations")
D = datetime.date
DEFAULTS = {
    "contact_every_days_phase_1": 7,
    "contact_every_days_phase_2": 14,
    "contact_every_days_phase_3": 30,
    "icm_contact_every_days": 14,
    "act_contact_every_days": 7,
    "supervision_every_days": 14,
}


def test_the_defaults_are_weekly_fortnightly_monthly_and_supervision_every_two_weeks(admin_client_):
    response = admin_client_.get(URL)
    assert response.status_code == 200
    assert response.context["form"].initial == DEFAULTS
    text = response.content.decode()
    assert "Forventninger til metodetroskab" in text
    assert "kontakt mindst hver (dage), fase 1" in text
    assert "Ingen ændringer endnu" in text or "systemet" in text


def test_an_administrator_changes_the_rhythm_and_fidelity_measures_against_it(admin_client_, worker):
    response = admin_client_.post(URL, {**DEFAULTS, "contact_every_days_phase_2": 10, "supervision_every_days": 7})
    assert response.status_code == 302
    page = admin_client_.get(URL)
    text = page.content.decode()
    assert "Forventningerne er gemt" in text
    assert "Fase 1–3: 7, 10, 30 dage · ICM 14 · ACT 7 · supervision 7 dage" in text
    template = PhaseTemplate.current()
    assert (template.contact_every_days_phase_2, template.supervision_every_days) == (10, 7)
    assert template.history.first().history_user == page.context["user"]

    intervention = InterventionFactory(
        citizen=CitizenFactory(team=worker.team), worker=worker, start_date=D(2026, 1, 1)
    )
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_1, date=D(2026, 1, 1))
    PhaseTransitionFactory(intervention=intervention, phase=Phase.PHASE_2, date=D(2026, 2, 1))
    VisitFactory(intervention=intervention, date=D(2026, 2, 3))
    VisitFactory(intervention=intervention, date=D(2026, 2, 25))
    meeting = SupervisionMeeting.objects.create(team=worker.team, date=D(2026, 2, 5), recorded_by=worker)
    meeting.participants.add(worker)
    period = Period(D(2026, 2, 1), D(2026, 2, 28))
    measurement = fidelity.measure(Intervention.objects.all(), period, team_ids=[worker.team_id], today=D(2026, 3, 1))
    phase_2 = measurement.courses[0].phases[Phase.PHASE_2]
    # 28 days in windows of 10: 1–10 February (visit on the 3rd) and 11–20 (none); 21–28 is not whole.
    assert (phase_2.rhythm_days, phase_2.windows, phase_2.windows_met) == (10, 2, 1)
    assert phase_2.longest_gap == 21  # 4 to 24 February
    # Supervision every 7 days: 4 expected in 28 days, 1 attended.
    assert [(row["attended"], row["expected"]) for row in measurement.attendance] == [(1, 4)]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("contact_every_days_phase_2", "5", "Fase 2 kan ikke forvente tættere kontakt end fase 1"),
        ("contact_every_days_phase_3", "13", "Fase 3 kan ikke forvente tættere kontakt end fase 2"),
        ("supervision_every_days", "0", "Vælg mellem 1 og 92 dage."),
        ("icm_contact_every_days", "120", "Vælg mellem 1 og 92 dage."),
        ("act_contact_every_days", "en uge", "Skriv et helt antal dage, fx 14."),
        ("contact_every_days_phase_1", "", "Skriv et antal dage."),
    ],
)
def test_a_bad_expectation_is_told_in_danish_and_nothing_is_saved(admin_client_, field, value, message):
    response = admin_client_.post(URL, {**DEFAULTS, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].data[field] == value  # what was typed is kept
    template = PhaseTemplate.current()
    assert {name: getattr(template, name) for name in DEFAULTS} == DEFAULTS


def test_only_administrators_edit_the_expectations(lead_client):
    assert lead_client.get(URL).status_code == 403
    assert lead_client.post(URL, DEFAULTS).status_code == 403


def test_the_fidelity_page_links_to_the_expectations_for_administrators(admin_client_):
    assert URL in admin_client_.get(reverse("interventions:method_fidelity")).content.decode()


def test_a_team_lead_sees_no_link_to_the_expectations(lead_client):
    assert URL not in lead_client.get(reverse("interventions:method_fidelity")).content.decode()
