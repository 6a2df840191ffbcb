"""Demo agreements in every state, on whatever interventions the earlier seeds made.

Deterministic (interventions in pk order, one fixed random generator) and idempotent (an
intervention that already has an agreement is left alone). Issuing renders real PDFs, so the
number is kept small.
"""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Exists, OuterRef
from django.utils import timezone

from agreements import services
from agreements.models import Agreement
from citizens.models import ActionPlan
from housingfirst.models import MunicipalityEAN
from interventions.models import Intervention

# The states the demo shows, in turn: a reminder case (issued 20 days ago) and a passed follow-up too.
STATES = ["signed", "issued", "draft", "issued_late", "signed_follow_up", "ended", "new_version", "signed", "draft"]
# Most citizens in support have a signed agreement; each issued one renders a PDF, so stop at 20.
PLAN = STATES + ["signed"] * 11
SIGNERS_PROVIDER = ["Birgitte Holm", "Lars Kjær"]


def _backdate_issue(agreement: Agreement, days: int) -> Agreement:
    Agreement.objects.filter(pk=agreement.pk).update(issued_at=timezone.now() - datetime.timedelta(days=days))
    agreement.refresh_from_db()
    return agreement


def _sign(agreement: Agreement, user, rng: random.Random) -> Agreement:
    today = timezone.localdate()
    caseworker = agreement.caseworker.name if agreement.caseworker else "Sagsbehandler"
    signed = services.record_signatures(
        agreement=agreement,
        user=user,
        provider_signed_by=rng.choice(SIGNERS_PROVIDER),
        provider_signed_on=today,
        municipality_signed_by=caseworker,
        municipality_signed_on=today,
    )
    # The "scan" is the issued PDF itself: the demo has no scanner.
    scan = SimpleUploadedFile("scan.pdf", agreement.pdf.open("rb").read(), content_type="application/pdf")
    agreement.pdf.close()
    return services.upload_signed_copy(agreement=signed, user=user, uploaded=scan)


def seed(context, stdout=None):
    if Agreement.objects.exists():
        return  # seeded before
    admin = context["users"].get("admin")
    rng = random.Random(110)
    today = timezone.localdate()
    issuable = (
        Intervention.objects.exclude(status=Intervention.Status.ENDED)
        .filter(agreements__isnull=True)
        .annotate(
            has_plan=Exists(ActionPlan.objects.filter(citizen_id=OuterRef("citizen_id"))),
            has_ean=Exists(MunicipalityEAN.objects.filter(municipality_id=OuterRef("citizen__paying_municipality_id"))),
        )
        .filter(has_plan=True, has_ean=True)
        .select_related("citizen")
        .order_by("pk")
    )
    made = 0
    for state, intervention in zip(PLAN, issuable, strict=False):
        agreement = services.create_draft(intervention=intervention, user=admin)
        if state == "draft":
            made += 1
            continue
        if state == "signed_follow_up":
            Agreement.objects.filter(pk=agreement.pk).update(follow_up_date=today - datetime.timedelta(days=5))
            agreement.refresh_from_db()
        agreement = services.issue_agreement(agreement=agreement, user=admin)
        if state == "issued_late":
            _backdate_issue(agreement, 20)
        elif state in ("signed", "signed_follow_up", "ended", "new_version"):
            agreement = _sign(agreement, admin, rng)
            if state == "ended":
                services.end_agreement(agreement=agreement, user=admin, ended_on=today)
            elif state == "new_version":
                draft = services.new_version(agreement=agreement, user=admin)
                services.update_draft(
                    agreement=draft, user=admin, data={"follow_up_date": today + datetime.timedelta(days=90)}
                )
        made += 1
    if stdout is not None:
        stdout.write(f"Agreements: {made} made, in the states {', '.join(sorted(set(PLAN[:made])))}.")
