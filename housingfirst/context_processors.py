from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, icon, who sees it). Roles: worker, lead, admin; "staff" is Django's is_staff.
NAVIGATION = [
    ("dashboard", _("Overview"), "house", {"worker", "lead", "admin"}),
    ("agenda:agenda", _("Agenda"), "calendar-week", {"worker", "lead"}),
    ("interventions:my_citizens", _("My citizens"), "person-heart", {"worker", "lead"}),
    ("citizens:list", _("Citizens"), "people", {"worker", "lead", "admin"}),
    ("interventions:visit_create", _("Log visit"), "plus-circle", {"worker", "lead"}),
    ("interventions:capacity", _("Capacity"), "bar-chart", {"lead", "admin"}),
    ("interventions:fidelity", _("Warnings"), "exclamation-triangle", {"lead", "admin"}),
    ("interventions:method_fidelity", _("Fidelity"), "clipboard-data", {"lead"}),
    ("agreements:list", _("Agreements"), "file-earmark-text", {"admin"}),
    ("invoicing:month", _("Invoicing"), "receipt", {"admin"}),
    ("workshops:list", _("Workshops"), "tools", {"workshop"}),
]
# Set up once and seldom changed: one "Administration" menu, so the bar fits a 1280 px screen in both languages.
ADMINISTRATION = [
    ("municipality_list", _("Municipalities"), "bank", {"admin"}),
    ("provider_edit", _("Provider"), "building", {"admin"}),
    ("agreements:text", _("Standard text"), "journal-text", {"admin"}),
    ("citizens:life_areas", _("Life areas"), "list-check", {"admin"}),
    ("invoicing:rates", _("Rates"), "cash-coin", {"admin"}),
    ("workshops:list", _("Workshops"), "tools", {"admin"}),
    ("workshops:month", _("Work bonus"), "wallet2", {"admin"}),
    ("task_list", _("Tasks"), "hourglass-split", {"admin"}),
    ("lockout_list", _("Lockouts"), "shield-lock", {"admin"}),
    ("twofactor_users", _("Two-factor sign-in"), "phone", {"admin"}),
    ("audit:list", _("Audit trail"), "journal-text", {"admin"}),
    # Administrators read fidelity here, so their bar keeps fitting a 1280 px screen.
    ("interventions:method_fidelity", _("Fidelity"), "clipboard-data", {"admin"}),
    ("admin:index", _("Admin site"), "gear", {"staff"}),
]


def roles_of(user) -> set[str]:
    roles = set()
    if user.is_administrator:
        roles.add("admin")
    if user.is_team_lead:
        roles.add("lead")
    if user.is_support_worker:
        roles.add("worker")
    if user.is_workshop_leader:
        roles.add("workshop")
    if user.is_superuser:
        # The Django admin is for the operator only (housingfirst/admin.py).
        roles.add("staff")
    return roles


def _items(entries, roles):
    items = []
    for url_name, label, icon, audience in entries:
        if not roles & audience:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            # A page of an app not installed in this deployment.
            continue
        items.append({"url": url, "label": label, "icon": icon, "active": False})
    return items


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "admin_items": [], "admin_active": False}
    roles = roles_of(user)
    nav_items, admin_items = _items(NAVIGATION, roles), _items(ADMINISTRATION, roles)
    # The longest URL the page lies under is the one it belongs to: /aftaler/standardtekst/ is the standard
    # text (in Administration), not the agreements.
    matches = [
        item
        for item in nav_items + admin_items
        if request.path == item["url"] or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {
        "nav_items": nav_items,
        "admin_items": admin_items,
        "admin_active": any(item["active"] for item in admin_items),
    }
