"""Retention and erasure: a citizen is anonymised when the retention period has run out, or earlier when two
administrators agree (one asks, another approves).

Anonymising removes or replaces the name, the CPR number (ciphertext and blind index), the birth date, the
contact details, every free-text note and every uploaded file, here and in every app that holds any (each
app's `personal_data.eraser`), and purges the same fields from the history tables, so the audit trail keeps
who did what and when but no longer what it said. What stays: dates, methods, minutes, and the invoices as
issued (an issued invoice never changes: its lines keep the masked number and its PDF its hash), which the
bookkeeping rules require for as long as the retention period runs.
"""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.models import ActionPlan, Citizen, Consent, ErasureRequest, Goal
from citizens.names import fold_name
from housingfirst import personal_data

logger = logging.getLogger(__name__)

PERMISSION = "citizens.decide_erasure"
ANONYMOUS_FIRST_NAME = "Anonymiseret"
REMOVED = ""

# The citizen's own columns that identify them; the history tables lose them too.
CITIZEN_FIELDS = {
    "cpr": "",
    "cpr_hash": "",
    "birth_date": None,
    "phone": "",
    "email": "",
    "address": "",
    "postal_code": "",
    "city": "",
}


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Interventions that ended on or before this day are past the retention period."""
    today = today or timezone.localdate()
    years = settings.CITIZEN_RETENTION_YEARS
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def due_citizens(*, today: datetime.date | None = None) -> QuerySet[Citizen]:
    """Citizens not yet anonymised whose retention period has run out: registered before the cutoff, and
    (each app narrows it) with no intervention still open or ended after it."""
    cutoff = retention_cutoff(today)
    zone = timezone.get_current_timezone()
    registered_before = datetime.datetime.combine(cutoff + datetime.timedelta(days=1), datetime.time.min, zone)
    citizens = Citizen.objects.filter(anonymised_at__isnull=True, created_at__lt=registered_before)
    for narrow in personal_data.retention_filters():
        citizens = narrow(citizens, cutoff)
    return citizens.defer("cpr").order_by("pk")


def delete_files_after_commit(files) -> None:
    """Storage is not transactional: the files go once the anonymisation has committed."""

    def delete():
        for file in files:
            try:
                file.storage.delete(file.name)
            except OSError:
                logger.exception("An anonymised citizen's file %s could not be deleted", file.name)

    transaction.on_commit(delete)


@transaction.atomic
def anonymise_citizen(*, citizen: Citizen, user=None) -> Citizen:
    """Anonymise one citizen everywhere (see the module's text). Safe to run twice."""
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if citizen.anonymised_at is not None:
        return citizen
    files = []
    for plan in ActionPlan.objects.filter(citizen=citizen).exclude(document=""):
        files.append(plan.document)
    for consent in Consent.objects.filter(citizen=citizen).exclude(document=""):
        files.append(consent.document)
    ActionPlan.objects.filter(citizen=citizen).update(notes=REMOVED, document="")
    ActionPlan.history.filter(citizen_id=citizen.pk).update(notes=REMOVED, document="")
    Goal.objects.filter(plan__citizen=citizen).update(description=REMOVED)
    Goal.history.filter(plan_id__in=ActionPlan.objects.filter(citizen=citizen).values("pk")).update(
        description=REMOVED
    )
    Consent.objects.filter(citizen=citizen).update(covers=REMOVED, obtain_from=REMOVED, document="")
    Consent.history.filter(citizen_id=citizen.pk).update(covers=REMOVED, obtain_from=REMOVED, document="")
    for erase in personal_data.erasers():
        files.extend(erase(citizen) or [])

    from housingfirst.models import Export

    # Files made for users that hold the citizen's data (lists, reports, the access export).
    for export in Export.objects.exclude(citizen_ids=[]):
        if citizen.pk in (export.citizen_ids or []):
            if export.file:
                files.append(export.file)
            export.delete()

    names = {"first_name": ANONYMOUS_FIRST_NAME, "last_name": f"borger {citizen.pk}"}
    # The blind index stays unique without a number behind it.
    folded = fold_name(f"{names['first_name']} {names['last_name']}")
    Citizen.history.filter(id=citizen.pk).update(**names, search_name=folded, **CITIZEN_FIELDS)
    for name, value in {**names, **CITIZEN_FIELDS}.items():
        setattr(citizen, name, value)
    citizen.cpr_hash = f"anonymised-{citizen.pk}"
    citizen.anonymised_at = timezone.now()
    if user is not None:
        citizen._history_user = user
    citizen.save()
    # The one history row the save wrote keeps no hash of anything.
    Citizen.history.filter(id=citizen.pk).update(cpr_hash="")
    delete_files_after_commit(files)
    logger.info("Citizen %s anonymised", citizen.pk)
    return citizen


def anonymise_due(*, today: datetime.date | None = None, dry_run: bool = False) -> list[Citizen]:
    """The daily job: anonymise every citizen whose retention period has run out, one transaction each."""
    due = list(due_citizens(today=today))
    if not dry_run:
        for citizen in due:
            anonymise_citizen(citizen=citizen)
    return due


# --- erasure ahead of time: two administrators ------------------------------------------------


def _require(user):
    if not user.has_perm(PERMISSION):
        raise PermissionDenied


@transaction.atomic
def request_erasure(*, citizen: Citizen, user, reason: str) -> ErasureRequest:
    _require(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the citizen's data is to be erased.")})
    if citizen.anonymised_at is not None:
        raise ValidationError(_("The citizen is already anonymised."))
    request = ErasureRequest(citizen=citizen, requested_by=user, reason=reason)
    request._history_user = user
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(_("An erasure of this citizen is already waiting for a decision.")) from None
    return request


@transaction.atomic
def decide_erasure(*, request: ErasureRequest, user, approve: bool) -> ErasureRequest:
    """A second administrator approves (the citizen is anonymised at once) or rejects the request."""
    _require(user)
    request = ErasureRequest.objects.select_for_update().select_related("citizen").get(pk=request.pk)
    if request.decision:
        raise ValidationError(_("The request has already been decided."))
    if request.requested_by_id == user.pk:
        raise ValidationError(_("Another administrator must decide an erasure you asked for."))
    request.decision = ErasureRequest.Decision.APPROVED if approve else ErasureRequest.Decision.REJECTED
    request.decided_by = user
    request.decided_at = timezone.now()
    request._history_user = user
    request.save()
    if approve:
        anonymise_citizen(citizen=request.citizen, user=user)
    return request
