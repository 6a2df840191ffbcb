"""Every model of every app is in the Django admin, and its list and change pages open without a CPR."""

import pytest
from django.apps import apps
from django.contrib import admin

from tests.conftest import logged_in
from tests.factories import (
    AdministratorFactory,
    AgreementFactory,
    PauseFactory,
    PhaseTransitionFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db
APPS = ["housingfirst", "citizens", "interventions", "agreements", "invoicing"]


def _models():
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical") and model._meta.auto_created is False:
                yield model


def test_every_model_is_registered_in_the_admin():
    missing = [model.__name__ for model in _models() if model not in admin.site._registry]
    inlined = {"MunicipalityEAN"}  # edited inside its municipality
    assert sorted(set(missing) - inlined) == []


def test_list_and_change_pages_open_for_a_superuser_without_a_cpr(client, provider):
    visit = VisitFactory()
    citizen = visit.intervention.citizen
    citizen.cpr = "0101901238"
    citizen.save()
    AgreementFactory(intervention=visit.intervention)
    PauseFactory(intervention=visit.intervention, to_date=visit.date)
    PhaseTransitionFactory(intervention=visit.intervention)
    client = logged_in(client, AdministratorFactory(is_superuser=True))
    for model in _models():
        if model not in admin.site._registry:
            continue
        opts = model._meta
        listing = client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert listing.status_code == 200, opts.label
        obj = model.objects.first()
        if obj is not None:
            change = client.get(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/")
            assert change.status_code == 200, opts.label
            assert "0101901238" not in change.content.decode(), opts.label


def test_a_support_worker_without_a_method_is_refused_in_the_admin(client, worker):
    from django.contrib.auth.models import Group

    from housingfirst import roles

    client = logged_in(client, AdministratorFactory(is_superuser=True))
    data = {
        "username": worker.username,
        "first_name": worker.first_name,
        "last_name": worker.last_name,
        "email": "",
        "is_active": "on",
        "groups": [Group.objects.get(name=roles.SUPPORT_WORKER).pk],
        "team": worker.team_id,
        "phone": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
    }
    response = client.post(f"/admin/housingfirst/user/{worker.pk}/change/", data)
    assert "En bostøttemedarbejder er uddannet i mindst én metode" in response.content.decode()
    worker.refresh_from_db()
    assert worker.methods
    response = client.post(f"/admin/housingfirst/user/{worker.pk}/change/", {**data, "qualified_icm": "on"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.methods == ["ICM"]


@pytest.mark.parametrize("model_name", ["consent", "actionplan"])
def test_a_view_only_page_of_a_record_with_a_document_shows_the_stored_name_not_a_link(
    client, provider, monkeypatch, model_name
):
    from django.core.files.base import ContentFile

    from citizens.admin import ActionPlanAdmin, ConsentAdmin
    from tests.factories import ActionPlanFactory, ConsentFactory

    record = ConsentFactory() if model_name == "consent" else ActionPlanFactory()
    record.document.save("Karen Holm 010190-1234.pdf", ContentFile(b"%PDF-1.4 x"))
    admin_class = ConsentAdmin if model_name == "consent" else ActionPlanAdmin
    monkeypatch.setattr(admin_class, "has_change_permission", lambda self, request, obj=None: False)
    client = logged_in(client, AdministratorFactory(is_superuser=True))

    page = client.get(f"/admin/citizens/{model_name}/{record.pk}/change/")

    assert page.status_code == 200  # a 500 before: the file has no URL to link to
    html = page.content.decode()
    assert record.document.name in html
    assert f'href="{record.document.name}' not in html and "010190-1234" not in html


def test_the_change_page_of_a_consent_offers_a_plain_file_input(client, provider):
    from django.core.files.base import ContentFile

    from tests.factories import ConsentFactory

    consent = ConsentFactory()
    consent.document.save("samtykke.pdf", ContentFile(b"%PDF-1.4 x"))
    client = logged_in(client, AdministratorFactory(is_superuser=True))

    page = client.get(f"/admin/citizens/consent/{consent.pk}/change/")

    assert page.status_code == 200
    assert 'type="file"' in page.content.decode() and 'accept="application/pdf,.pdf"' in page.content.decode()
