"""The citizen's work-bonus statement (PDF, plain Danish) and the month's payroll list (CSV), made on the task queue.

Both hold personal data, so each names its citizens (`citizen_ids`): every download is logged as an
access to each of them, like a CPR view. The payroll list carries full CPR numbers, which payroll needs
to withhold A-tax from the tax card.
"""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from citizens.models import Citizen
from housingfirst import exports
from housingfirst.pdf import render_pdf
from workshops import selectors
from workshops.models import WorkshopHours


def _month(params: dict) -> datetime.date:
    return datetime.date.fromisoformat(params["month"])


def _check(user, *, full_cpr: bool = False) -> None:
    # Rights are checked again here: they may have changed since the file was asked for.
    if not user.has_perm("workshops.pay_work_bonus") or (full_cpr and not user.has_perm("citizens.view_full_cpr")):
        raise ValidationError(_("You may no longer see the work bonus."))


def ore(amount) -> str:
    """1234.5 → '1234,50': Danish decimal comma, no thousands separator (a payroll system reads it)."""
    return f"{amount:.2f}".replace(".", ",")


@exports.maker("work_bonus_statement")
def statement_pdf(params: dict, user) -> exports.Made:
    _check(user)
    month = _month(params)
    citizen = Citizen.objects.filter(pk=params["citizen"]).first()
    if citizen is None:
        raise ValidationError(_("The citizen no longer exists."))
    made = selectors.citizen_statement(citizen, month)
    if made.missing_rate is not None:
        raise ValidationError(
            _("No rate in force on %(date)s: add one on the rates page.")
            % {"date": f"{made.missing_rate.day:%d.%m.%Y}"}
        )
    with translation.override("da"):
        workshops = sorted(
            set(
                WorkshopHours.objects.filter(citizen=citizen, bonus_month=month).values_list(
                    "workshop__name", flat=True
                )
            )
        )
        pdf = render_pdf(
            "workshops/pdf/statement.html",
            {
                "citizen": citizen,
                "month": month,
                "statement": made.statement,
                "workshops": workshops,
                "paid": selectors.month_is_paid(month),
            },
            title=_("Work bonus %(month)s: %(citizen)s") % {"month": f"{month:%m.%Y}", "citizen": citizen.full_name},
        )
    return exports.Made(
        filename=f"arbejdsdusoer-{month:%Y-%m}-{citizen.pk}.pdf",
        content=pdf.content,
        content_type="application/pdf",
        citizen_ids=[citizen.pk],
    )


PAYROLL_HEADER = [
    "CPR",
    "Navn",
    "Måned",
    "Timer",
    "Sats",
    "Brutto",
    "AM-bidrag %",
    "AM-bidrag",
    "Før A-skat",
    "Rettelser",
]


def payroll_csv_content(month: datetime.date) -> tuple[bytes, list[int]]:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(PAYROLL_HEADER)
    ids = []
    for item in selectors.month_statements(month):
        statement = item.statement
        ids.append(item.citizen.pk)
        writer.writerow(
            [
                item.citizen.cpr,
                item.citizen.full_name,
                f"{month:%Y-%m}",
                ore(statement.hours),
                # The rates the month's hours were paid at, in order (two when a new rate took effect).
                "/".join(dict.fromkeys(ore(line.rate) for line in statement.lines)),
                ore(statement.gross),
                ore(statement.contribution_percent),
                ore(statement.contribution),
                ore(statement.before_tax),
                len(statement.corrections),
            ]
        )
    # A BOM and semicolons, as Danish Excel opens it without asking.
    return ("\ufeff" + out.getvalue()).encode("utf-8"), ids


@exports.maker("work_bonus_payroll")
def payroll_csv(params: dict, user) -> exports.Made:
    _check(user, full_cpr=True)
    month = _month(params)
    if not selectors.month_is_paid(month):
        raise ValidationError(_("Pay the month first: the payroll list is made of locked hours."))
    content, ids = payroll_csv_content(month)
    return exports.Made(
        filename=f"arbejdsdusoer-loen-{month:%Y-%m}.csv",
        content=content,
        content_type="text/csv; charset=utf-8",
        citizen_ids=ids,
    )
