from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, icon, who sees it). Roles: worker, lead, admin.
NAVIGATION = [
    ("dashboard", _("Overview"), "house", {"worker", "lead", "admin"}),
    ("interventions:my_citizens", _("My citizens"), "person-heart", {"worker", "lead"}),
    ("citizens:list", _("Citizens"), "people", {"worker", "lead", "admin"}),
    ("interventions:visit_create", _("Log visit"), "plus-circle", {"worker", "lead"}),
    ("interventions:capacity", _("Capacity"), "bar-chart", {"lead", "admin"}),
    ("interventions:fidelity", _("Warnings"), "exclamation-triangle", {"lead", "admin"}),
    ("agreements:list", _("Agreements"), "file-earmark-text", {"admin"}),
    ("invoicing:month", _("Invoicing"), "receipt", {"admin"}),
    ("municipality_list", _("Municipalities"), "bank", {"admin"}),
    ("provider_edit", _("Provider"), "building", {"admin"}),
]


def roles_of(user) -> set[str]:
    roles = set()
    if user.is_administrator:
        roles.add("admin")
    if user.is_team_lead:
        roles.add("lead")
    if user.is_support_worker:
        roles.add("worker")
    return roles


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = roles_of(user)
    items = []
    for url_name, label, icon, audience in NAVIGATION:
        if not roles & audience:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            # A page of an app not installed in this deployment.
            continue
        items.append(
            {
                "url": url,
                "label": label,
                "icon": icon,
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"nav_items": items}
