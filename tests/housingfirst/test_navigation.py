import pytest
from django.urls import reverse

from tests.conftest import logged_in
from tests.factories import AdministratorFactory, ProviderFactory, TeamLeadFactory, WorkerFactory


def nav_labels(response) -> str:
    html = response.content.decode()
    return html[html.index('id="main-nav"') : html.index("</nav>")]


def test_login_page_is_danish(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="da">' in html
    assert "Log ind" in html
    assert "Brugernavn" in html


@pytest.mark.parametrize(
    "path",
    ["/", "/kommuner/", "/kommuner/1/", "/leverandoer/"],
)
def test_every_page_requires_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_and_logout(client, worker):
    response = client.post(reverse("login"), {"username": worker.username, "password": "test-password-1"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post(reverse("logout"), follow=True)
    assert "Du er logget ud" in response.content.decode()
    assert client.get("/").status_code == 302


def test_wrong_password_says_so_in_danish(client, worker):
    response = client.post(reverse("login"), {"username": worker.username, "password": "wrong"})
    assert response.status_code == 200
    assert "korrekt brugernavn og adgangskode" in response.content.decode()


def test_support_worker_sees_the_field_menu_only(client, db):
    nav = nav_labels(logged_in(client, WorkerFactory()).get("/"))
    assert "Overblik" in nav
    assert "Fakturering" not in nav
    assert "Kommuner" not in nav
    assert "Leverandør" not in nav


def test_team_lead_sees_the_team_menu_but_not_invoicing(client, db):
    nav = nav_labels(logged_in(client, TeamLeadFactory()).get("/"))
    assert "Overblik" in nav
    assert "Fakturering" not in nav
    assert "Leverandør" not in nav


def administration_menu(response) -> str:
    html = nav_labels(response)
    start = html.index(" Administration</button>")
    return html[start : html.index("</ul>", start)]


def test_administrator_sees_administration(client, db):
    nav = nav_labels(logged_in(client, AdministratorFactory()).get("/"))
    assert "Kommuner" in nav
    assert "Leverandør" in nav


def test_the_administrators_setup_pages_are_one_menu_so_the_bar_fits(client, db):
    # A superuser (the operator) also has the Django admin in the menu.
    response = logged_in(client, AdministratorFactory(is_superuser=True)).get("/")
    menu = administration_menu(response)
    for label in ("Kommuner", "Leverandør", "Standardtekst", "Livsområder", "Takster", "Låste logins", "Adminsiden"):
        assert label in menu, label
    # The daily work stays in the bar itself.
    bar = nav_labels(response).replace(menu, "")
    for label in ("Overblik", "Borgere", "Kapacitet", "Advarsler", "Aftaler", "Fakturering"):
        assert label in bar, label
    assert bar.count('class="nav-link') == 7  # six pages and the Administration button


def test_a_page_in_the_administration_menu_marks_the_menu_not_its_neighbour(client, db):
    response = logged_in(client, AdministratorFactory()).get(reverse("agreements:text"))
    menu = administration_menu(response)
    assert 'class="dropdown-item active" href="/aftaler/standardtekst/" aria-current="page"' in menu
    assert 'class="nav-link dropdown-toggle active"' in nav_labels(response)
    assert 'href="/aftaler/" aria-current="page"' not in nav_labels(response)


@pytest.mark.parametrize("factory", [WorkerFactory, TeamLeadFactory])
def test_workers_and_team_leads_have_no_administration_menu(client, db, factory):
    nav = nav_labels(logged_in(client, factory()).get("/"))
    assert "Administration" not in nav
    assert "Standardtekst" not in nav and "Takster" not in nav


def test_worker_cannot_open_administrator_pages(client, db):
    client = logged_in(client, WorkerFactory())
    assert client.get(reverse("provider_edit")).status_code == 403
    assert client.get(reverse("municipality_list")).status_code == 403


def test_english_is_the_second_language(client, worker):
    logged_in(client, worker)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html


def test_administrator_edits_the_provider_with_validated_cvr(client, db):
    provider = ProviderFactory()
    client = logged_in(client, AdministratorFactory())
    data = {
        "name": provider.name,
        "address": provider.address,
        "postal_code": "6100",
        "city": "Haderslev",
        "phone": "73 50 12 00",
        "cvr": "24124658",
        "ean": "5700022628903",
        "payment_terms_days": "30",
    }
    response = client.post(reverse("provider_edit"), data)
    assert response.status_code == 200
    assert "kontrolcifferet passer ikke" in response.content.decode()
    data["cvr"] = "2412 4657"
    response = client.post(reverse("provider_edit"), data)
    assert response.status_code == 302, response.context["form"].errors
    provider.refresh_from_db()
    assert provider.cvr == "24124657"


def test_an_english_browser_still_gets_danish(client, worker):
    logged_in(client, worker)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="da">' in html
    assert "Log ud" in html


def _every_route(resolver=None, prefix=""):
    from django.urls import URLResolver, get_resolver

    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # the Django admin has its own login
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _every_route(pattern, namespace)
        elif pattern.name:
            yield prefix + pattern.name, list(pattern.pattern.converters)


# The calendar feed is read by calendar apps that cannot log in: its secret URL is its key (tests/agenda/test_feed.py).
PUBLIC = {"login", "health", "set_language", "agenda:feed"}


def _sample_value(name, param):
    if param == "document":
        return "pdf"
    if name.split(":")[-1] in {"export_detail", "export_download", "export_retry", "task_retry"}:  # UUID keys
        return "00000000-0000-0000-0000-000000000001"
    return 1


def test_every_route_of_every_app_requires_login(client, db):
    checked = 0
    for name, params in _every_route():
        if name in PUBLIC:
            continue
        path = reverse(name, kwargs={param: _sample_value(name, param) for param in params})
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path
        checked += 1
    assert checked > 50
