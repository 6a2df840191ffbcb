"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live_server.

Run them with `make e2e` (`pytest -m e2e`). A failed journey leaves a screenshot and a Playwright trace in
`artifacts/e2e/<test>/` (open a trace with `.venv/bin/playwright show-trace trace.zip`); every journey
also saves screenshots of the pages it visits in `artifacts/screenshots/`.
"""

import os
import shutil

import pytest

from tests.e2e.helpers import DESKTOP, PHONE, LivePages

# Used when the command line does not say otherwise, so a bare `pytest -m e2e` records what CI needs.
ARTIFACT_DEFAULTS = {"output": ("test-results", "artifacts/e2e"), "tracing": ("off", "retain-on-failure")}
SCREENSHOT_DEFAULT = ("off", "only-on-failure")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=da-DK",
]


def pytest_configure(config):
    # pytest_configure is historic: it runs for this conftest too, before any session fixture reads the options.
    # Only when journeys are selected: pytest-playwright empties the output folder at the start of every session,
    # and a later `make test` must not wipe a failed journey's artefacts.
    if "e2e" not in config.option.markexpr or "not e2e" in config.option.markexpr:
        return
    for name, (default, ours) in ARTIFACT_DEFAULTS.items():
        if getattr(config.option, name, None) == default:
            setattr(config.option, name, ours)
    if getattr(config.option, "screenshot", None) == SCREENSHOT_DEFAULT[0]:
        config.option.screenshot = SCREENSHOT_DEFAULT[1]


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in the test thread; the ORM calls the tests make
    # (factories, assertions, the flush after each test) are still plain synchronous calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH (apt-get install chromium); Playwright never downloads one.")
    # Danish date and time fields (24.11.2026, 24 hours) as a worker's browser shows them: Chromium takes the
    # format from LANG and its Danish locale file (Debian's chromium-l10n).
    env = {**os.environ, "LANG": "da_DK.UTF-8", "LANGUAGE": "da"}
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS, "env": env}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
        "accept_downloads": True,
        # Bootstrap drops its colour transitions then, so axe never measures contrast mid-fade.
        "reduced_motion": "reduce",
    }


@pytest.fixture(scope="session")
def _no_public_media_url():
    # MEDIA_URL is None on purpose (files go through permission-checked views), but Django's live server
    # wraps the app in a media handler that cannot parse None. A URL on another host makes that handler
    # step aside for every request, so no file is ever served without the views' checks.
    from django.conf import settings

    previous = settings.MEDIA_URL
    settings.MEDIA_URL = "http://media.invalid/"
    yield
    settings.MEDIA_URL = previous


@pytest.fixture(scope="session")
def live_server(_no_public_media_url, live_server):
    return live_server


@pytest.fixture
def pages(live_server):
    return LivePages(live_server.url)


# The viewport is set per context (not in browser_context_args) so one test can hold a phone and a desktop.
@pytest.fixture
def desktop(new_context):
    """A page in a 1280×900 desktop browser window."""
    return new_context(**DESKTOP).new_page()


@pytest.fixture
def phone(new_context):
    """A page on a 390×844 touch phone (the size of an iPhone 12–15)."""
    return new_context(**PHONE).new_page()


@pytest.fixture
def demo(live_server):
    """The demo organisation (`make demo`'s data); its logins admin, teamleder and medarbejder by username."""
    from django.core.management import call_command

    from housingfirst.models import User

    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return {user.username: user for user in User.objects.filter(username__in=["admin", "teamleder", "medarbejder"])}
