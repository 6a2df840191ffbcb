"""Read queries for agreements, shaped for the pages that show them."""

import datetime

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from citizens.selectors import visible_citizens

UNSIGNED_REMINDER_DAYS = 14

EVENT_LABELS = {
    "created": _("Draft created"),
    "updated": _("Draft changed"),
    "issued": _("Issued; the PDF is frozen"),
    "signatures": _("Signature recorded"),
    "signed": _("Signed by both parties"),
    "signed_copy": _("Signed copy uploaded"),
    "ended": _("Ended"),
    "replaced": _("Ended: replaced by a new version"),
    "new_version": _("New version made"),
}


def visible_agreements(user) -> QuerySet[Agreement]:
    """Agreements of the citizens the user may see (own team; administrators all)."""
    return Agreement.objects.filter(citizen__in=visible_citizens(user))


def agreement_list(user, *, status: str = "", reminder: str = "") -> QuerySet[Agreement]:
    agreements = visible_agreements(user).select_related(
        "citizen", "paying_municipality", "coordinator", "next_version"
    )
    if status:
        agreements = agreements.filter(status=status)
    if reminder in REMINDERS:
        agreements = agreements.filter(pk__in=REMINDERS[reminder]().values("pk"))
    return agreements.order_by("-created_at", "-pk")


def get_visible_agreement(user, pk) -> Agreement:
    return get_object_or_404(
        visible_agreements(user).select_related(
            "citizen",
            "intervention",
            "paying_municipality",
            "caseworker",
            "coordinator",
            "action_plan",
            "text",
            "previous_version",
            "next_version",
            "created_by",
        ),
        pk=pk,
    )


def timeline(agreement: Agreement) -> list[dict]:
    records = agreement.history.select_related("history_user").order_by("history_date", "history_id")
    return [
        {
            "at": record.history_date,
            "user": record.history_user,
            "label": EVENT_LABELS.get(record.history_change_reason or "", _("Changed")),
        }
        for record in records
    ]


def versions(agreement: Agreement) -> QuerySet[Agreement]:
    return Agreement.objects.filter(intervention_id=agreement.intervention_id).order_by("-version")


def unsigned_reminders(*, today: datetime.date | None = None) -> QuerySet[Agreement]:
    """Issued more than 14 days ago and still not signed by both parties."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=UNSIGNED_REMINDER_DAYS), datetime.time.max)
    )
    # A version already being replaced is on its way: the new version is what waits for signatures.
    return (
        Agreement.objects.filter(status=Agreement.Status.ISSUED, issued_at__lte=cutoff, next_version__isnull=True)
        .select_related("citizen", "paying_municipality")
        .order_by("issued_at")
    )


def follow_up_reminders(*, today: datetime.date | None = None) -> QuerySet[Agreement]:
    """Agreements in force whose follow-up date has passed, until the follow-up is done.

    The team records the next follow-up date on the intervention once it has followed up; a later date
    there than in the agreement means it is done. A version being replaced is left out too.
    """
    today = today or timezone.localdate()
    return (
        Agreement.objects.filter(
            status__in=[Agreement.Status.ISSUED, Agreement.Status.SIGNED],
            follow_up_date__lt=today,
            next_version__isnull=True,
        )
        .exclude(intervention__follow_up_date__gt=F("follow_up_date"))
        .select_related("citizen", "paying_municipality", "intervention")
        .order_by("follow_up_date")
    )


REMINDERS = {"unsigned": unsigned_reminders, "follow_up": follow_up_reminders}


def reminder_label(reminder: str) -> str:
    if reminder == "unsigned":
        return gettext("Not signed %(days)s days after issue") % {"days": UNSIGNED_REMINDER_DAYS}
    return gettext("Follow-up date passed")


def citizen_agreements(citizen) -> list[Agreement]:
    """The newest version per intervention, for the citizen page's panel."""
    newest = {}
    for agreement in citizen.agreements.select_related("intervention").order_by("intervention_id", "-version"):
        newest.setdefault(agreement.intervention_id, agreement)
    return list(newest.values())
