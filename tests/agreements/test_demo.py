import datetime

import pytest
from django.utils import timezone

from agreements import demo
from agreements.models import Agreement
from tests.factories import ActionPlanFactory, AdministratorFactory, InterventionFactory, MunicipalityEANFactory

pytestmark = pytest.mark.django_db


def test_demo_makes_agreements_in_every_state_once(provider):
    admin = AdministratorFactory()
    for _ in range(len(demo.STATES)):
        intervention = InterventionFactory()
        ActionPlanFactory(citizen=intervention.citizen)
    if not intervention.citizen.paying_municipality.eans.exists():
        MunicipalityEANFactory(municipality=intervention.citizen.paying_municipality)
    context = {"users": {"admin": admin}}

    demo.seed(context)
    states = set(Agreement.objects.values_list("status", flat=True))
    count = Agreement.objects.count()
    demo.seed(context)

    assert states == {"draft", "issued", "signed", "ended"}
    assert Agreement.objects.count() == count == len(demo.STATES) + 1  # the new version is a draft of its own
    assert Agreement.objects.filter(previous_version__isnull=False).count() == 1
    assert all(a.pdf_sha256 for a in Agreement.objects.exclude(status="draft"))


def test_demo_issues_only_started_interventions_with_a_coordinator_and_signs_after_issue(provider):
    admin = AdministratorFactory()
    today = timezone.localdate()
    # First in pk order: a planned intervention starting next month, with no worker yet.
    planned = InterventionFactory(
        status="planned", start_date=today + datetime.timedelta(days=9), worker=None, coordinator=None
    )
    ActionPlanFactory(citizen=planned.citizen)
    for _ in range(len(demo.STATES)):
        intervention = InterventionFactory(coordinator=None)  # the worker stands in as coordinator
        ActionPlanFactory(citizen=intervention.citizen)
    if not intervention.citizen.paying_municipality.eans.exists():
        MunicipalityEANFactory(municipality=intervention.citizen.paying_municipality)

    demo.seed({"users": {"admin": admin}})

    assert not planned.agreements.exclude(status="draft").exists()
    in_force = Agreement.objects.exclude(status="draft").select_related("intervention")
    # The planned one got the first draft; of the other nine, one is a draft and eight are issued.
    assert in_force.count() == 8
    for agreement in in_force:
        assert agreement.intervention.start_date <= today
        assert agreement.coordinator == agreement.intervention.worker
        issued_on = timezone.localdate(agreement.issued_at)
        assert issued_on <= today
        for signed_on in (agreement.provider_signed_on, agreement.municipality_signed_on):
            assert signed_on is None or issued_on <= signed_on <= today, agreement
    signed = Agreement.objects.filter(municipality_signed_on__isnull=False)
    assert signed.count() >= 5 and all(a.provider_signed_on and a.signed_copy for a in signed)
    # The timeline tells the same story: issued, then signed, in that order and on those days.
    first = signed.order_by("pk").first()
    events = list(first.history.order_by("history_date").values_list("history_change_reason", "history_date"))
    assert [event for event, _at in events][:3] == ["created", "issued", "signed"]
    assert timezone.localdate(events[1][1]) == timezone.localdate(first.issued_at)
    assert timezone.localdate(events[2][1]) == first.municipality_signed_on


def test_demo_with_no_interventions_does_nothing(provider):
    demo.seed({"users": {"admin": AdministratorFactory()}})
    assert not Agreement.objects.exists()
