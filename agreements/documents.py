"""The agreement and the consent declaration as PDF, through the shared PDF service.

Decision on the CPR number: the issued PDF carries the citizen's FULL CPR number. The document is
signed by the provider and the paying municipality, and the municipality needs the full number to
match the agreement to its case and to the invoices (the paper form has the same field). On screen
the number stays masked; opening or downloading a PDF is a full view of it and is logged as a
`CprAccess` by the views that serve it.
"""

from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from agreements.models import Agreement, AgreementText
from citizens.cpr import format_cpr
from citizens.selectors import current_plan
from housingfirst.pdf import RenderedPdf, render_pdf

AGREEMENT_TEMPLATE = "agreements/pdf/agreement.html"
CONSENT_TEMPLATE = "agreements/pdf/consent.html"

# Where a consent usually lets the team obtain information from, when no consent is on file yet.
DEFAULT_SOURCES = [
    "Kommunens sagsbehandler og myndighedsafdeling",
    "Jobcenter og ydelseskontor",
    "Egen læge, sygehus og psykiatri",
    "Misbrugsbehandling",
    "Boligselskab og udlejer",
    "Kriminalforsorgen",
]


def _consent_context(citizen) -> dict:
    consent = (
        citizen.consents.filter(withdrawn_on__isnull=True).order_by("-given_on", "-pk").first() if citizen.pk else None
    )
    if consent is not None and consent.is_expired():
        # The declaration printed with the agreement is then a new one to sign, not the expired one.
        consent = None
    sources = []
    if consent and consent.obtain_from:
        # Typed as a list ("egen læge, boligselskabet"); printed as a checklist, each line with a capital.
        parts = consent.obtain_from.replace("\n", ",").split(",")
        sources = [capfirst(part.strip()) for part in parts if part.strip()]
    return {"consent": consent, "sources": sources or DEFAULT_SOURCES, "citizen_cpr": format_cpr(citizen.cpr)}


def agreement_context(agreement: Agreement) -> dict:
    text = agreement.text or AgreementText.current()
    return {
        "agreement": agreement,
        "citizen": agreement.citizen,
        "citizen_cpr": format_cpr(agreement.citizen.cpr),
        "plan": agreement.action_plan or current_plan(agreement.citizen),
        "text": text,
        "sections": text.rendered_sections() if text else [],
        "is_draft": agreement.status == Agreement.Status.DRAFT,
        "issued_on": timezone.localdate(agreement.issued_at) if agreement.issued_at else None,
        **{f"consent_{key}": value for key, value in _consent_context(agreement.citizen).items()},
    }


def agreement_title(agreement: Agreement) -> str:
    # The document is Danish whatever language the administrator reads the app in; so is its title,
    # which is stored in the issued PDF's metadata for good.
    with translation.override("da"):
        return _("Agreement on Housing First support, version %(version)s – %(citizen)s") % {
            "version": agreement.version,
            "citizen": agreement.citizen.full_name,
        }


def render_agreement_pdf(agreement: Agreement) -> RenderedPdf:
    """The agreement with the consent declaration attached, as both parties print and sign it."""
    return render_pdf(AGREEMENT_TEMPLATE, agreement_context(agreement), title=agreement_title(agreement))


def render_consent_pdf(citizen) -> RenderedPdf:
    context = {"citizen": citizen, **{f"consent_{key}": value for key, value in _consent_context(citizen).items()}}
    with translation.override("da"):
        title = _("Consent to obtain information – %(citizen)s") % {"citizen": citizen.full_name}
    return render_pdf(CONSENT_TEMPLATE, context, title=title)
