"""What happens to a course after it starts: dates recorded as they happen, the daily start of planned
courses, the facts that change on the way (§85a answer, follow-up), and visits forgotten before an end."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from interventions import services
from interventions.models import Intervention, Visit
from tests.factories import InterventionFactory, WorkerFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
TOMORROW = TODAY + datetime.timedelta(days=1)
IN_ADVANCE = "Datoen ligger i fremtiden"


@pytest.fixture
def course(worker):
    return InterventionFactory(worker=worker, citizen__team=worker.team, start_date=TODAY - datetime.timedelta(days=60))


def test_a_second_open_course_is_refused_by_the_database_itself(course):
    second = Intervention(citizen=course.citizen, method="ICM", start_date=TODAY, status=Intervention.Status.PLANNED)
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


# --- Dates are recorded when they happen --------------------------------------------------------------


def test_an_ending_in_the_future_is_refused_and_the_worker_keeps_the_place(course, team_lead):
    with pytest.raises(ValidationError, match=IN_ADVANCE):
        services.end_intervention(intervention=course, end_date=TOMORROW, reason="goals_met", by=team_lead)
    course.refresh_from_db()
    assert course.status == Intervention.Status.ACTIVE and course.end_date is None


def test_a_pause_from_tomorrow_is_refused(course, worker):
    with pytest.raises(ValidationError, match=IN_ADVANCE):
        services.start_pause(intervention=course, from_date=TOMORROW, reason="hospital", by=worker)
    course.refresh_from_db()
    assert course.status == Intervention.Status.ACTIVE and not course.pauses.exists()


def test_a_finished_pause_cannot_end_in_the_future(course, worker):
    with pytest.raises(ValidationError, match=IN_ADVANCE):
        services.start_pause(
            intervention=course,
            from_date=TODAY - datetime.timedelta(days=3),
            to_date=TOMORROW,
            reason="prison",
            by=worker,
        )


def test_a_change_of_method_in_the_future_is_refused(course, worker):
    with pytest.raises(ValidationError, match=IN_ADVANCE):
        services.change_method(intervention=course, method="ICM", date=TOMORROW, by=worker)
    assert course.citizen.interventions.count() == 1


def test_the_end_form_shows_the_refusal_and_keeps_the_input(worker_client, course):
    response = worker_client.post(
        reverse("interventions:end", args=[course.pk]),
        {"end_date": TOMORROW.isoformat(), "reason": "goals_met", "note": "Flyttet til egen bolig"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert IN_ADVANCE in html and "Flyttet til egen bolig" in html
    assert IN_ADVANCE in response.context["form"].errors["end_date"][0]  # on the field, not above the form


# --- Planned courses start on their start date ----------------------------------------------------------


def test_planned_courses_start_on_their_date_daily_and_only_once(worker, capsys):
    due = InterventionFactory(worker=worker, status=Intervention.Status.PLANNED, start_date=TODAY)
    later = InterventionFactory(worker=worker, status=Intervention.Status.PLANNED, start_date=TOMORROW)
    call_command("start_planned_interventions")
    assert "1 planlagte indsatser er startet." in capsys.readouterr().out
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Intervention.Status.ACTIVE
    assert later.status == Intervention.Status.PLANNED
    assert services.start_planned_interventions() == 0


def test_the_first_visit_starts_a_planned_course(worker):
    course = InterventionFactory(
        worker=worker, status=Intervention.Status.PLANNED, start_date=TODAY - datetime.timedelta(days=2)
    )
    services.log_visit(intervention=course, by=worker, date=TODAY, start_time=datetime.time(9, 0), duration_minutes=30)
    course.refresh_from_db()
    assert course.status == Intervention.Status.ACTIVE


# --- Facts that change on the way -----------------------------------------------------------------------


def test_the_municipalitys_answer_on_the_choice_is_recorded_later(lead_client, course, worker):
    course.chosen_worker = worker
    course.save()
    url = reverse("interventions:edit", args=[course.pk])
    page = lead_client.get(url).content.decode()
    assert "Fulgte kommunen valget?" in page
    next_follow_up = TODAY + datetime.timedelta(days=90)
    response = lead_client.post(
        url,
        {
            "chosen_worker": worker.pk,
            "choice_accepted": "true",
            "follow_up_date": next_follow_up.isoformat(),
            "coordinator": worker.pk,
        },
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.choice_accepted is True
    assert course.follow_up_date == next_follow_up
    detail = lead_client.get(course.get_absolute_url()).content.decode()
    assert "fulgt" in detail and next_follow_up.strftime("%d.%m.%Y") in detail


def test_a_choice_not_followed_needs_the_reason_and_keeps_the_input(lead_client, course, worker):
    response = lead_client.post(
        reverse("interventions:edit", args=[course.pk]),
        {"chosen_worker": worker.pk, "choice_accepted": "false", "follow_up_date": "2027-03-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "skriv dens begrundelse (§85a)" in html
    assert "§85a" in response.context["form"].errors["choice_rejection_reason"][0]
    assert 'value="2027-03-01"' in html
    course.refresh_from_db()
    assert course.choice_accepted is None


def test_a_follow_up_before_the_start_is_refused_on_its_field(worker_client, course):
    response = worker_client.post(
        reverse("interventions:edit", args=[course.pk]),
        {"follow_up_date": (course.start_date - datetime.timedelta(days=1)).isoformat()},
    )
    assert "Opfølgningsdatoen kan ikke ligge før indsatsen startede." in response.content.decode()


def test_a_worker_edits_the_follow_up_but_does_not_choose_the_coordinator(worker_client, course, worker):
    colleague = WorkerFactory(team=worker.team)
    url = reverse("interventions:edit", args=[course.pk])
    assert 'name="coordinator"' not in worker_client.get(url).content.decode()
    worker_client.post(url, {"follow_up_date": TOMORROW.isoformat(), "coordinator": colleague.pk})
    course.refresh_from_db()
    assert course.follow_up_date == TOMORROW
    assert course.coordinator == worker


def test_another_teams_course_cannot_be_edited(lead_client):
    other = InterventionFactory()
    assert lead_client.get(reverse("interventions:edit", args=[other.pk])).status_code == 404
    assert lead_client.post(reverse("interventions:edit", args=[other.pk]), {}).status_code == 404


# --- A visit forgotten before the course ended ----------------------------------------------------------


def _ended(worker, *, days_ago, **kwargs):
    """A course of the worker's team that ran for three months and ended `days_ago` days ago."""
    return InterventionFactory(
        worker=worker,
        citizen__team=worker.team,
        start_date=TODAY - datetime.timedelta(days=days_ago + 90),
        status=Intervention.Status.ENDED,
        end_date=TODAY - datetime.timedelta(days=days_ago),
        end_reason="goals_met",
        **kwargs,
    )


def test_a_visit_can_be_logged_on_a_course_that_ended_last_week(worker_client, worker):
    ended = _ended(worker, days_ago=7)
    form = worker_client.get(reverse("interventions:visit_create")).content.decode()
    assert f"afsluttet {ended.end_date:%d.%m.%Y}" in form
    data = {"intervention": ended.pk, "start_time": "10:00", "duration_minutes": 30, "kind": "home_visit"}
    refused = worker_client.post(reverse("interventions:visit_create"), {**data, "date": TODAY.isoformat()})
    assert "besøget ligger efter" in refused.content.decode()
    day = ended.end_date - datetime.timedelta(days=1)
    worker_client.post(reverse("interventions:visit_create"), {**data, "date": day.isoformat()})
    assert Visit.objects.filter(intervention=ended, date=day).exists()


def test_a_course_ended_long_ago_is_not_offered(worker_client, worker):
    _ended(worker, days_ago=60, citizen__last_name="Længesiden")
    assert "Længesiden" not in worker_client.get(reverse("interventions:visit_create")).content.decode()


def test_saving_the_form_again_keeps_the_municipalitys_answer_and_reason(lead_client, course, worker):
    course.chosen_worker = worker
    course.choice_accepted = False
    course.choice_rejection_reason = "Medarbejderen har ikke plads."
    course.save()
    url = reverse("interventions:edit", args=[course.pk])
    page = lead_client.get(url).content.decode()
    assert '<option value="false" selected>Nej</option>' in page
    form = lead_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value not in (None, False)}
    data["choice_accepted"] = "false"  # what the browser sends back for the selected option
    data["follow_up_date"] = TOMORROW.isoformat()
    assert lead_client.post(url, data).status_code == 302
    course.refresh_from_db()
    assert course.choice_accepted is False
    assert course.choice_rejection_reason == "Medarbejderen har ikke plads."
    assert course.follow_up_date == TOMORROW


def test_a_lately_ended_course_page_offers_a_visit_on_that_course(worker_client, worker):
    ended = _ended(worker, days_ago=3)
    InterventionFactory(
        worker=worker, citizen=ended.citizen, method="ICM", start_date=TODAY - datetime.timedelta(days=2)
    )
    link = f"{reverse('interventions:visit_create')}?intervention={ended.pk}"
    assert link in worker_client.get(ended.get_absolute_url()).content.decode()
    assert f'<option value="{ended.pk}" selected>' in worker_client.get(link).content.decode()
