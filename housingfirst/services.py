"""Changes to the organisation's own records: the provider and municipalities' EAN numbers."""

from django.db import transaction

from housingfirst.models import MunicipalityEAN


@transaction.atomic
def save_municipality_ean(*, ean: MunicipalityEAN) -> MunicipalityEAN:
    """Save an EAN; marking it the invoice address unmarks the municipality's other one.

    The row lock on the municipality keeps two administrators from both making a default at once.
    """
    type(ean.municipality).objects.select_for_update().get(pk=ean.municipality_id)
    if ean.is_default:
        MunicipalityEAN.objects.filter(municipality_id=ean.municipality_id, is_default=True).exclude(pk=ean.pk).update(
            is_default=False
        )
    elif not MunicipalityEAN.objects.filter(municipality_id=ean.municipality_id).exclude(pk=ean.pk).exists():
        # The first EAN of a municipality is where its invoices go.
        ean.is_default = True
    ean.save()
    return ean
