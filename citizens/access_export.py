"""The citizen's right of access (GDPR art. 15): one zip with everything held on one citizen.

An administrator asks for it on the citizen's page (`request_access_export`); a task worker makes it
(`access_export`, through `housingfirst.exports`): a readable PDF in Danish (the shared PDF service), a
JSON of every section every app declares (`housingfirst.personal_data`), and the uploaded documents. Asking
is logged as an access to the citizen, and so is every download (the export names the citizen).
"""

import io
import json
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from citizens.models import ActionPlan, Citizen, Consent, CprAccess
from citizens.names import fold_name
from housingfirst import exports, personal_data
from housingfirst.models import Export
from housingfirst.pdf import render_pdf

KIND = "citizen_access_export"
PERMISSION = "citizens.export_personal_data"
FORMAT = "bostotte-indsigt/1"


def export_title(citizen: Citizen) -> str:
    return _("Access export (GDPR art. 15): %(name)s") % {"name": citizen.full_name}


@transaction.atomic
def request_access_export(*, citizen: Citizen, user) -> Export:
    """Queue the export; the request itself is an access to the citizen's data and is logged as one."""
    if not user.has_perm(PERMISSION):
        raise PermissionDenied
    title = export_title(citizen)
    CprAccess.objects.create(citizen=citizen, user=user, purpose=_("Access export requested")[:100])
    return exports.request_export(kind=KIND, params={"citizen": citizen.pk}, user=user, title=title)


def _documents(citizen: Citizen) -> list[tuple[str, object]]:
    """(name in the zip, file) for every uploaded or issued document on the citizen."""
    found = []
    for plan in ActionPlan.objects.filter(citizen=citizen).exclude(document=""):
        found.append((f"dokumenter/handleplan-{plan.kind}-{plan.received_on:%Y-%m-%d}-{plan.pk}.pdf", plan.document))
    for consent in Consent.objects.filter(citizen=citizen).exclude(document=""):
        found.append((f"dokumenter/samtykke-{consent.given_on:%Y-%m-%d}-{consent.pk}.pdf", consent.document))
    for name, file in personal_data.documents_for(citizen):
        found.append((f"dokumenter/{name}", file))
    return found


def build(citizen: Citizen, *, user) -> tuple[bytes, str]:
    """The zip's bytes and its file name."""
    made_at = timezone.now()
    sections = personal_data.sections_for(citizen)
    data = {
        "format": FORMAT,
        "made_at": made_at,
        "made_by": str(user),
        **{s.key: (s.rows[0] if s.rows else {}) if s.single else s.rows for s in sections},
    }
    documents = _documents(citizen)
    pdf = render_pdf(
        "citizens/pdf/access_export.html",
        {
            "citizen": citizen,
            "sections": sections,
            "made_at": made_at,
            "made_by": user,
            "documents": [name for name, _file in documents],
        },
        title=export_title(citizen),
    )
    stem = f"indsigt-{slugify(fold_name(citizen.full_name)) or citizen.pk}-{made_at:%Y-%m-%d}"  # Åse → aase, not ase
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", pdf.content)
        archive.writestr(
            f"{stem}.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")
        )
        for name, file in documents:
            try:
                with file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except FileNotFoundError:
                archive.writestr(f"{name}.mangler.txt", _("The file is missing from storage.").encode("utf-8"))
    return buffer.getvalue(), f"{stem}.zip"


@exports.maker(KIND)
def access_export(params: dict, user) -> exports.Made:
    # Checked again at work time: rights can change between the request and the work.
    if not user.has_perm(PERMISSION):
        raise ValidationError(_("You may no longer make access exports."))
    from citizens.selectors import visible_citizens

    citizen = visible_citizens(user).filter(pk=params["citizen"]).first()
    if citizen is None:
        raise ValidationError(_("You may no longer see this citizen."))
    content, filename = build(citizen, user=user)
    return exports.Made(filename=filename, content=content, content_type="application/zip", citizen_ids=[citizen.pk])
