import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from citizens.cpr import format_cpr, mask_cpr, normalize_cpr, passes_modulus_11, validate_cpr
from citizens.models import Citizen
from tests.factories import CaseworkerFactory, municipality

GOOD_MOD11 = "0101901238"  # passes the old modulus-11 check
FAILS_MOD11 = "0101901234"  # a real date, fails modulus 11: valid since 2007


def message(cpr: str) -> str:
    with translation.override("da"), pytest.raises(ValidationError) as error:
        validate_cpr(cpr)
    return " ".join(error.value.messages)


@pytest.mark.parametrize("cpr", ["0101901234", "010190-1234", " 010190 1234 ", GOOD_MOD11])
def test_good_cpr_numbers_pass_and_are_stored_as_ten_digits(cpr):
    validate_cpr(cpr)
    assert len(normalize_cpr(cpr)) == 10
    assert normalize_cpr(cpr).isdigit()


def test_a_bad_date_is_refused_in_danish():
    assert "rigtig dato" in message("3102901234")
    assert "rigtig dato" in message("0113901234")


@pytest.mark.parametrize("cpr", ["010190123", "01019012345", "0101"])
def test_wrong_length_is_refused_and_says_how_many_digits(cpr):
    text = message(cpr)
    assert "10 cifre" in text
    assert str(len(normalize_cpr(cpr))) in text


@pytest.mark.parametrize("cpr", ["01019O1234", "abcdefghij", "010190-12a4"])
def test_letters_are_refused(cpr):
    assert "kun indeholde cifre" in message(cpr)


def test_a_birth_date_in_the_future_is_refused():
    # Sequence digit 4 with year 30 means 2030.
    assert "fremtiden" in message("0101304000")


def test_modulus_11_is_only_a_hint():
    assert passes_modulus_11(GOOD_MOD11)
    assert not passes_modulus_11(FAILS_MOD11)
    validate_cpr(FAILS_MOD11)  # never refused


def test_masking_and_formatting():
    assert mask_cpr("0101901234") == "010190-XXXX"
    assert mask_cpr("010190-1234") == "010190-XXXX"
    assert mask_cpr("") == "XXXXXX-XXXX"
    assert format_cpr("0101901234") == "010190-1234"


def citizen_data(team, **overrides):
    caseworker = CaseworkerFactory()
    data = {
        "first_name": "Jens",
        "last_name": "Hansen",
        "cpr": "010190-1238",
        "phone": "20 30 40 50",
        "email": "",
        "address": "Storegade 1",
        "postal_code": "6100",
        "city": "Haderslev",
        "move_in_date": "2026-03-01",
        "shelter_stay_from": "2025-10-01",
        "shelter_stay_to": "2026-03-01",
        "paying_municipality": municipality().pk,
        "acting_municipality": municipality().pk,
        "caseworker": caseworker.pk,
        "team": team.pk,
        "status": Citizen.Status.MOVING_OUT,
    }
    data.update(overrides)
    return data


def test_registering_with_a_dash_stores_ten_digits_and_a_good_number_gets_no_warning(lead_client, team_lead):
    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team), follow=True)
    citizen = Citizen.objects.get()
    assert citizen.cpr == GOOD_MOD11
    html = response.content.decode()
    assert "Jens Hansen er registreret" in html
    assert "modulus-11" not in html
    assert GOOD_MOD11 not in html and "010190-1238" not in html
    assert "010190-XXXX" in html


def test_a_number_failing_modulus_11_is_saved_with_a_soft_warning(lead_client, team_lead):
    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr=FAILS_MOD11), follow=True)
    assert Citizen.objects.get().cpr == FAILS_MOD11
    assert "modulus-11" in response.content.decode()


def test_a_bad_cpr_keeps_what_was_typed_and_says_why(lead_client, team_lead):
    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr="310290-1234"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "rigtig dato" in html
    assert 'value="Hansen"' in html
    assert not Citizen.objects.exists()


def test_the_cpr_is_kept_out_of_error_reports(lead_client, team_lead):
    from django.views.debug import SafeExceptionReporterFilter

    response = lead_client.post(reverse("citizens:create"), citizen_data(team_lead.team, cpr="310290-1234"))
    request = response.wsgi_request
    filtered = SafeExceptionReporterFilter().get_post_parameters(request)
    assert filtered["cpr"] != "310290-1234"
    assert filtered["first_name"] == "Jens"
