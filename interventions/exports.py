"""The fidelity and outcome reports and the citizen's progress report, made on the task queue."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from housingfirst import exports
from interventions import report_files, selectors


def _scope(params: dict, user) -> dict:
    # Rights are checked again here: a team lead moved to another team since asking gets nothing.
    from interventions.report_views import scope_from

    if not user.has_perm("interventions.view_capacity"):
        raise ValidationError(_("You may no longer see this report."))
    try:
        return scope_from(
            user,
            {
                "from_date": params["from"],
                "to_date": params["to"],
                "team": params.get("team") or "",
                "by": params.get("by", "team"),
            },
        )
    except Http404 as error:
        raise ValidationError(_("You may no longer see this team's figures.")) from error


def _made(file: report_files.ReportFile) -> exports.Made:
    return exports.Made(
        filename=file.filename, content=file.content, content_type=file.content_type, citizen_ids=list(file.citizen_ids)
    )


@exports.maker("fidelity_table")
@exports.maker("fidelity_report")
def fidelity_export(params: dict, user) -> exports.Made:
    scope = _scope(params, user)
    return _made(
        report_files.fidelity_file(
            interventions=scope["interventions"],
            period=scope["period"],
            teams=scope["chosen"],
            team=scope["team"],
            fmt=params["format"],
        )
    )


@exports.maker("outcomes_table")
def outcomes_export(params: dict, user) -> exports.Made:
    scope = _scope(params, user)
    return _made(
        report_files.outcomes_file(
            interventions=scope["interventions"],
            period=scope["period"],
            team=scope["team"],
            by=scope["by"],
            fmt=params["format"],
        )
    )


@exports.maker("progress_report")
def progress_export(params: dict, user) -> exports.Made:
    intervention = (
        selectors.with_timeline_data(selectors.visible_interventions(user))
        .select_related("citizen__paying_municipality", "citizen__caseworker")
        .filter(pk=params["intervention"])
        .first()
    )
    if intervention is None:
        raise ValidationError(_("You may no longer see this citizen."))
    return _made(report_files.progress_file(intervention))
