"""Files made on the task queue for one user: asked for, made, downloaded once checked, pruned."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from citizens.models import CprAccess
from housingfirst import exports
from housingfirst.models import Export
from tests.conftest import logged_in
from tests.factories import CitizenFactory, WorkerFactory

# The test makers: one that lists citizens, one that fails until told otherwise.
failures = {"left": 0}


@exports.maker("test_citizen_list")
def _citizen_list(params: dict, user) -> exports.Made:
    ids = params["citizen_ids"]
    return exports.Made(
        filename="borgere.csv",
        content=("id\n" + "\n".join(str(pk) for pk in ids)).encode(),
        content_type="text/csv",
        citizen_ids=ids,
    )


@exports.maker("test_flaky")
def _flaky(params: dict, user) -> exports.Made:
    if failures["left"] > 0:
        failures["left"] -= 1
        if params.get("message"):
            raise ValidationError(params["message"])
        raise RuntimeError("the disk is full")
    return exports.Made(filename="ok.txt", content=b"ok", content_type="text/plain")


@pytest.fixture(autouse=True)
def _no_failures():
    failures["left"] = 0
    yield
    failures["left"] = 0


def _ask(user, kind="test_citizen_list", **params):
    return exports.request_export(kind=kind, params=params, user=user, title="Borgerliste")


@pytest.mark.django_db
def test_an_export_is_made_and_downloaded_and_each_citizen_access_is_logged(worker_client, worker):
    citizens = CitizenFactory.create_batch(2, team=worker.team)
    export = _ask(worker, citizen_ids=[c.pk for c in citizens])

    page = worker_client.get(export.get_absolute_url())
    assert "Filen er klar." in page.content.decode()

    response = worker_client.get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert 'filename="borgere.csv"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.decode().splitlines()[1:] == [str(c.pk) for c in citizens]
    assert set(CprAccess.objects.filter(user=worker).values_list("citizen_id", flat=True)) == {c.pk for c in citizens}


@pytest.mark.django_db
def test_another_users_export_answers_404(client, worker):
    export = _ask(worker, citizen_ids=[])
    other = logged_in(client, WorkerFactory(team=worker.team))
    for name in ("export_detail", "export_download"):
        assert other.get(reverse(name, args=[export.pk])).status_code == 404
    assert other.post(reverse("export_retry", args=[export.pk])).status_code == 404
    assert "Borgerliste" not in other.get(reverse("export_list")).content.decode()


@pytest.mark.django_db
def test_a_changed_file_is_refused_with_a_message_and_not_logged(worker_client, worker):
    citizen = CitizenFactory(team=worker.team)
    export = _ask(worker, citizen_ids=[citizen.pk])
    export.refresh_from_db()
    with export.file.open("wb") as handle:
        handle.write(b"id\n999")

    response = worker_client.get(reverse("export_download", args=[export.pk]), follow=True)
    assert response.redirect_chain[-1][0] == export.get_absolute_url()
    assert "Den gemte fil er ikke den, der blev lavet" in response.content.decode()
    assert not CprAccess.objects.filter(user=worker).exists()


@pytest.mark.django_db
def test_a_first_failure_is_retried_and_the_file_is_made(worker):
    failures["left"] = 2
    export = _ask(worker, kind="test_flaky")
    export.refresh_from_db()
    assert export.status == Export.Status.DONE
    assert export.attempts == 3
    assert export.error == ""


@pytest.mark.django_db
def test_the_last_failure_is_shown_and_can_be_tried_again(worker_client, worker):
    failures["left"] = 3
    export = _ask(worker, kind="test_flaky", message="Måneden er ikke afsluttet.")
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED
    page = worker_client.get(export.get_absolute_url()).content.decode()
    assert "Filen kunne ikke laves." in page
    assert "Måneden er ikke afsluttet." in page  # a ValidationError's own words reach the user

    worker_client.post(reverse("export_retry", args=[export.pk]))
    export.refresh_from_db()
    assert export.status == Export.Status.DONE


@pytest.mark.django_db
def test_an_unexpected_error_names_only_its_kind(worker_client, worker):
    failures["left"] = 3
    export = _ask(worker, kind="test_flaky")
    page = worker_client.get(export.get_absolute_url()).content.decode()
    assert "RuntimeError" in page
    assert "the disk is full" not in page  # details stay in the log and on the administrators' task page


@pytest.mark.django_db
def test_a_finished_export_cannot_be_tried_again(worker_client, worker):
    export = _ask(worker, citizen_ids=[])
    response = worker_client.post(reverse("export_retry", args=[export.pk]), follow=True)
    assert "Kun en fil, der ikke kunne laves, kan prøves igen." in response.content.decode()


@pytest.mark.django_db
def test_a_waiting_export_polls_and_its_download_link_waits(worker_client, worker):
    export = Export.objects.create(kind="test_flaky", title="Venter", requested_by=worker)
    partial = worker_client.get(export.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' in partial
    assert "Venter på at blive lavet" in partial
    response = worker_client.get(reverse("export_download", args=[export.pk]))
    assert response.status_code == 302 and response.url == export.get_absolute_url()


@pytest.mark.django_db
def test_the_list_shows_only_my_files_in_a_constant_number_of_queries(client, worker, django_assert_max_num_queries):
    for _ in range(30):
        Export.objects.create(kind="test_flaky", title="Min fil", requested_by=worker)
    Export.objects.create(kind="test_flaky", title="Andens fil", requested_by=WorkerFactory())
    logged_in(client, worker)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("export_list")).content.decode()
    assert page.count("Min fil") == 25  # paginated
    assert "Andens fil" not in page


@pytest.mark.django_db
def test_prune_deletes_old_files_and_their_rows(worker, settings):
    old = _ask(worker, citizen_ids=[])
    Export.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(days=8))
    never_made = Export.objects.create(
        kind="test_flaky", title="Glemt", requested_by=worker, requested_at=timezone.now() - datetime.timedelta(days=9)
    )
    fresh = _ask(worker, citizen_ids=[])
    old.refresh_from_db()
    path = settings.MEDIA_ROOT / old.file.name
    assert path.exists()

    call_command("prune_exports", "--dry-run", stdout=io.StringIO())
    assert Export.objects.count() == 3

    call_command("prune_exports", stdout=io.StringIO())
    assert list(Export.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not path.exists()
    assert not Export.objects.filter(pk=never_made.pk).exists()
