"""The HTTP half of scripts/smoke: log in as each role and fetch its pages from a running server.

Run by scripts/smoke against gunicorn in production mode. Uses only the standard library, so it
tests the server and nothing of Django's test client. The first login (the administrator) also takes a
report through the task worker, and at the end the queue must be empty with nothing failed. Exit status 1
and a line per problem on failure.
"""

import base64
import hashlib
import hmac
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.request
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlparse

# The headers every HTML page must carry in production (settings.py, "if not DEBUG").
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "Strict-Transport-Security": "max-age=",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
PRIVATE = "no-store"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.cookies: dict[str, str] = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path: str, data: dict | None = None):
        # The proxy in front terminates TLS and says so; the app then sets secure cookies and HSTS.
        headers = {"X-Forwarded-Proto": "https", "Origin": self.base.replace("http://", "https://")}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310 - http to our server
        try:
            response = self.opener.open(req, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def login(self, username: str, password: str, totp_key: str = "") -> bool:
        _status, _headers, html = self.request("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, headers, _html = self.request(
            "/login/", {"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if not (status == 302 and headers.get("Location", "").rstrip("/") in ("", self.base)):
            return False
        if not totp_key:
            return True
        # The second factor: the first page sends the user to the code page; the code is computed from the key.
        status, headers, _html = self.request("/")
        code_page = urlparse(headers.get("Location", "")).path
        if status != 302 or code_page != "/tofaktor/kode/":
            print(f"  {username}: expected the code page after the password, got {status} {code_page!r}")
            return False
        _status, _headers, html = self.request(code_page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, headers, _html = self.request(
            code_page, {"csrfmiddlewaretoken": token, "code": totp_code(totp_key), "next": "/"}
        )
        print(f"  {username:<12} {status} {code_page} (second factor)")
        return status == 302 and urlparse(headers.get("Location", "")).path == "/"


def totp_code(base32_key: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (what authenticator apps compute), in the standard library."""
    key = base64.b32decode(base32_key.upper() + "=" * (-len(base32_key) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def check_headers(path: str, headers, problems: list[str], private: bool) -> None:
    for name, expected in SECURITY_HEADERS.items():
        if expected not in (headers.get(name) or ""):
            problems.append(f"{path}: header {name} lacks {expected!r} (got {headers.get(name)!r})")
    if private and PRIVATE not in (headers.get("Cache-Control") or ""):
        problems.append(f"{path}: Cache-Control lacks {PRIVATE!r} (got {headers.get('Cache-Control')!r})")


def report_through_the_worker(browser: "Browser", problems: list[str]) -> None:
    """Ask for the fidelity report as PDF the way the button does; the task worker must make it and the
    file must download: the production path of every export (a queue, a worker, the storage)."""
    status, _headers, html = browser.request("/indsatser/troskab/")
    form = re.search(r'<form method="post" action="(/indsatser/rapport/fidelity/eksport/)"(.*?)</form>', html, re.S)
    if status != 200 or not form:
        problems.append(f"report: the fidelity page ({status}) has no export form")
        return
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
    status, headers, _html = browser.request(form.group(1), {**fields, "format": "pdf"})
    export_page = headers.get("Location", "")
    if status != 302 or "/filer/" not in export_page:
        problems.append(f"report: asking for the PDF answered {status} {export_page!r}")
        return
    export_page = urlparse(export_page).path
    started = time.monotonic()
    while time.monotonic() - started < 120:
        status, _headers, html = browser.request(export_page)
        download = re.search(r'href="(/filer/[0-9a-f-]+/hent/)"', html)
        if download or "alert-danger" in html:
            break
        time.sleep(0.5)
    if not download:
        problems.append(f"report: the worker did not make the file in {time.monotonic() - started:.0f} s")
        return
    status, headers, body = browser.request(download.group(1))
    print(f"  {'worker':<12} {status} {download.group(1)} after {time.monotonic() - started:.1f} s")
    if status != 200 or not body.startswith("%PDF"):
        problems.append(f"report: the download answered {status} {headers.get('Content-Type')}")


def queue_drained(base: str, problems: list[str]) -> None:
    """Everything the run queued (the demo's invoice documents, the report) is made by the worker, and
    nothing failed on its last attempt: read from /health/, as the load balancer and the monitor read it."""
    started = time.monotonic()
    while True:
        _status, _headers, body = Browser(base).request("/health/")
        queue = json.loads(body)["queue"]
        if not (queue["waiting"] or queue["running"]) or time.monotonic() - started > 120:
            break
        time.sleep(0.5)
    print(f"  {'queue':<12} {queue}")
    if queue["waiting"] or queue["running"] or queue["failed_recently"]:
        problems.append(f"queue: the task worker left {queue} after {time.monotonic() - started:.0f} s")


def main(base: str, logins: list[tuple[str, ...]]) -> int:
    problems: list[str] = []
    fetched = 0
    static_checked = False
    for username, password, *key in logins:
        browser = Browser(base)
        if not browser.login(username, password, *key):
            problems.append(f"{username}: login failed")
            continue
        status, headers, html = browser.request("/")
        check_headers(f"{username} /", headers, problems, private=True)
        if username == logins[0][0]:
            for name in [*SECURITY_HEADERS, "Cache-Control", "Vary", "Content-Language"]:
                print(f"  header       {name}: {headers.get(name)}")
        # The role's main pages are the links of its navigation (main menu and administration menu).
        nav = html.split("<main", 1)[0]
        pages = sorted({href for href in re.findall(r'href="(/[^"#?]*)"', nav) if not href.startswith("/static/")})
        for path in ["/", *pages]:
            status, headers, _body = browser.request(path)
            fetched += 1
            print(f"  {username:<12} {status} {path}")
            if status != 200:
                problems.append(f"{username} {path}: {status}")
            else:
                check_headers(f"{username} {path}", headers, problems, private=True)
        if username == logins[0][0]:
            report_through_the_worker(browser, problems)
        if not static_checked:
            stylesheet = re.search(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', html)
            if not stylesheet:
                problems.append("the dashboard does not link Bootstrap by its hashed name")
            else:
                status, headers, _body = browser.request(stylesheet.group(1))
                print(f"  {'static':<12} {status} {stylesheet.group(1)}")
                if status != 200 or "immutable" not in (headers.get("Cache-Control") or ""):
                    problems.append(f"{stylesheet.group(1)}: {status} {headers.get('Cache-Control')}")
            static_checked = True
    queue_drained(base, problems)
    for problem in problems:
        print("SMOKE FAILED:", problem)
    print(f"smoke: {fetched} pages fetched for {len(logins)} roles, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    base_url, *pairs = sys.argv[1:]
    # user:password, or user:password:TOTPKEY (base32) for a user whose role requires a second factor
    sys.exit(main(base_url, [tuple(pair.split(":", 2)) for pair in pairs]))
