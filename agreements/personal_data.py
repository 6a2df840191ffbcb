"""What the agreements app holds on a citizen: the §110 agreements and their signatures."""

from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement
from housingfirst import personal_data


@personal_data.section(order=40)
def agreement_sections(citizen) -> list[personal_data.Section]:
    agreements = (
        Agreement.objects.filter(citizen=citizen)
        .select_related("intervention", "previous_version", "paying_municipality", "caseworker", "coordinator")
        .select_related("action_plan", "text", "created_by")
        .order_by("start_date", "version", "pk")
    )
    return [
        personal_data.model_section(
            "agreements",
            _("Agreements"),
            agreements,
            exclude=("citizen",),
            shown=("version", "status", "method", "start_date", "paying_municipality", "caseworker", "ended_on"),
        )
    ]


@personal_data.documents(order=40)
def agreement_documents(citizen) -> list[tuple[str, object]]:
    found = []
    for agreement in Agreement.objects.filter(citizen=citizen).order_by("pk"):
        if agreement.pdf:
            found.append((f"aftale-{agreement.pk}-v{agreement.version}.pdf", agreement.pdf))
        if agreement.signed_copy:
            found.append((f"aftale-{agreement.pk}-v{agreement.version}-underskrevet.pdf", agreement.signed_copy))
    return found


@personal_data.eraser(order=40)
def erase_agreement_files(citizen) -> list:
    """The issued PDFs (name and full CPR number) and the scanned signed copies. The agreements' dates, method,
    rate and parties stay: they are what the invoices were issued under."""
    files = []
    agreements = Agreement.objects.filter(citizen=citizen)
    for agreement in agreements:
        files.extend(file for file in (agreement.pdf, agreement.signed_copy) if file)
    agreements.update(pdf="", signed_copy="")
    Agreement.history.filter(citizen_id=citizen.pk).update(pdf="", signed_copy="")
    return files
