"""Receivers that keep the citizens' access log complete for things other apps serve."""

from citizens.models import Citizen, CprAccess


def log_export_download(sender, *, export, user, **kwargs) -> None:
    """A downloaded file with citizens' personal data is an access to each of them, logged like a CPR view."""
    if not export.citizen_ids:
        return
    purpose = f"{export.title}"[:100]
    existing = Citizen.objects.filter(pk__in=export.citizen_ids).values_list("pk", flat=True)
    CprAccess.objects.bulk_create(CprAccess(citizen_id=pk, user=user, purpose=purpose) for pk in existing)
