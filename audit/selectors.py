"""The audit trail, read: full CPR views, changes from the history tables, and sign-ins, in one list.

One UNION ALL query gives a page of entries (time, who, kind, which row); a fixed number of queries per
source model on the page then fills in the details (the diff against the row before, the names). So a page
costs the same number of queries whatever the size of the history.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    F,
    ForeignKey,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agreements.models import Agreement
from audit.models import SignInEvent
from citizens.cpr import mask_cpr
from citizens.models import ActionPlan, Citizen, Consent, CprAccess, ErasureRequest, Goal
from interventions.models import Intervention, Pause, PhaseTransition, Visit
from invoicing.models import Invoice
from workshops.models import WorkshopHours


class Kind:
    CPR = "cpr"
    CHANGE = "change"
    SIGN_IN = "sign_in"
    CHOICES = [
        (CPR, gettext_lazy("Full CPR number shown")),
        (CHANGE, gettext_lazy("Change")),
        (SIGN_IN, gettext_lazy("Sign-in")),
    ]


def _intervention_citizen():
    return Subquery(Intervention.objects.filter(pk=OuterRef("intervention_id")).values("citizen_id")[:1])


def _plan_citizen():
    return Subquery(ActionPlan.history.filter(id=OuterRef("plan_id")).values("citizen_id")[:1])


# Every model with a history the trail shows, and how its rows name their citizen.
HISTORY_SOURCES = {
    "citizen": (Citizen, lambda: F("id")),
    "actionplan": (ActionPlan, lambda: F("citizen_id")),
    "goal": (Goal, _plan_citizen),
    "consent": (Consent, lambda: F("citizen_id")),
    "intervention": (Intervention, lambda: F("citizen_id")),
    "visit": (Visit, _intervention_citizen),
    "phasetransition": (PhaseTransition, _intervention_citizen),
    "pause": (Pause, _intervention_citizen),
    "agreement": (Agreement, lambda: F("citizen_id")),
    # An invoice is to a municipality, for many citizens: it shows in the trail unfiltered by citizen.
    "invoice": (Invoice, lambda: Value(None, output_field=BigIntegerField())),
    "erasurerequest": (ErasureRequest, lambda: F("citizen_id")),
    "workshophours": (WorkshopHours, lambda: F("citizen_id")),
}
COLUMNS = ("at", "user_ref", "kind", "source", "ref", "citizen_ref", "action")
# Derived from the CPR number, whose change is shown (masked) on its own; bookkeeping columns.
_SKIP_FIELDS = {"id", "created_at", "updated_at", "cpr_hash", "birth_date"}


@dataclass
class Filters:
    user_id: int | None = None
    citizen_id: int | None = None
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Entry:
    at: datetime
    user: object
    kind: str
    action: str
    subject: str
    citizen: Citizen | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)


def _shaped(queryset: QuerySet, *, at, user, kind, source, ref, citizen, action) -> QuerySet:
    return queryset.annotate(
        at_=at,
        user_ref=user,
        kind_=Value(kind, output_field=CharField()),
        source_=Value(source, output_field=CharField()),
        ref_=ref,
        citizen_ref=citizen,
        action_=action,
    ).values_list("at_", "user_ref", "kind_", "source_", "ref_", "citizen_ref", "action_")


def _period(queryset: QuerySet, column: str, filters: Filters) -> QuerySet:
    zone = timezone.get_current_timezone()
    if filters.date_from:
        queryset = queryset.filter(**{f"{column}__gte": datetime.combine(filters.date_from, time.min, zone)})
    if filters.date_to:
        queryset = queryset.filter(**{f"{column}__lte": datetime.combine(filters.date_to, time.max, zone)})
    return queryset


def audit_entries(filters: Filters) -> QuerySet:
    """The trail as one query of `COLUMNS` tuples, newest first; slice it for a page."""
    parts = []
    if filters.kind in ("", Kind.CPR):
        accesses = _period(CprAccess.objects.all(), "at", filters)
        if filters.user_id:
            accesses = accesses.filter(user_id=filters.user_id)
        if filters.citizen_id:
            accesses = accesses.filter(citizen_id=filters.citizen_id)
        parts.append(
            _shaped(
                accesses.order_by(),
                at=F("at"),
                user=F("user_id"),
                kind=Kind.CPR,
                source="cpraccess",
                ref=F("pk"),
                citizen=F("citizen_id"),
                action=Value("view", output_field=CharField()),
            )
        )
    if filters.kind in ("", Kind.CHANGE):
        for source, (model, citizen_of) in HISTORY_SOURCES.items():
            rows = model.history.annotate(history_citizen=citizen_of())
            rows = _period(rows, "history_date", filters)
            if filters.user_id:
                rows = rows.filter(history_user_id=filters.user_id)
            if filters.citizen_id:
                rows = rows.filter(history_citizen=filters.citizen_id)
            parts.append(
                _shaped(
                    rows.order_by(),
                    at=F("history_date"),
                    user=F("history_user_id"),
                    kind=Kind.CHANGE,
                    source=source,
                    ref=F("history_id"),
                    citizen=F("history_citizen"),
                    action=F("history_type"),
                )
            )
    if filters.kind in ("", Kind.SIGN_IN) and not filters.citizen_id:
        sign_ins = _period(SignInEvent.objects.all(), "at", filters)
        if filters.user_id:
            sign_ins = sign_ins.filter(user_id=filters.user_id)
        parts.append(
            _shaped(
                sign_ins.order_by(),
                at=F("at"),
                user=F("user_id"),
                kind=Kind.SIGN_IN,
                source="signin",
                ref=F("pk"),
                citizen=Value(None, output_field=BigIntegerField()),
                action=Case(When(succeeded=True, then=Value("ok")), default=Value("fail"), output_field=CharField()),
            )
        )
    first, *rest = parts
    return first.union(*rest, all=True).order_by("-at_", "-ref_") if rest else first.order_by("-at_", "-ref_")


# --- details for one page -------------------------------------------------------------------


def _display(model_field, value, related) -> str:
    if value in (None, ""):
        return "–"
    if model_field.name == "cpr":
        return mask_cpr(value)
    if isinstance(model_field, ForeignKey):
        return str(related.get((model_field.related_model, value), value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if model_field.get_internal_type() == "FileField":
        return _("a PDF document")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _history_rows(model, refs) -> dict:
    """The wanted history rows by history_id, each with the row before it (for the diff): two queries."""
    history = model.history.model
    previous = (
        history.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = {
        row.history_id: row
        for row in history.objects.filter(history_id__in=refs).annotate(audit_previous_ref=Subquery(previous))
    }
    wanted = {row.audit_previous_ref for row in rows.values() if row.audit_previous_ref}
    earlier = history.objects.in_bulk(wanted) if wanted else {}
    for row in rows.values():
        row.previous_row = earlier.get(row.audit_previous_ref)
    return rows


def _fields(model):
    # Columns the history leaves out (an invoice's stored PDF and XML) have nothing to compare.
    kept = {f.name for f in model.history.model._meta.concrete_fields}
    return [f for f in model._meta.concrete_fields if f.name not in _SKIP_FIELDS and f.name in kept]


def _changes(model, row, related) -> list[tuple[str, str, str]]:
    if row.history_type != "~" or row.previous_row is None:
        return []
    changes = []
    for model_field in _fields(model):
        old, new = getattr(row.previous_row, model_field.attname), getattr(row, model_field.attname)
        if old != new:
            changes.append(
                (
                    str(model_field.verbose_name),
                    _display(model_field, old, related),
                    _display(model_field, new, related),
                )
            )
    return changes


ACTIONS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
    "view": gettext_lazy("Viewed the full CPR number"),
    "ok": gettext_lazy("Signed in"),
    "fail": gettext_lazy("Failed sign-in"),
}


def entries_for(page_rows) -> list[Entry]:
    """Turn a page of `audit_entries` tuples into what the page shows, in a bounded number of queries."""
    rows = [dict(zip(COLUMNS, row, strict=True)) for row in page_rows]
    by_source: dict[str, set] = {}
    for row in rows:
        by_source.setdefault(row["source"], set()).add(row["ref"])
    history = {source: _history_rows(HISTORY_SOURCES[source][0], refs) for source, refs in by_source.items()
               if source in HISTORY_SOURCES}  # fmt: skip
    accesses = CprAccess.objects.in_bulk(by_source.get("cpraccess", set()))
    sign_ins = SignInEvent.objects.in_bulk(by_source.get("signin", set()))

    # Names for foreign keys in the diffs: one query per related model.
    wanted: dict = {}
    for source, found in history.items():
        model = HISTORY_SOURCES[source][0]
        fks = [f for f in _fields(model) if isinstance(f, ForeignKey)]
        for row in found.values():
            for candidate in (row, row.previous_row):
                for fk in fks if candidate is not None else []:
                    if (value := getattr(candidate, fk.attname)) is not None:
                        wanted.setdefault(fk.related_model, set()).add(value)
    related = {}
    for related_model, ids in wanted.items():
        for pk, obj in related_model._base_manager.in_bulk(ids).items():
            related[(related_model, pk)] = obj
    users = get_user_model().objects.in_bulk({row["user_ref"] for row in rows if row["user_ref"]})
    citizens = Citizen.objects.defer("cpr").in_bulk({row["citizen_ref"] for row in rows if row["citizen_ref"]})

    entries = []
    for row in rows:
        source, citizen = row["source"], citizens.get(row["citizen_ref"])
        changes = []
        if source in HISTORY_SOURCES:
            model = HISTORY_SOURCES[source][0]
            subject = str(model._meta.verbose_name).capitalize()
            found = history[source].get(row["ref"])
            if found is not None:
                changes = _changes(model, found, related)
                if source == "invoice" and found.number:
                    subject = f"{subject} {found.number}"
        elif source == "cpraccess":
            access = accesses.get(row["ref"])
            subject = access.purpose if access and access.purpose else _("CPR number on the citizen's page")
        else:
            event = sign_ins.get(row["ref"])
            subject = event.username if event else ""
        entries.append(
            Entry(
                at=timezone.localtime(row["at"]),
                user=users.get(row["user_ref"]),
                kind=row["kind"],
                action=str(ACTIONS.get(row["action"], row["action"])),
                subject=subject,
                citizen=citizen,
                changes=changes,
            )
        )
    return entries


def audit_users():
    return get_user_model().objects.order_by("first_name", "last_name", "username")
