"""The citizen list as a file (CSV or XLSX), made on the task queue for team leads and administrators.

The file holds exactly what the list shows for the same filters, search and order: it is made by the
list's own selector and filter (`citizens.forms.citizen_list_filter`), never decrypts a CPR number (the
birth date is masked as on the page), and every download is logged against each citizen in it.
"""

import csv
import io

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from housingfirst import exports, panels

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 2000


def header() -> list[str]:
    return [
        _("Last name"),
        _("First name"),
        _("CPR"),
        _("Team"),
        _("Support worker"),
        _("Method"),
        _("Phase"),
        _("Paying municipality"),
        _("Move-in"),
        _("Status"),
    ]


def row(citizen) -> list[str]:
    worker = " ".join(part for part in (citizen.course_worker_first, citizen.course_worker_last) if part)
    return [
        citizen.last_name,
        citizen.first_name,
        citizen.cpr_masked,
        str(citizen.team),
        worker,
        citizen.course_method or "",
        str(getattr(citizen, "phase_label", "") or ""),
        str(citizen.paying_municipality),
        f"{citizen.move_in_date:%d.%m.%Y}" if citizen.move_in_date else "",
        citizen.get_status_display(),
    ]


def rows_of(citizens):
    """The rows in chunks, so the phases are looked up a chunk at a time (a fixed number of queries each)."""
    chunk = []
    for citizen in citizens.iterator(chunk_size=CHUNK):
        chunk.append(citizen)
        if len(chunk) == CHUNK:
            yield from panels.citizen_rows.apply(chunk)
            chunk = []
    if chunk:
        yield from panels.citizen_rows.apply(chunk)


def to_csv(head: list[str], rows) -> bytes:
    """Semicolon-separated with a BOM, as Danish Excel opens it without asking."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(head)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(head: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Citizens")[:31])
    widths = [len(text) for text in head]
    bold = []
    for text in head:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    body = list(rows)
    for values in body:
        widths = [max(width, len(value)) for width, value in zip(widths, values, strict=True)]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = min(max(width + 2, 10), 50)
    sheet.append(bold)
    for values in body:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@exports.maker("citizen_list")
def citizen_list_export(params: dict, user) -> exports.Made:
    # Rights are checked again here: they can change between the request and the work.
    from citizens.forms import citizen_list_filter

    if not user.has_perm("citizens.export_citizen_list"):
        raise ValidationError(_("You may no longer export the citizen list."))
    fmt = params.get("format")
    if fmt not in CONTENT_TYPES:
        raise ValidationError(_("Unknown file format."))
    query = QueryDict(mutable=True)
    for name, value in (params.get("filters") or {}).items():
        query[name] = value
    citizens = citizen_list_filter(user, query).qs
    ids = []
    body = []
    for citizen in rows_of(citizens):
        ids.append(citizen.pk)
        body.append(row(citizen))
    content = to_csv(header(), body) if fmt == "csv" else to_xlsx(header(), body)
    filename = f"borgere-{timezone.localdate():%Y%m%d}.{fmt}"
    return exports.Made(filename=filename, content=content, content_type=CONTENT_TYPES[fmt], citizen_ids=ids)
