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
