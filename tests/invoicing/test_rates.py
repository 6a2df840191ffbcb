import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing import services
from invoicing.models import Rate
from invoicing.selectors import rate_in_force
from tests.factories import CitizenFactory
from tests.invoicing.conftest import log_visits

pytestmark = pytest.mark.django_db


def test_default_rate_is_450_from_2024():
    assert rate_in_force(datetime.date(2024, 6, 1)) == Decimal("450.00")
    assert rate_in_force(datetime.date(2023, 6, 1)) == Decimal("450.00")


def test_administrator_adds_a_rate(admin_client_):
    response = admin_client_.post(
        reverse("invoicing:rates"),
        {"hourly_rate": "465,50", "valid_from": "2027-01-01", "note": "Ny takst"},
        follow=True,
    )

    assert "Taksten 465,50 kr. gælder fra 01.01.2027." in response.content.decode()
    assert rate_in_force(datetime.date(2027, 2, 1)) == Decimal("465.50")


def test_a_rate_cannot_take_effect_in_an_invoiced_month(admin_client_, provider, haderslev, month):
    log_visits(month, minutes=[60], citizen=CitizenFactory(paying_municipality=haderslev))
    services.issue_month(month=month)

    response = admin_client_.post(
        reverse("invoicing:rates"),
        {"hourly_rate": "500", "valid_from": (month + datetime.timedelta(days=5)).isoformat()},
    )

    following = (month + datetime.timedelta(days=32)).replace(day=1)
    assert (
        f"{month:%m.%Y} er allerede faktureret. En ny takst kan tidligst gælde fra {following:%d.%m.%Y}."
        in response.content.decode()
    )
    assert not Rate.objects.filter(hourly_rate=Decimal("500")).exists()


def test_a_rate_must_be_positive(admin_client_):
    response = admin_client_.post(reverse("invoicing:rates"), {"hourly_rate": "0", "valid_from": "2027-01-01"})

    assert "Taksten skal være mere end 0 kr." in response.content.decode()


def test_workers_cannot_see_rates(worker_client):
    assert worker_client.get(reverse("invoicing:rates")).status_code == 403


def test_rates_are_read_only_in_the_django_admin(admin_client, provider):
    from tests.factories import RateFactory

    rate = RateFactory(valid_from=datetime.date(2027, 1, 1), hourly_rate=Decimal("470.00"))

    listing = admin_client.get(reverse("admin:invoicing_rate_changelist"))
    change = admin_client.get(reverse("admin:invoicing_rate_change", args=[rate.pk]))
    deleted = admin_client.post(reverse("admin:invoicing_rate_delete", args=[rate.pk]), {"post": "yes"})

    assert listing.status_code == 200
    assert admin_client.get(reverse("admin:invoicing_rate_add")).status_code == 403
    assert 'name="hourly_rate"' not in change.content.decode()
    assert deleted.status_code == 403
    assert Rate.objects.filter(pk=rate.pk, hourly_rate=Decimal("470.00")).exists()
