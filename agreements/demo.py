"""Demo agreements in every state, on whatever interventions the earlier seeds made.

Deterministic (interventions in pk order, one fixed random generator, dates counted from today) and
idempotent (nothing is made once agreements exist). Issued and signed agreements are only made for
interventions that have started and have a coordinator; they are issued on an earlier day and signed
after the issue, never in the future. Issuing renders real PDFs, so the number is kept small.
"""

import contextlib
import datetime
import random
from unittest import mock

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


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@contextlib.contextmanager
def _clock(when: datetime.datetime):
    """Run a step of the demo's story on an earlier day, so the PDF's issue date, the timeline and the
    signature checks all agree (the services read the time from `timezone.now`). Demo seeding only."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def _sign(agreement: Agreement, user, rng: random.Random) -> Agreement:
    """Both signatures after the issue and not in the future, then the scanned copy on the same day."""
    today = timezone.localdate()
    issued_on = timezone.localdate(agreement.issued_at)
    provider_on = min(issued_on + datetime.timedelta(days=rng.randint(0, 3)), today)
    municipality_on = min(provider_on + datetime.timedelta(days=rng.randint(1, 14)), today)
    caseworker = agreement.caseworker.name if agreement.caseworker else "Sagsbehandler"
    with _clock(_at(municipality_on, 12)):
        signed = services.record_signatures(
            agreement=agreement,
            user=user,
            provider_signed_by=rng.choice(SIGNERS_PROVIDER),
            provider_signed_on=provider_on,
            municipality_signed_by=caseworker,
            municipality_signed_on=municipality_on,
        )
    # The "scan" is the issued PDF itself: the demo has no scanner.
    scan = SimpleUploadedFile("scan.pdf", agreement.pdf.open("rb").read(), content_type="application/pdf")
    agreement.pdf.close()
    with _clock(_at(municipality_on, 14)):
        return services.upload_signed_copy(agreement=signed, user=user, uploaded=scan)


def _issued_on(intervention: Intervention, state: str, rng: random.Random, today: datetime.date) -> datetime.date:
    if state == "issued":
        return today - datetime.timedelta(days=rng.randint(1, 7))  # awaiting signatures, no reminder yet
    if state == "issued_late":
        return today - datetime.timedelta(days=20)  # the dashboard's reminder: unsigned after 14 days
    # Signed ones were issued around the start (or, for an older intervention, some months ago) and signed since.
    around_start = intervention.start_date - datetime.timedelta(days=rng.randint(0, 7))
    months_ago = today - datetime.timedelta(days=rng.randint(60, 150))
    return min(max(around_start, months_ago), today - datetime.timedelta(days=1))


def seed(context, stdout=None):
    if Agreement.objects.exists():
        return  # seeded before
    admin = context["users"].get("admin")
    rng = random.Random(110)
    today = timezone.localdate()
    issuable = list(
        Intervention.objects.exclude(status=Intervention.Status.ENDED)
        .filter(agreements__isnull=True)
        .annotate(
            has_plan=Exists(ActionPlan.objects.filter(citizen_id=OuterRef("citizen_id"))),
            has_ean=Exists(MunicipalityEAN.objects.filter(municipality_id=OuterRef("citizen__paying_municipality_id"))),
        )
        .filter(has_plan=True, has_ean=True)
        .select_related("citizen", "worker", "coordinator")
        .order_by("pk")
    )
    used = set()

    def pick(state: str) -> Intervention | None:
        """A draft may be for any intervention (also a planned one); an issued agreement needs one that has
        started and has every field the service asks for before issue."""
        for intervention in issuable:
            if intervention.pk in used:
                continue
            if state != "draft" and not _issuable(intervention, today):
                continue
            used.add(intervention.pk)
            return intervention
        return None

    made = 0
    for state in PLAN:
        intervention = pick(state)
        if intervention is None:
            break
        data = {"coordinator": _coordinator(intervention)}
        if state == "signed_follow_up":
            # The follow-up agreed with the municipality was five days ago and nobody has recorded it yet.
            data["follow_up_date"] = max(intervention.start_date, today - datetime.timedelta(days=5))
            Intervention.objects.filter(pk=intervention.pk).update(follow_up_date=data["follow_up_date"])
        if state == "draft":
            services.create_draft(intervention=intervention, user=admin, data=data)
            made += 1
            continue
        issued_on = _issued_on(intervention, state, rng, today)
        with _clock(_at(issued_on, 9)):
            agreement = services.create_draft(intervention=intervention, user=admin, data=data)
        with _clock(_at(issued_on, 10)):
            agreement = services.issue_agreement(agreement=agreement, user=admin)
        made += 1
        if state in ("signed", "signed_follow_up", "ended", "new_version"):
            agreement = _sign(agreement, admin, rng)
            if state == "ended":
                services.end_agreement(agreement=agreement, user=admin, ended_on=today)
            elif state == "new_version":
                draft = services.new_version(agreement=agreement, user=admin)
                services.update_draft(
                    agreement=draft, user=admin, data={"follow_up_date": today + datetime.timedelta(days=90)}
                )
    if stdout is not None:
        stdout.write(f"Agreements: {made} made, in the states {', '.join(sorted(set(PLAN[:made])))}.")


def _issuable(intervention: Intervention, today: datetime.date) -> bool:
    return (
        intervention.start_date <= today
        and intervention.follow_up_date is not None
        and intervention.citizen.caseworker_id is not None
        and _coordinator(intervention) is not None
    )


def _coordinator(intervention: Intervention):
    """The intervention's coordinator, else its worker, if of the citizen's team (the form allows no other)."""
    for user in (intervention.coordinator, intervention.worker):
        if user is not None and user.team_id == intervention.citizen.team_id:
            return user
    return None
