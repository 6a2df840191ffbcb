"""What each app holds on one citizen, for the citizen's right of access (GDPR art. 15) and for erasure.

The citizens app depends on no other app of ours, yet the access export must list plans, visits,
bookings, agreements and invoice lines. So each app says what it holds in its own `<app>/personal_data.py`
(imported at start-up, like `exports.py`):

    from housingfirst import personal_data

    @personal_data.section(order=30)
    def visits(citizen) -> list[personal_data.Section]:
        ...

and, for erasure, what it removes when a citizen is anonymised (inside the anonymisation's transaction;
it returns the stored files to delete once that has committed), and how it narrows who is due:

    @personal_data.eraser(order=30)
    def erase_visit_notes(citizen) -> list[FieldFile]:
        ...

    @personal_data.retention(order=30)
    def still_supported(citizens: QuerySet, cutoff: date) -> QuerySet:
        ...  # leave out the citizens whose data must still be kept

A section's rows are dicts of plain Python values (dates, decimals, text): the JSON holds all of them, the
PDF shows the `shown` columns.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _


@dataclass
class Section:
    key: str  # the JSON key, in English
    title: str  # the PDF's heading, translated
    rows: list[dict]
    labels: dict[str, str]  # column -> translated label
    shown: list[str] = field(default_factory=list)  # the columns the PDF shows; all when empty
    single: bool = False  # one record (the citizen): the PDF shows it as a form, the JSON as an object

    def columns(self) -> list[str]:
        return self.shown or list(self.labels)

    def table(self) -> list[list[str]]:
        """The rows as the PDF shows them: text only."""
        return [[display(row.get(column)) for column in self.columns()] for row in self.rows]

    def header(self) -> list[str]:
        return [self.labels[column] for column in self.columns()]

    def pairs(self) -> list[tuple[str, str]]:
        row = self.rows[0] if self.rows else {}
        return [(self.labels[column], display(row.get(column))) for column in self.columns()]


_sections: list[tuple[int, Callable]] = []
_erasers: list[tuple[int, Callable]] = []
_documents: list[tuple[int, Callable]] = []
_retention: list[tuple[int, Callable]] = []


def _register(registry, order):
    def register(function):
        if all(existing is not function for _order, existing in registry):
            registry.append((order, function))
            registry.sort(key=lambda item: item[0])
        return function

    return register


def section(*, order: int = 50):
    return _register(_sections, order)


def eraser(*, order: int = 50):
    return _register(_erasers, order)


def retention(*, order: int = 50):
    return _register(_retention, order)


def retention_filters() -> list[Callable]:
    return [function for _order, function in _retention]


def documents(*, order: int = 50):
    """Files the app keeps on a citizen: `function(citizen) -> [(file name, FieldFile)]`, for the export."""
    return _register(_documents, order)


def sections_for(citizen) -> list[Section]:
    found = []
    for _order, function in _sections:
        found.extend(function(citizen))
    return found


def documents_for(citizen) -> list[tuple[str, object]]:
    found = []
    for _order, function in _documents:
        found.extend(function(citizen))
    return found


def erasers() -> list[Callable]:
    return [function for _order, function in _erasers]


def display(value) -> str:
    if value in (None, ""):
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, Decimal):
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "–"
    return str(value)


# Columns no one needs to read: bookkeeping and derived values.
SKIPPED = {"cpr_hash", "pdf", "xml"}


def field_value(instance, model_field):
    """One field of a row as a plain value: the text of a choice, the name of a related row, a file's name."""
    if isinstance(model_field, models.ForeignKey):
        related = getattr(instance, model_field.name) if getattr(instance, model_field.attname) is not None else None
        return str(related) if related is not None else None
    if model_field.choices:
        return getattr(instance, f"get_{model_field.name}_display")()
    if isinstance(model_field, models.FileField):
        file = getattr(instance, model_field.name)
        return file.name.rsplit("/", 1)[-1] if file else ""
    return getattr(instance, model_field.attname)


def _first_upper(label) -> str:
    label = str(label)
    return label[:1].upper() + label[1:]  # str.capitalize() would make "CPR" "Cpr"


def model_section(
    key: str,
    title: str,
    queryset,
    *,
    shown=(),
    extra: dict | None = None,
    exclude=(),
    labels: dict | None = None,
    single: bool = False,
) -> Section:
    """A section of every concrete field of `queryset`'s rows; `extra` adds computed columns
    (label, function of the row), e.g. the names of a visit's life areas; `labels` renames columns."""
    model = queryset.model
    fields = [f for f in model._meta.concrete_fields if f.name not in SKIPPED and f.name not in exclude]
    renamed = labels or {}
    labels = {f.name: _first_upper(f.verbose_name) for f in fields}
    extra = extra or {}
    labels |= {name: _first_upper(label) for name, (label, _function) in extra.items()}
    labels |= {name: str(label) for name, label in renamed.items()}
    rows = []
    for instance in queryset:
        row = {f.name: field_value(instance, f) for f in fields}
        row |= {name: function(instance) for name, (_label, function) in extra.items()}
        rows.append(row)
    return Section(key=key, title=str(title), rows=rows, labels=labels, shown=list(shown), single=single)
