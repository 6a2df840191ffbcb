"""The fidelity, outcomes and progress reports as files: made on the task queue for the pages
(`interventions/exports.py`) and by `manage.py report` for cron, from the same functions."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens.selectors import current_plan
from housingfirst.models import Method, Team
from housingfirst.pdf import render_pdf
from interventions import fidelity, outcomes, reporting, selectors
from interventions.models import Intervention, PhaseTemplate
from interventions.phases import cti_timeline

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    content_type: str
    citizen_ids: tuple = ()


def fidelity_groups(measurement: fidelity.Measurement, teams: list[Team]) -> list[tuple[str, fidelity.Summary]]:
    """One team: its figures. Several: each team side by side, then all of them together."""
    if len(teams) == 1:
        return [(teams[0].name, measurement.summary(team_id=teams[0].pk))]
    return [(team.name, measurement.summary(team_id=team.pk)) for team in teams] + [
        (_("All teams"), measurement.summary())
    ]


def _stem(name: str, period: fidelity.Period, team: Team | None) -> str:
    where = f"-{team.name.lower().replace(' ', '-')}" if team else ""
    return f"{name}{where}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"


def _tables_file(tables, fmt: str, stem: str, pdf_title: str, citizen_ids) -> ReportFile:
    if fmt == "csv":
        content = reporting.to_csv(tables)
    elif fmt == "xlsx":
        content = reporting.to_xlsx(tables)
    else:
        content = render_pdf(
            "interventions/pdf/report.html", {"tables": tables, "title": pdf_title}, title=pdf_title
        ).content
    return ReportFile(f"{stem}.{fmt}", content, CONTENT_TYPES[fmt], tuple(citizen_ids))


def fidelity_file(*, interventions: QuerySet, period: fidelity.Period, teams: list[Team], team, fmt: str, today=None):
    """The fidelity figures per team (side by side for several), workers and courses; the PDF is the
    quarterly fidelity report."""
    language = "da" if fmt == "pdf" else translation.get_language()
    with translation.override(language):
        measurement = fidelity.measure(
            interventions.filter(citizen__team__in=[t.pk for t in teams]),
            period,
            team_ids=[t.pk for t in teams],
            today=today,
        )
        groups = fidelity_groups(measurement, teams)
        tables = reporting.fidelity_tables(measurement, groups)
        title = _("Method fidelity %(start)s–%(end)s, %(team)s") % {
            "start": period.start.strftime("%d.%m.%Y"),
            "end": period.end.strftime("%d.%m.%Y"),
            "team": team.name if team else _("all teams"),
        }
        ids = [course.intervention.citizen_id for course in measurement.courses]
        return _tables_file(tables, fmt, _stem("troskab", period, team), title, ids)


def outcomes_file(*, interventions: QuerySet, period: fidelity.Period, team, by: str, fmt: str, today=None):
    language = "da" if fmt == "pdf" else translation.get_language()
    with translation.override(language):
        measurement = outcomes.measure_outcomes(interventions, period, by=by, today=today)
        tables = outcomes.outcome_tables(measurement)
        title = _("Outcomes %(start)s–%(end)s, %(team)s") % {
            "start": period.start.strftime("%d.%m.%Y"),
            "end": period.end.strftime("%d.%m.%Y"),
            "team": team.name if team else _("all teams"),
        }
        ids = [intervention.citizen_id for intervention in measurement.courses]
        return _tables_file(tables, fmt, _stem("resultater", period, team), title, ids)


def progress_file(intervention: Intervention, today: datetime.date | None = None) -> ReportFile:
    """The progress report for the municipal caseworker before the follow-up date, always in Danish."""
    today = today or timezone.localdate()
    citizen = intervention.citizen
    template = PhaseTemplate.current()
    visits = intervention.visits.all()
    with translation.override("da"):
        phase = ""
        if intervention.method == Method.CTI:
            current = cti_timeline(intervention, template, today).current
            phase = str(current.label) if current else str(_("Not started"))
        areas = Counter(visits.filter(life_areas__isnull=False).values_list("life_areas__name", flat=True).order_by())
        plan = current_plan(citizen)
        goals = list(plan.goals.select_related("life_area")) if plan else []
        context = {
            "intervention": intervention,
            "citizen": citizen,
            "phase": phase,
            "months": list(reversed(selectors.month_totals(visits, limit=12))),
            "areas": sorted(areas.items(), key=lambda item: (-item[1], item[0])),
            "plan": plan,
            "goals": goals,
            "statuses": list(intervention.housing_statuses.all()),
            "pauses": list(intervention.pauses.all()),
            "today": today,
        }
        title = _("Progress report: %(citizen)s") % {"citizen": citizen.full_name}
        pdf = render_pdf("interventions/pdf/progress_report.html", context, title=title)
    return ReportFile(
        f"statusrapport-{citizen.last_name.lower()}-{today:%Y%m%d}.pdf",
        pdf.content,
        CONTENT_TYPES["pdf"],
        (citizen.pk,),
    )


def visible_teams(user) -> list[Team]:
    return list(selectors.teams_for(user))
