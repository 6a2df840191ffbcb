import datetime

import pytest
from django.core.exceptions import ValidationError

from interventions import services
from interventions.models import Intervention
from tests.factories import CitizenFactory, InterventionFactory, WorkerFactory

pytestmark = pytest.mark.django_db


def _open(worker, method, n):
    for _i in range(n):
        InterventionFactory(worker=worker, method=method, citizen=CitizenFactory(team=worker.team))


def _unassigned(team, method="CTI"):
    return InterventionFactory(worker=None, coordinator=None, method=method, citizen=CitizenFactory(team=team))


def test_assigning_within_the_cap(worker, team_lead):
    _open(worker, "CTI", 9)
    _open(worker, "ICM", 1)
    intervention = _unassigned(worker.team, "ICM")
    services.assign_worker(intervention=intervention, worker=worker, by=team_lead)
    intervention.refresh_from_db()
    assert intervention.worker == worker
    assert intervention.coordinator == worker  # the case manager holds the thread unless told otherwise


def test_an_assignment_past_the_cap_names_who_has_room(worker, team_lead):
    WorkerFactory(team=worker.team, first_name="Amina", last_name="Hassan")
    full = WorkerFactory(team=worker.team, first_name="Ole", last_name="Fuld")
    _open(worker, "CTI", 9)
    _open(worker, "ICM", 2)
    _open(full, "ICM", 8)
    intervention = _unassigned(worker.team)
    with pytest.raises(ValidationError) as error:
        services.assign_worker(intervention=intervention, worker=worker, by=team_lead)
    message = error.value.messages[0]
    assert "har ikke plads til endnu en CTI-borger: 9 CTI + 2 ICM = 1,00" in message
    assert "Plads til CTI: Amina Hassan." in message
    intervention.refresh_from_db()
    assert intervention.worker is None


def test_when_nobody_has_room_the_message_says_so(worker, team_lead):
    _open(worker, "CTI", 12)
    intervention = _unassigned(worker.team)
    with pytest.raises(ValidationError, match="Ingen i teamet har plads til CTI"):
        services.assign_worker(intervention=intervention, worker=worker, by=team_lead)


def test_ended_interventions_do_not_count(worker, team_lead):
    _open(worker, "CTI", 11)
    InterventionFactory(
        worker=worker,
        citizen=CitizenFactory(team=worker.team),
        status=Intervention.Status.ENDED,
        end_date=datetime.date.today(),
        end_reason="goals_met",
    )
    services.assign_worker(intervention=_unassigned(worker.team), worker=worker, by=team_lead)


def test_worker_of_another_team_is_refused(worker, team_lead):
    stranger = WorkerFactory()
    with pytest.raises(ValidationError, match="er ikke i borgerens team"):
        services.assign_worker(intervention=_unassigned(worker.team), worker=stranger, by=team_lead)


def test_worker_not_qualified_for_the_method_is_refused(worker, team_lead):
    cti_only = WorkerFactory(team=worker.team, qualified_icm=False)
    with pytest.raises(ValidationError, match="er ikke uddannet i ICM"):
        services.assign_worker(intervention=_unassigned(worker.team, "ICM"), worker=cti_only, by=team_lead)


def test_act_is_capped_per_team(worker, team_lead):
    worker.team.act_cap = 1
    worker.team.save()
    act_worker = WorkerFactory(team=worker.team, qualified_act=True)
    services.assign_worker(intervention=_unassigned(worker.team, "ACT"), worker=act_worker, by=team_lead)
    with pytest.raises(ValidationError, match="Teamet har allerede 1 ACT-borgere"):
        services.assign_worker(intervention=_unassigned(worker.team, "ACT"), worker=act_worker, by=team_lead)


def test_one_open_intervention_per_citizen(worker, team_lead):
    intervention = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    with pytest.raises(ValidationError, match="har allerede en indsats, der ikke er afsluttet"):
        services.start_intervention(
            citizen=intervention.citizen, method="ICM", start_date=datetime.date.today(), by=team_lead
        )


def test_change_of_method_starts_a_linked_intervention(worker, team_lead):
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    new = services.change_method(
        intervention=old, method="ICM", date=datetime.date.today(), by=team_lead, worker=worker
    )
    old.refresh_from_db()
    assert old.status == Intervention.Status.ENDED
    assert old.end_reason == Intervention.EndReason.METHOD_CHANGE
    assert new.previous == old and new.method == "ICM" and new.worker == worker


def test_citizens_choice_refused_needs_a_reason(worker, team_lead):
    citizen = CitizenFactory(team=worker.team)
    with pytest.raises(ValidationError, match="skriv dens begrundelse"):
        services.start_intervention(
            citizen=citizen,
            method="CTI",
            start_date=datetime.date.today(),
            by=team_lead,
            chosen_worker=worker,
            choice_accepted=False,
        )


def test_pause_and_return(worker):
    intervention = InterventionFactory(worker=worker)
    today = datetime.date.today()
    services.start_pause(intervention=intervention, from_date=today, reason="hospital", by=worker)
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.PAUSED
    with pytest.raises(ValidationError, match="allerede sat på pause"):
        services.start_pause(intervention=intervention, from_date=today, reason="prison", by=worker)
    services.end_pause(intervention=intervention, to_date=today, by=worker)
    intervention.refresh_from_db()
    assert intervention.status == Intervention.Status.ACTIVE


def test_phase_transitions_in_order(worker):
    intervention = InterventionFactory(worker=worker)
    today = datetime.date.today()
    services.record_phase(intervention=intervention, phase="2", date=today, by=worker)
    with pytest.raises(ValidationError, match="allerede registreret"):
        services.record_phase(intervention=intervention, phase="2", date=today, by=worker)
    with pytest.raises(ValidationError, match="før fasen før den"):
        services.record_phase(intervention=intervention, phase="3", date=today - datetime.timedelta(days=1), by=worker)


# --- Changing method: choosing the new course's worker is an assignment --------------------------------


def test_a_worker_cannot_choose_a_worker_when_changing_method(worker):
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    colleague = WorkerFactory(team=worker.team)
    with pytest.raises(ValidationError, match="Kun en teamleder kan vælge bostøttemedarbejderen."):
        services.change_method(intervention=old, method="ICM", date=datetime.date.today(), by=worker, worker=colleague)
    old.refresh_from_db()
    assert old.status == Intervention.Status.ACTIVE
    assert not Intervention.objects.filter(worker=colleague).exists()


def test_a_lead_chooses_another_worker_when_changing_method(worker, team_lead):
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    colleague = WorkerFactory(team=worker.team)
    new = services.change_method(
        intervention=old, method="ICM", date=datetime.date.today(), by=team_lead, worker=colleague
    )
    assert new.worker == colleague and new.previous == old


def test_a_method_change_keeps_the_worker_who_works_with_the_new_method(worker):
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    new = services.change_method(intervention=old, method="ICM", date=datetime.date.today(), by=worker)
    assert new.worker == worker and new.method == "ICM"
    assert new.follow_up_date == old.follow_up_date  # the follow-up agreed with the municipality stands


def test_a_method_change_leaves_the_course_unassigned_when_the_worker_is_not_qualified(worker):
    worker.qualified_icm = False
    worker.save()
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    new = services.change_method(intervention=old, method="ICM", date=datetime.date.today(), by=worker)
    old.refresh_from_db()
    assert old.status == Intervention.Status.ENDED
    assert new.worker is None and new.status == Intervention.Status.ACTIVE


def test_a_method_change_leaves_the_course_unassigned_when_the_worker_has_no_room(worker):
    _open(worker, "CTI", 11)
    old = InterventionFactory(worker=worker, citizen=CitizenFactory(team=worker.team))
    # 11/12 CTI left after the old course ends; an ICM citizen (1/8) would pass 1,00.
    new = services.change_method(intervention=old, method="ICM", date=datetime.date.today(), by=worker)
    assert new.worker is None
    assert Intervention.objects.get(pk=old.pk).status == Intervention.Status.ENDED
