"""Files of issued documents: a crash leaves no file without its row, and the orphans left by a dead
process are listed (and on request deleted) by cleanup_orphan_documents."""

import datetime
import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from agreements import services
from agreements.models import Agreement
from citizens.models import Consent
from housingfirst.orphans import atomic_with_files, save_with_files, written
from tests.factories import ActionPlanFactory, InterventionFactory, MunicipalityEANFactory

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def draft(db, provider, worker, administrator):
    intervention = InterventionFactory(citizen__team=worker.team)
    ActionPlanFactory(citizen=intervention.citizen)
    if not intervention.citizen.paying_municipality.eans.exists():
        MunicipalityEANFactory(municipality=intervention.citizen.paying_municipality)
    return services.create_draft(intervention=intervention, user=administrator)


def crash_on(monkeypatch, event: str):
    save = services._save

    def crashing(agreement, *, user, event: str, **kwargs):
        if event == crash_event:
            raise RuntimeError("the database went away")
        return save(agreement, user=user, event=event, **kwargs)

    crash_event = event
    monkeypatch.setattr(services, "_save", crashing)


def test_a_crash_between_writing_the_pdf_and_saving_the_row_leaves_no_file(draft, administrator, settings, monkeypatch):
    crash_on(monkeypatch, services.Event.ISSUED)

    with pytest.raises(RuntimeError):
        services.issue_agreement(agreement=draft, user=administrator)

    assert stored_files(settings) == []
    assert Agreement.objects.get(pk=draft.pk).status == "draft"


def test_a_crash_after_the_row_is_saved_rolls_back_the_file_too(draft, administrator, settings, monkeypatch):
    issued = services.issue_agreement(agreement=draft, user=administrator)
    first_file = issued.pdf.name
    second = services.new_version(agreement=issued, user=administrator)
    crash_on(monkeypatch, services.Event.REPLACED)  # ending the old version fails after the new row is saved

    with pytest.raises(RuntimeError):
        services.issue_agreement(agreement=second, user=administrator)

    assert stored_files(settings) == [first_file]
    assert Agreement.objects.get(pk=second.pk).status == "draft"


def test_an_upload_is_removed_when_its_transaction_rolls_back_further_out(worker, settings):
    from tests.factories import CitizenFactory

    citizen = CitizenFactory(team=worker.team)
    with pytest.raises(RuntimeError), atomic_with_files():
        with atomic_with_files():
            consent = Consent(citizen=citizen, given_on=datetime.date(2026, 1, 5))
            consent.document.save("samtykke.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
            written(consent.document)
            save_with_files(consent)
        assert len(stored_files(settings)) == 1
        raise RuntimeError("a later step failed")

    assert stored_files(settings) == []
    assert not Consent.objects.exists()


def age(name: str, minutes: int) -> None:
    then = time.time() - minutes * 60
    os.utime(default_storage.path(name), (then, then))


def cleanup(*args) -> str:
    out = StringIO()
    call_command("cleanup_orphan_documents", *args, stdout=out)
    return out.getvalue()


def test_cleanup_lists_only_old_files_no_row_points_to_and_deletes_them_when_asked(draft, administrator, settings):
    issued = services.issue_agreement(agreement=draft, user=administrator)
    age(issued.pdf.name, 120)
    old_orphan = default_storage.save("agreements/issued/2026/01/left-behind.pdf", ContentFile(b"%PDF-1.4 cpr"))
    age(old_orphan, 120)
    new_orphan = default_storage.save("exports/2026/01/still-being-made.csv", ContentFile(b"a,b"))

    listed = cleanup()

    assert old_orphan in listed
    assert issued.pdf.name not in listed and new_orphan not in listed
    assert "1 file(s) no row points to, older than 60 minutes" in listed
    assert default_storage.exists(old_orphan)

    deleted = cleanup("--delete")

    assert "Deleted 1 file(s)" in deleted
    assert not default_storage.exists(old_orphan)
    assert default_storage.exists(issued.pdf.name) and default_storage.exists(new_orphan)
    assert "0 file(s)" in cleanup("--grace-minutes", "1")  # the new orphan is still younger than a minute


def test_cleanup_keeps_files_only_the_history_points_to(worker, settings):
    from tests.factories import CitizenFactory

    consent = Consent(citizen=CitizenFactory(team=worker.team), given_on=datetime.date(2026, 1, 5))
    consent.document.save("samtykke.pdf", ContentFile(b"%PDF-1.4 old"), save=False)
    consent.save()
    old_name = consent.document.name
    consent.document.save("samtykke.pdf", ContentFile(b"%PDF-1.4 new"), save=True)  # the history keeps the old
    age(old_name, 120)

    assert old_name not in cleanup()


def test_cleanup_refuses_a_grace_period_of_nothing():
    with pytest.raises(CommandError, match="at least 1"):
        cleanup("--grace-minutes", "0")
