"""The fidelity and outcome figures as rows of text: the same rows on the page, in CSV, XLSX, PDF and
from `manage.py report`, so a figure reads the same wherever it is read.

Every figure carries its count (n) and, for outcomes, how many are unknown: never a bare percentage.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from housingfirst.templatetags.hf import format_danish_number
from interventions import fidelity
from interventions.models import Phase

# Contact in nearly every window: one missed week in ten is what a worker's holiday costs.
FREQUENCY_TARGET = Decimal(90)


@dataclass
class Figure:
    item: str
    label: str
    value: str
    expectation: str
    met: bool | None = None  # None: the method sets no fixed norm, or there is nothing to judge yet
    share: Decimal | None = None  # for the chart
    flag: str = ""  # the courses behind it: ?show=<flag>

    @property
    def met_text(self) -> str:
        if self.met is None:
            return "–"
        return _("Met") if self.met else _("Not met")


def number(value, places=1) -> str:
    return "–" if value is None else format_danish_number(value, places)


def part_of(part: int, whole: int) -> str:
    if not whole:
        return _("none (n = 0)")
    return _("%(part)s of %(whole)s (%(share)s %%)") % {
        "part": part,
        "whole": whole,
        "share": number(fidelity.share(part, whole)),
    }


def fidelity_figures(summary: fidelity.Summary, template) -> list[Figure]:
    s = summary
    figures = [
        Figure(
            "1",
            _("Worker-months over the caseload cap"),
            part_of(s.worker_months_over, s.worker_months),
            _("None over 12 CTI or 8 ICM citizens (a load of 1,00)"),
            None if not s.worker_months else s.worker_months_over == 0,
            s.worker_months_over_share,
        ),
        Figure(
            "2",
            _("First contact on the start day or the day after"),
            part_of(s.first_contact_met, s.started)
            + (" · " + _("%(n)s without contact yet") % {"n": s.no_contact_yet} if s.no_contact_yet else "")
            + (" · " + _("median %(days)s days") % {"days": number(s.median_days_to_first)} if s.days_to_first else ""),
            _("Support from day 1 in the new home"),
            None if not s.started else s.first_contact_met == s.started,
            s.first_contact_share,
            "first_contact",
        ),
        Figure(
            "2",
            _("At least 2 contacts in the first month"),
            part_of(s.first_month_met, s.started),
            _("All courses started in the period"),
            None if not s.started else s.first_month_met == s.started,
            s.first_month_share,
            "first_month",
        ),
    ]
    rates = []
    for row in s.phase_rows():
        phase, label, key = row["figures"], row["label"], row["key"]
        figures.append(
            Figure(
                "3",
                _("Contact windows met: %(phase)s") % {"phase": label},
                part_of(phase.windows_met, phase.windows)
                + " · "
                + _("longest gap %(days)s days") % {"days": phase.longest_gap}
                + " · "
                + _("%(n)s attempted contacts") % {"n": phase.attempts},
                _("Contact every %(days)s days in at least %(target)s %% of the windows")
                % {"days": phase.rhythm_days, "target": number(FREQUENCY_TARGET, 0)},
                None if not phase.windows else row["share"] >= FREQUENCY_TARGET,
                row["share"],
                "contact",
            )
        )
        if key in (Phase.PHASE_1, Phase.PHASE_2, Phase.PHASE_3):
            rates.append((label, phase.minutes_per_week))
    if rates:
        known = [rate for _label, rate in rates if rate is not None]
        falling = all(later <= earlier for earlier, later in zip(known, known[1:], strict=False))
        figures.append(
            Figure(
                "4",
                _("Minutes of contact per week by phase"),
                " · ".join(f"{label}: {number(rate)}" for label, rate in rates)
                + " · "
                + _("courses rising: %(part)s") % {"part": part_of(s.rising, s.cti_courses)},
                _("Falling from phase to phase"),
                falling and not s.rising,
                fidelity.share(s.cti_courses - s.rising, s.cti_courses),
                "intensity",
            )
        )
    figures += [
        Figure(
            "5",
            _("Phase transitions later than planned"),
            part_of(s.transitions_late, s.transitions)
            + (
                " · " + _("mean %(days)s days from the plan") % {"days": number(s.mean_days_late)}
                if s.transitions
                else ""
            ),
            _("On the planned day, pauses counted"),
            None if not s.transitions else s.transitions_late == 0,
            fidelity.share(s.transitions - s.transitions_late, s.transitions),
            "timing",
        ),
        Figure(
            "5",
            _("CTI courses past the planned end"),
            part_of(s.past_end, s.cti_courses),
            _("At most %(months)s months plus pauses") % {"months": template.total_months},
            None if not s.cti_courses else s.past_end == 0,
            fidelity.share(s.cti_courses - s.past_end, s.cti_courses),
            "past_end",
        ),
        Figure(
            "6",
            _("CTI courses ended before the planned end (drop-outs)"),
            part_of(s.drop_outs, s.ended),
            _("Few; the method sets no fixed norm"),
            None,
            fidelity.share(s.ended - s.drop_outs, s.ended),
            "drop_out",
        ),
        Figure(
            "7",
            _("Workers at method supervision as expected"),
            part_of(s.supervision_workers_met, s.supervision_workers)
            + " · "
            + _("%(attended)s of %(expected)s attendances")
            % {"attended": s.supervision_attended, "expected": s.supervision_expected},
            _("Every %(days)s days") % {"days": template.supervision_every_days},
            None if not s.supervision_workers else s.supervision_workers_met == s.supervision_workers,
            s.supervision_share,
        ),
    ]
    return figures


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]


def fidelity_tables(
    measurement: fidelity.Measurement,
    groups: list[tuple[str, fidelity.Summary]],
    *,
    with_courses: bool = True,
    worker_rows: list[dict] | None = None,
) -> list[Table]:
    """The figures side by side (one column per group), then the end reasons, workers and (for the files;
    the page lists them paginated) courses."""
    template = measurement.template
    columns = [(name, fidelity_figures(summary, template)) for name, summary in groups]
    labels = [(figure.item, figure.label) for figure in columns[0][1]] if columns else []
    # Groups can have different phases; line the rows up by label.
    by_label = [{(f.item, f.label): f for f in figures} for _name, figures in columns]
    header = [_("Item"), _("Figure"), _("Expectation")]
    for name, _figures in columns:
        header += [name, _("Met")]
    rows = []
    seen = list(dict.fromkeys(labels + [k for figures in by_label for k in figures]))
    # In item order, so a phase only one group has stands with its item rather than last.
    for key in sorted(seen, key=lambda k: (int(k[0]), seen.index(k))):
        first = next(figures[key] for figures in by_label if key in figures)
        row = [key[0], key[1], first.expectation]
        for figures in by_label:
            figure = figures.get(key)
            row += [figure.value, figure.met_text] if figure else ["–", "–"]
        rows.append(row)
    tables = [Table(_("Method fidelity"), header, rows)]
    reasons_header = [_("End reason")] + [name for name, _summary in groups]
    reasons = []
    for reason_row in groups[0][1].end_reason_rows() if groups else []:
        reasons.append(
            [str(reason_row["label"])]
            + [str(summary.end_reasons.get(reason_row["reason"], 0)) for _n, summary in groups]
        )
    tables.append(Table(_("CTI courses ended by reason"), reasons_header, reasons))
    tables.append(
        Table(
            _("Workers"),
            [
                _("Worker"),
                _("Highest load"),
                _("Months over the cap"),
                _("Supervision attended"),
                _("Contact windows met"),
            ],
            [
                [
                    str(row["worker"]),
                    str(row["max_load"] or "–"),
                    part_of(sum(m.over for m in row["months"]), len(row["months"])),
                    _attended(measurement.attendance_of(row["worker"].pk)),
                    part_of(
                        sum(p.windows_met for p in row["summary"].phases.values()),
                        sum(p.windows for p in row["summary"].phases.values()),
                    ),
                ]
                for row in (measurement.worker_rows() if worker_rows is None else worker_rows)
            ],
        )
    )
    if with_courses:
        tables.append(course_table(measurement.courses))
    return tables


def _attended(row: dict | None) -> str:
    return f"{row['attended']} / {row['expected']}" if row else "–"


def course_table(courses: list[fidelity.CourseFidelity]) -> Table:
    rows = []
    for course in courses:
        intervention = course.intervention
        windows = sum(p.windows for p in course.phases.values())
        met = sum(p.windows_met for p in course.phases.values())
        rows.append(
            [
                intervention.citizen,
                intervention.method,
                str(intervention.worker or "–"),
                intervention.start_date.strftime("%d.%m.%Y"),
                "–" if course.days_to_first_contact is None else str(course.days_to_first_contact),
                part_of(met, windows),
                ", ".join(str(fidelity.FLAGS[flag]) for flag in sorted(course.flags)),
            ]
        )
    return Table(
        _("Courses"),
        [
            _("Citizen"),
            _("Method"),
            _("Worker"),
            _("Start date"),
            _("Days to first contact"),
            _("Contact windows met"),
            _("Not met"),
        ],
        rows,
    )


def to_csv(tables: list[Table]) -> bytes:
    """Semicolon-separated with a BOM, as Danish Excel opens it without asking."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.header)
        writer.writerows(table.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def chart_bars(items: list[tuple[str, Decimal | None, bool | None, Decimal | None]]) -> tuple[list[dict], int]:
    """Bars for the SVG chart from (label, share, met, target share); coordinates as SVG wants them."""
    bars = []
    for index, (label, value, met, target) in enumerate(items):
        bars.append(
            {
                "y": index * 36,
                "label": label,
                "width": f"{float(value or 0) * 3:.1f}",
                "text": "–" if value is None else f"{number(value)} %",
                "met": met,
                "target": f"{float(target) * 3:.1f}" if target is not None else "",
            }
        )
    return bars, max(len(items) * 36, 36)


def fidelity_chart(figures: list[Figure]) -> tuple[list[dict], int]:
    def target(figure):
        if figure.item == "3":
            return FREQUENCY_TARGET
        return None if figure.met is None else Decimal(100)

    # The bars show what went as expected, so longer is always better; the labels say it that way round.
    positive = {
        "caseload": _("Worker-months within the cap"),
        "intensity": _("CTI courses with falling intensity"),
        "timing": _("Phase transitions on the planned day"),
        "past_end": _("CTI courses within the planned end"),
        "drop_out": _("Ended CTI courses without drop-out"),
    }
    items = []
    for figure in figures:
        if figure.share is None:
            continue
        key = "caseload" if figure.item == "1" else figure.flag
        value = Decimal(100) - figure.share if figure.item == "1" else figure.share
        items.append((positive.get(key, figure.label), value, figure.met, target(figure)))
    return chart_bars(items)
