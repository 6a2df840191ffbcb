"""The citizens app's panel on the dashboard: find a citizen, register one, and consents that ran out."""

from django.urls import reverse

from citizens.selectors import citizens_with_expired_consent


def dashboard_panel(request):
    user = request.user
    if not user.has_perm("citizens.view_citizen"):
        return None
    expired = citizens_with_expired_consent(user).count()
    return (
        "citizens/panels/dashboard.html",
        {
            "can_add": user.has_perm("citizens.add_citizen"),
            "expired_consents": expired,
            "expired_url": reverse("citizens:list") + "?consent=expired",
        },
    )
