"""Read queries for citizens. Every view that shows a citizen, or anything of one, starts here.

A support worker and a team lead see only their own team's citizens; an administrator sees all.
Anything else answers 404, so a guessed URL tells nothing about who exists.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Exists, F, FilteredRelation, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.cpr import mask_cpr, normalize_cpr
from citizens.models import ActionPlan, Citizen, Consent, CprAccess, ErasureRequest, Goal, LifeArea
from citizens.names import fold_name
from housingfirst.models import Caseworker, Municipality, Team, User


def visible_citizens(user) -> QuerySet[Citizen]:
    citizens = Citizen.objects.all()
    if user.sees_all_teams:
        return citizens
    if user.team_id is None:
        return citizens.none()
    return citizens.filter(team_id=user.team_id)


def visible_citizen_with_cpr(user, cpr: str) -> Citizen | None:
    return visible_citizens(user).filter(cpr=normalize_cpr(cpr)).first()


def get_visible_citizen(user, pk) -> Citizen:
    return get_object_or_404(visible_citizens(user), pk=pk)


def current_plan(citizen: Citizen) -> ActionPlan | None:
    """The newest action plan is the current one."""
    return citizen.plans.order_by("-received_on", "-pk").first()


# --- consents -------------------------------------------------------------------------------


def valid_consent_q(on: date | None = None, prefix: str = "") -> Q:
    """Consents in force on a day: given, not expired, not withdrawn."""
    on = on or timezone.localdate()
    return (
        Q(**{f"{prefix}given_on__lte": on})
        & (Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on}))
        & (Q(**{f"{prefix}withdrawn_on__isnull": True}) | Q(**{f"{prefix}withdrawn_on__gt": on}))
    )


def expired_consent_q(on: date | None = None, prefix: str = "") -> Q:
    on = on or timezone.localdate()
    return Q(**{f"{prefix}expires_on__lt": on}) | Q(**{f"{prefix}withdrawn_on__lte": on})


def citizens_with_expired_consent(user) -> QuerySet[Citizen]:
    """Citizens still supported whose consent has run out and who have no other consent in force."""
    today = timezone.localdate()
    consents = Consent.objects.filter(citizen=OuterRef("pk"))
    return (
        visible_citizens(user)
        .exclude(status=Citizen.Status.ENDED)
        .filter(Exists(consents.filter(expired_consent_q(today))))
        .exclude(Exists(consents.filter(valid_consent_q(today))))
    )


# --- the list -------------------------------------------------------------------------------

# "010190", "01.01.1990", "01-01-90", "1/1/1990": a birth date, matched against the CPR's first six digits.
_BIRTH_DATE = re.compile(r"^(\d{1,2})[.\-/ ]?(\d{1,2})[.\-/ ]?(\d{2}|\d{4})$")
# "0702", "07.02", "7/2": a birthday typed without the year.
_DAY_MONTH = re.compile(r"^(\d{2})(\d{2})$|^(\d{1,2})[.\-/ ](\d{1,2})\.?$")
_FULL_CPR = re.compile(r"^\d{6}[- ]?\d{4}$")


def looks_like_full_cpr(query: str) -> bool:
    return bool(_FULL_CPR.match((query or "").strip()))


def birth_date_prefix(query: str) -> str | None:
    """The DDMMYY a birth-date search means, or None if the query is not a date."""
    query = (query or "").strip()
    match = _BIRTH_DATE.match(query)
    if not match:
        return None
    day, month, year = match.groups()
    if not re.search(r"[.\-/ ]", query) and len(query) != 6 and len(query) != 8:
        return None
    try:
        datetime(int(year) if len(year) == 4 else 2000 + int(year), int(month), int(day))
    except ValueError:
        return None
    return f"{int(day):02d}{int(month):02d}{year[-2:]}"


def day_and_month(query: str) -> tuple[int, int] | None:
    """(day, month) for a birthday typed without the year ("0702", "07.02"), or None."""
    match = _DAY_MONTH.match((query or "").strip())
    if not match:
        return None
    day, month = (int(part) for part in (match.groups()[:2] if match.group(1) else match.groups()[2:]))
    try:
        datetime(2000, month, day)  # a leap year, so 29.02 is a birthday
    except ValueError:
        return None
    return day, month


def search_citizens(citizens: QuerySet[Citizen], query: str) -> QuerySet[Citizen]:
    query = (query or "").strip()
    if not query:
        return citizens
    prefix = birth_date_prefix(query)
    if prefix:
        # The stored birth date answers without decrypting; DDMMYY leaves the century open.
        day, month, year = int(prefix[:2]), int(prefix[2:4]), int(prefix[4:])
        return citizens.filter(
            birth_date__day=day, birth_date__month=month, birth_date__year__in=[1800 + year, 1900 + year, 2000 + year]
        )
    birthday = day_and_month(query)
    if birthday:
        return citizens.filter(birth_date__day=birthday[0], birth_date__month=birthday[1])
    condition = Q()
    for word in fold_name(query).split():
        condition &= Q(search_name__contains=word)
    return citizens.filter(condition)


# The citizen's open course (at most one: a constraint in interventions), joined by its relation name
# so this app imports nothing of interventions'. Its worker and method are the list's columns and filters.
OPEN_COURSE = FilteredRelation("interventions", condition=~Q(interventions__status="ended"))
# "Without a worker": support not ended, and no worker on an open course (or no course yet).
WITHOUT_WORKER = Q(course__worker__isnull=True) & ~Q(status=Citizen.Status.ENDED)

SORTS = {
    "name": ("last_name", "first_name", "pk"),
    "-name": ("-last_name", "-first_name", "-pk"),
    "move_in": ("move_in_date", "last_name", "pk"),
    "-move_in": ("-move_in_date", "last_name", "pk"),
    "municipality": ("paying_municipality__name", "last_name", "pk"),
    "-municipality": ("-paying_municipality__name", "last_name", "pk"),
    "worker": (F("course_worker_first").asc(nulls_first=True), "course_worker_last", "last_name", "pk"),
    "-worker": (F("course_worker_first").desc(nulls_last=True), "-course_worker_last", "last_name", "pk"),
    "method": (F("course_method").asc(nulls_last=True), "last_name", "pk"),
    "-method": (F("course_method").desc(nulls_last=True), "last_name", "pk"),
}


def with_course(citizens: QuerySet[Citizen]) -> QuerySet[Citizen]:
    """Each citizen with its open course's id, method and worker (one join, no extra query)."""
    return citizens.alias(course=OPEN_COURSE).annotate(
        course_id=F("course__id"),
        course_method=F("course__method"),
        course_worker_id=F("course__worker_id"),
        course_worker_first=F("course__worker__first_name"),
        course_worker_last=F("course__worker__last_name"),
    )


def citizen_list(user, *, query: str = "", sort: str = "name") -> QuerySet[Citizen]:
    """The citizens a user sees, shaped for the list: one query per page, whatever its length."""
    today = timezone.localdate()
    consents = Consent.objects.filter(citizen=OuterRef("pk"))
    citizens = with_course(
        visible_citizens(user)
        .select_related("team", "paying_municipality")
        .annotate(
            consent_expired=Exists(consents.filter(expired_consent_q(today)))
            & ~Exists(consents.filter(valid_consent_q(today))),
            plan_kind=Subquery(
                ActionPlan.objects.filter(citizen=OuterRef("pk")).order_by("-received_on", "-pk").values("kind")[:1]
            ),
        )
    )
    citizens = search_citizens(citizens, query).defer("cpr")  # the list shows the birth date, never decrypts
    return citizens.order_by(*SORTS.get(sort, SORTS["name"]))


def citizens_without_worker(user, team_id=None) -> QuerySet[Citizen]:
    """What the citizen list shows for ?worker=none, so the overview's count and the list agree."""
    citizens = visible_citizens(user)
    if team_id:
        citizens = citizens.filter(team_id=team_id)
    return citizens.alias(course=OPEN_COURSE).filter(WITHOUT_WORKER)


def list_workers(user, team_id=None) -> QuerySet[User]:
    """The people a list can be filtered by: active staff of the user's team (or the chosen team)."""
    if not user.sees_all_teams:
        team_id = user.team_id
    if not team_id:
        return User.objects.none()
    return User.objects.filter(is_active=True, team_id=team_id).order_by("first_name", "last_name", "username")


# --- erasure --------------------------------------------------------------------------------


def open_erasure_request(citizen: Citizen) -> ErasureRequest | None:
    return citizen.erasure_requests.filter(decision="").select_related("requested_by").first()


def waiting_erasure_requests(user) -> QuerySet[ErasureRequest]:
    return (
        ErasureRequest.objects.filter(decision="", citizen__in=visible_citizens(user))
        .select_related("citizen", "requested_by")
        .defer("citizen__cpr")
        .order_by("requested_at", "pk")
    )


# --- the overview ---------------------------------------------------------------------------


def citizen_overview(user, pk) -> Citizen:
    """One citizen with everything the overview shows, in a fixed handful of queries."""
    citizens = visible_citizens(user).select_related(
        "team", "paying_municipality", "acting_municipality", "caseworker__municipality"
    )
    citizens = citizens.prefetch_related(
        Prefetch(
            "plans",
            queryset=ActionPlan.objects.select_related("municipality", "caseworker").prefetch_related(
                Prefetch("goals", queryset=Goal.objects.select_related("life_area"))
            ),
        ),
        "consents",
    )
    return get_object_or_404(citizens, pk=pk)


def get_visible_plan(user, citizen_pk, plan_pk) -> ActionPlan:
    citizen = get_visible_citizen(user, citizen_pk)
    plan = get_object_or_404(
        ActionPlan.objects.select_related("municipality", "caseworker").prefetch_related(
            Prefetch("goals", queryset=Goal.objects.select_related("life_area"))
        ),
        citizen=citizen,
        pk=plan_pk,
    )
    plan.citizen = citizen
    return plan


def get_visible_consent(user, citizen_pk, consent_pk) -> Consent:
    citizen = get_visible_citizen(user, citizen_pk)
    consent = get_object_or_404(Consent, citizen=citizen, pk=consent_pk)
    consent.citizen = citizen
    return consent


def goals_by_life_area(plan: ActionPlan) -> list[tuple[LifeArea, list[Goal]]]:
    groups: dict[int, tuple[LifeArea, list[Goal]]] = {}
    for goal in sorted(plan.goals.all(), key=lambda g: (g.life_area.position, g.life_area.name, g.pk)):
        groups.setdefault(goal.life_area_id, (goal.life_area, []))[1].append(goal)
    return list(groups.values())


# --- the audit log --------------------------------------------------------------------------


@dataclass
class AuditEntry:
    at: datetime
    user: object
    action: str
    subject: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    icon: str = "pencil"


# The blind index and birth date follow the CPR number, whose change is shown (masked) on its own.
_SKIP_FIELDS = {"id", "created_at", "updated_at", "citizen", "plan", "cpr_hash", "birth_date", "search_name"}
_RELATED = {"paying_municipality": Municipality, "acting_municipality": Municipality, "municipality": Municipality}
_RELATED |= {"caseworker": Caseworker, "team": Team, "life_area": LifeArea}


def _history_with_previous(history: QuerySet, limit: int) -> list:
    """The newest `limit` history rows and, in one more query, the row before each (for the diff)."""
    model = history.model
    previous = (
        model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    rows = list(
        history.select_related("history_user")
        .annotate(previous_id=Subquery(previous))
        .order_by("-history_date", "-history_id")[:limit]
    )
    wanted = {row.previous_id for row in rows if row.previous_id}
    earlier = model.objects.in_bulk(wanted) if wanted else {}
    for row in rows:
        row.previous_row = earlier.get(row.previous_id)
    return rows


def _display(model_field, value, related: dict) -> str:
    if value in (None, ""):
        return "–"
    name = model_field.name
    if name == "cpr":
        return mask_cpr(value)
    if name in _RELATED:
        return str(related.get((name, value), value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if model_field.get_internal_type() == "FileField":
        return _("a PDF document")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in _SKIP_FIELDS]


def _raw(row, model_field):
    return getattr(row, model_field.attname)


def citizen_audit_log(citizen: Citizen, limit: int = 50) -> list[AuditEntry]:
    """Who changed what and when, for the citizen, its plans, goals and consents, and every CPR view.

    Newest first, at most `limit` entries, in a fixed number of queries whatever the history's length.
    """
    plan_ids = ActionPlan.history.filter(citizen_id=citizen.pk).values("id")
    sources = [
        (Citizen, _history_with_previous(Citizen.history.filter(id=citizen.pk), limit)),
        (ActionPlan, _history_with_previous(ActionPlan.history.filter(citizen_id=citizen.pk), limit)),
        (Goal, _history_with_previous(Goal.history.filter(plan_id__in=plan_ids), limit)),
        (Consent, _history_with_previous(Consent.history.filter(citizen_id=citizen.pk), limit)),
    ]
    # Names for the foreign keys in the diffs: one query per related model.
    wanted: dict[str, set] = {}
    for _model, rows in sources:
        for row in rows:
            for candidate in (row, row.previous_row):
                if candidate is None:
                    continue
                for name in _RELATED:
                    if hasattr(candidate, f"{name}_id") and getattr(candidate, f"{name}_id"):
                        wanted.setdefault(name, set()).add(getattr(candidate, f"{name}_id"))
    related = {}
    by_model: dict = {}
    for name, ids in wanted.items():
        by_model.setdefault(_RELATED[name], set()).update(ids)
    for related_model, ids in by_model.items():
        objects = related_model.objects.in_bulk(ids)
        for name, model in _RELATED.items():
            if model is related_model:
                for pk, obj in objects.items():
                    related[(name, pk)] = obj

    entries = []
    actions = {"+": (_("Created"), "plus-circle"), "~": (_("Changed"), "pencil"), "-": (_("Deleted"), "trash")}
    for model, rows in sources:
        for row in rows:
            action, icon = actions.get(row.history_type, (row.history_type, "pencil"))
            changes = []
            if row.history_type == "~" and row.previous_row is not None:
                for model_field in _fields(model):
                    old, new = _raw(row.previous_row, model_field), _raw(row, model_field)
                    if old != new:
                        changes.append(
                            (
                                str(model_field.verbose_name),
                                _display(model_field, old, related),
                                _display(model_field, new, related),
                            )
                        )
                if not changes:
                    continue
            entries.append(
                AuditEntry(
                    at=timezone.localtime(row.history_date),
                    user=row.history_user,
                    action=action,
                    subject=_subject(model, row, related),
                    changes=changes,
                    icon=icon,
                )
            )
    for access in CprAccess.objects.filter(citizen=citizen).select_related("user").order_by("-at")[:limit]:
        entries.append(
            AuditEntry(
                at=timezone.localtime(access.at),
                user=access.user,
                action=_("Viewed the full CPR number"),
                subject="",
                icon="eye",
            )
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


def _subject(model, row, related) -> str:
    if model is Citizen:
        return _("Citizen")
    if model is ActionPlan:
        kind = dict(ActionPlan.Kind.choices).get(row.kind, row.kind)
        return f"{kind} ({row.received_on:%d.%m.%Y})"
    if model is Goal:
        area = related.get(("life_area", row.life_area_id), "")
        return _("Goal (%(area)s)") % {"area": area}
    return _("Consent (%(date)s)") % {"date": f"{row.given_on:%d.%m.%Y}"}
