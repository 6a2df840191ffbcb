"""The citizens app's panel on the dashboard: find a citizen, register one, and consents that ran out."""

from django.urls import reverse

from citizens.selectors import citizens_with_expired_consent, waiting_erasure_requests


def dashboard_panel(request):
    user = request.user
    if not user.has_perm("citizens.view_citizen"):
        return None
    expired = citizens_with_expired_consent(user).count()
    erasures = waiting_erasure_requests(user).count() if user.has_perm("citizens.decide_erasure") else 0
    return (
        "citizens/panels/dashboard.html",
        {
            "can_add": user.has_perm("citizens.add_citizen"),
            "expired_consents": expired,
            "expired_url": reverse("citizens:list") + "?consent=expired",
            "erasures": erasures,
        },
    )
