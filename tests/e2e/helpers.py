"""What the journeys share: URLs on the live server, logging in, axe-core and screenshots."""

import json
import os
import subprocess
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.factories.core import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_LOG = ARTIFACTS / "axe"
DOCS = ROOT / "docs"
# `make screenshots` sets this so the README's pictures are written into docs/ as well.
WRITE_DOCS = os.environ.get("HF_DOCS_SCREENSHOTS") == "1"

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}

# axe-core ships inside axe_playwright_python (axe.min.js); nothing is downloaded.
_axe = Axe()
BLOCKING_IMPACTS = {"serious", "critical"}


class LivePages:
    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_in(self, page: Page, user, password: str = PASSWORD) -> Page:
        device = authenticator_for(user)
        page.goto(self.url("/login/"))
        page.get_by_label("Brugernavn").fill(user.username)
        page.get_by_label("Adgangskode").fill(password)
        page.get_by_role("button", name="Log ind").click()
        if device is not None:
            # The second factor, as the user types it from the authenticator app.
            page.get_by_role("textbox", name="Kode").fill(next_code(device))
            page.get_by_role("button", name="Fortsæt").click()
        # On a phone the log-out button sits in the folded menu, so look for it in the DOM.
        expect(page.get_by_role("button", name="Log ud", include_hidden=True)).to_be_attached()
        return page


def authenticator_for(user):
    """The user's authenticator app (made, as if set up before, when their role requires a second factor)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from housingfirst import twofactor
    from housingfirst.models import User

    if not twofactor.required_for(User.objects.get(pk=user.pk)):
        return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    return device or TOTPDevice.objects.create(user_id=user.pk, name="e2e", confirmed=True)


def next_code(device) -> str:
    """A code the app takes now. A code is taken only once, so a second login within the same 30 s uses a later
    step's code (the device looks `tolerance` steps around now + its drift) or waits until one is in reach.

    Steps are counted as the device stores them (`last_t` includes the drift it learnt), so the code is made for
    that step with no drift of its own: made with the device's drift, it was a step off once a login had
    matched ahead."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    now = int((time.time() - device.t0) // device.step)
    step = max(now + device.drift, device.last_t + 1)
    if step > now + device.drift + device.tolerance:
        time.sleep((step - device.drift - device.tolerance) * device.step + device.t0 - time.time() + 0.2)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = device.t0 + step * device.step + 1
    return f"{totp.token():0{device.digits}d}"


def open_menu(page: Page, name: str) -> None:
    """Follow a main-menu entry, unfolding the menu first on a phone and opening Administration for its entries."""
    toggler = page.get_by_role("button", name="Vis menu")
    if toggler.is_visible():
        toggler.click()
    nav = page.get_by_role("navigation", name="Hovedmenu")
    link = nav.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        nav.get_by_role("button", name="Administration").click()
    link.click()


def assert_fits(page: Page, name: str) -> None:
    """Fail when the page is wider than the window, so part of it (the menu's right end) needs a sideways scroll."""
    widths = page.evaluate(
        """() => ({
        scroll: document.documentElement.scrollWidth, window: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && e.checkVisibility())
            .slice(0, 5).map(e => e.outerHTML.slice(0, 120)),
    })"""
    )
    assert widths["scroll"] <= widths["window"], (
        f"{name} ({page.url}) is {widths['scroll']} px wide in a {widths['window']} px window:\n"
        + "\n".join(widths["wide"])
    )


def assert_styled(page: Page) -> None:
    """Bootstrap, its icons and app.css arrived (served by WhiteNoise from static/), so the page is not bare HTML."""
    loaded = page.evaluate(
        "() => [...document.styleSheets].map(s => [(s.href || 'inline').split('/').pop(), s.cssRules.length])"
    )
    names = {name for name, rules in loaded if rules > 0}
    assert {"bootstrap.min.css", "bootstrap-icons.min.css", "app.css"} <= names, loaded
    expect(page.locator("nav.navbar")).to_have_css("display", "flex")


def assert_accessible(page: Page, name: str) -> list[dict]:
    """Run axe-core on the page as it is now; fail on any serious or critical violation.

    Every violation (also minor and moderate) is written to artifacts/axe/<name>.json, so the record of
    what axe found survives a passing run.
    """
    results = _axe.run(page)
    violations = results.response["violations"]
    AXE_LOG.mkdir(parents=True, exist_ok=True)
    (AXE_LOG / f"{name}.json").write_text(
        json.dumps(
            [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "targets": [node["target"] for node in v["nodes"]],
                }
                for v in violations
            ],
            indent=2,
            ensure_ascii=False,
        )
    )
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if os.environ.get("HF_AXE_REPORT_ONLY") == "1":  # a survey of all pages while fixing; CI never sets it
        return violations
    assert not blocking, f"axe found on {name} ({page.url}):\n" + "\n".join(
        f"- {v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in blocking
    )
    return violations


# Status colours in Bootstrap; each must come with words (or a labelled icon), never alone.
STATUS_COLOURS = ", ".join(
    f'[class*="{prefix}-{colour}"]'
    for prefix in ("text", "bg", "text-bg", "border", "alert")
    for colour in ("danger", "warning", "success", "info")
)


def assert_colour_not_alone(page: Page, name: str) -> int:
    """Fail when a status colour (a phase, a warning, a load) is shown without text that says the same.

    Coloured elements must hold visible text or carry an aria-label; an aria-hidden icon passes when its parent
    says it in words; a progress bar passes when its bar has an aria-label and text is beside it.
    """
    problems = page.evaluate(
        """(selector) => {
        const said = (el) => (el.innerText || '').trim() || el.getAttribute('aria-label') || el.getAttribute('title');
        const out = [];
        for (const el of document.querySelectorAll(selector)) {
            if (!el.checkVisibility()) continue;
            if (said(el)) continue;
            if (el.getAttribute('aria-hidden') === 'true' && el.parentElement && said(el.parentElement)) continue;
            const bar = el.closest('.progress');
            if (bar && bar.getAttribute('aria-label') && bar.parentElement && said(bar.parentElement)) continue;
            out.push(el.outerHTML.slice(0, 160));
        }
        return out;
    }""",
        STATUS_COLOURS,
    )
    assert not problems, f"colour alone on {name} ({page.url}):\n" + "\n".join(problems)
    return len(problems)


def shoot(page: Page, name: str, *, full_page: bool = True, docs: bool = False) -> Path:
    """Save a screenshot as an artefact; with `docs` (and `make screenshots`) also as docs/<name>.png.

    A full page is cut to the body, so a short page leaves no empty screen below its footer.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    targets = [SCREENSHOTS / f"{name}.png"]
    if docs and WRITE_DOCS:
        DOCS.mkdir(exist_ok=True)
        targets.append(DOCS / f"{name}.png")
    for target in targets:
        options = {"path": target, "animations": "disabled", "caret": "hide"}
        if full_page:
            page.locator("body").screenshot(**options)
        else:
            page.screenshot(**options)
    return targets[0]


def pdf_page_png(pdf: Path, name: str, *, docs: bool = False, resolution: int = 60) -> Path:
    """The first page of a PDF as a PNG (pdftoppm from poppler-utils), as an artefact and optionally in docs/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    targets = [SCREENSHOTS / name] + ([DOCS / name] if docs and WRITE_DOCS else [])
    for target in targets:
        target.parent.mkdir(exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-r", str(resolution), "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(target)],
            check=True,
        )
    return targets[0].with_suffix(".png")
