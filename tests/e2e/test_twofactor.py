"""Journey: an administrator's first login sets up the authenticator app (QR code, key, a code, eight
recovery codes), on a desktop and on a phone; the next login asks for the code."""

import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DESKTOP, PHONE, assert_accessible, assert_fits, assert_styled, shoot
from tests.factories import AdministratorFactory
from tests.factories.core import PASSWORD

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from smoke_client import totp_code  # noqa: E402 - the standard-library TOTP the smoke test uses

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_first_login_of_an_administrator_sets_up_the_authenticator_app(pages, new_context, screen):
    admin = AdministratorFactory(first_name="Birgitte", username=f"birgitte-{screen}")
    page = new_context(**(DESKTOP if screen == "desktop" else PHONE)).new_page()
    page.goto(pages.url("/login/"))
    page.get_by_label("Brugernavn").fill(admin.username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()

    expect(page.get_by_role("heading", name="Opsæt totrinsbekræftelse")).to_be_visible()
    qr = page.locator(".qr-frame svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # big enough to scan from the screen
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    assert_styled(page)
    assert_fits(page, f"enrolment-{screen}")
    assert_accessible(page, f"twofactor-enrol-{screen}")
    shoot(page, f"twofactor-enrol-{screen}")

    page.get_by_role("textbox", name="Kode fra appen").fill(totp_code(key))
    page.get_by_role("button", name="Bekræft og vis gendannelseskoder").click()

    expect(page.get_by_role("heading", name="Dine gendannelseskoder")).to_be_visible()
    expect(page.locator(".recovery-codes li")).to_have_count(8)
    assert_fits(page, f"recovery-codes-{screen}")
    assert_accessible(page, f"twofactor-codes-{screen}")
    shoot(page, f"twofactor-codes-{screen}")
    page.get_by_role("link", name="Jeg har gemt koderne, fortsæt").click()
    expect(page.get_by_role("button", name="Log ud", include_hidden=True)).to_be_attached()
