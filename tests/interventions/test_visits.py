import datetime

import pytest
from django.core.exceptions import ValidationError

from interventions import services
from interventions.models import Intervention, Visit
from tests.factories import InterventionFactory, LockedMonthFactory, VisitFactory, WorkerFactory, life_area

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
T10 = datetime.time(10, 0)


def _log(intervention, by, **kwargs):
    values = {"date": TODAY, "start_time": T10, "duration_minutes": 30, "kind": Visit.Kind.HOME_VISIT}
    values.update(kwargs)
    return services.log_visit(intervention=intervention, by=by, **values)


def _refused(intervention, by, text, **kwargs):
    with pytest.raises(ValidationError) as error:
        _log(intervention, by, **kwargs)
    assert any(text in message for message in error.value.messages), error.value.messages
    assert not Visit.objects.filter(intervention=intervention, note="refused").exists()


@pytest.fixture
def intervention(worker):
    return InterventionFactory(worker=worker, citizen__team=worker.team, start_date=TODAY - datetime.timedelta(days=60))


def test_a_visit_is_logged_with_its_life_areas(worker, intervention):
    visit = _log(intervention, worker, life_areas=[life_area("Bolig"), life_area("Økonomi")], note="Møbler")
    assert visit.worker == worker and visit.billable
    assert sorted(area.name for area in visit.life_areas.all()) == ["Bolig", "Økonomi"]


def test_before_the_intervention_started(worker, intervention):
    _refused(intervention, worker, "Indsatsen startede", date=intervention.start_date - datetime.timedelta(days=1))


def test_after_the_intervention_ended(worker, intervention):
    intervention.status = Intervention.Status.ENDED
    intervention.end_date = TODAY - datetime.timedelta(days=5)
    intervention.end_reason = "goals_met"
    intervention.save()
    _refused(intervention, worker, "Indsatsen sluttede", date=TODAY - datetime.timedelta(days=2))


def test_in_the_future(worker, intervention):
    _refused(intervention, worker, "Datoen ligger i fremtiden", date=TODAY + datetime.timedelta(days=1))


def test_in_an_invoiced_month(worker, intervention):
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=TODAY.replace(day=1))
    _refused(intervention, worker, "er faktureret", note="refused")
    _refused(intervention, worker, "kreditnota")


@pytest.mark.parametrize(("minutes", "text"), [(0, "mindst 1 minut"), (-15, "mindst 1 minut"), (721, "højst 720")])
def test_bad_durations(worker, intervention, minutes, text):
    _refused(intervention, worker, text, duration_minutes=minutes)


def test_overlapping_visits_by_the_same_worker(worker, intervention):
    _log(intervention, worker, start_time=datetime.time(10, 0), duration_minutes=60)
    other = InterventionFactory(worker=worker)
    _refused(
        other, worker, f"Du har allerede et besøg den {TODAY:%d.%m.%Y} fra 10:00", start_time=datetime.time(10, 45)
    )
    _refused(other, worker, "Du har allerede et besøg", start_time=datetime.time(9, 30), duration_minutes=31)
    _log(other, worker, start_time=datetime.time(11, 0))  # touching end to start is fine
    _log(other, worker, start_time=datetime.time(9, 30), duration_minutes=30)
    colleague = WorkerFactory(team=worker.team)
    _log(intervention, colleague, start_time=datetime.time(10, 0))  # another worker may be there too


def test_a_visit_overlapping_across_midnight_is_refused(worker, intervention):
    yesterday = TODAY - datetime.timedelta(days=1)
    _log(intervention, worker, date=yesterday, start_time=datetime.time(23, 0), duration_minutes=180)
    other = InterventionFactory(worker=worker, citizen__team=worker.team, start_date=yesterday)
    _refused(
        other, worker, f"Du har allerede et besøg den {yesterday:%d.%m.%Y} fra 23:00", start_time=datetime.time(0, 30)
    )
    _log(other, worker, start_time=datetime.time(2, 0))  # after the night visit ended at 02:00


def test_a_late_visit_running_into_a_logged_morning_is_refused(worker, intervention):
    yesterday = TODAY - datetime.timedelta(days=1)
    _log(intervention, worker, start_time=datetime.time(1, 0), duration_minutes=30)
    _refused(
        intervention,
        worker,
        "Du har allerede et besøg",
        date=yesterday,
        start_time=datetime.time(22, 0),
        duration_minutes=200,
    )


def test_worker_corrects_own_visit_but_not_a_colleagues(worker, intervention):
    visit = _log(intervention, worker)
    services.change_visit(visit=visit, by=worker, duration_minutes=45)
    visit.refresh_from_db()
    assert visit.duration_minutes == 45
    colleague = WorkerFactory(team=worker.team)
    with pytest.raises(ValidationError, match="kun rette dine egne besøg"):
        services.change_visit(visit=visit, by=colleague, duration_minutes=50)


def test_lead_corrects_the_teams_visits(worker, team_lead, intervention):
    visit = _log(intervention, worker)
    services.change_visit(visit=visit, by=team_lead, note="Rettet af teamleder")


def test_a_visit_in_an_invoiced_month_cannot_be_changed_moved_or_deleted(worker, intervention):
    last_month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    visit = VisitFactory(intervention=intervention, worker=worker, date=last_month)
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=last_month.replace(day=1))
    for change in ({"duration_minutes": 60}, {"date": TODAY}):
        with pytest.raises(ValidationError, match="kreditnota"):
            services.change_visit(visit=visit, by=worker, **change)
    with pytest.raises(ValidationError, match="kreditnota"):
        services.delete_visit(visit=visit, by=worker)
    assert Visit.objects.filter(pk=visit.pk, duration_minutes=45).exists()


def test_a_visit_cannot_be_moved_into_an_invoiced_month(worker, intervention):
    last_month = (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
    visit = _log(intervention, worker)
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=last_month.replace(day=1))
    with pytest.raises(ValidationError, match="kreditnota"):
        services.change_visit(visit=visit, by=worker, date=last_month)


def test_another_municipalitys_lock_does_not_matter(worker, intervention):
    from tests.factories import municipality

    LockedMonthFactory(municipality=municipality("621"), month=TODAY.replace(day=1))
    _log(intervention, worker)


def test_month_is_locked_selector(intervention):
    from interventions.selectors import month_is_locked

    municipality_id = intervention.citizen.paying_municipality_id
    assert not month_is_locked(municipality_id, TODAY)
    LockedMonthFactory(municipality=intervention.citizen.paying_municipality, month=TODAY.replace(day=1))
    assert month_is_locked(municipality_id, TODAY.replace(day=28 if TODAY.month == 2 else 30))
