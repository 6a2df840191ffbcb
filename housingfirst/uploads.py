"""Private uploads (plans, consents, signed agreements): random names, PDF only, size-limited,
served only through views that check who may see them."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def random_upload_name(folder: str, filename: str) -> str:
    """The original file name may hold a CPR number or a citizen's name, so it is not kept."""
    # Every upload is checked to be a PDF, so it is stored as one whatever it was called.
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.pdf"


def validate_pdf_upload(uploaded) -> None:
    """Refuse anything that is not a PDF, or that is larger than MAX_UPLOAD_MB."""
    limit_mb = settings.MAX_UPLOAD_MB
    if uploaded.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            code="file_too_large",
            params={"size": f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ","), "limit": limit_mb},
        )
    position = uploaded.tell() if hasattr(uploaded, "tell") else 0
    uploaded.seek(0)
    head = uploaded.read(1024)
    uploaded.seek(position)
    # Trust the bytes, not the name or the browser's content type: a PDF starts with its header.
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-"):
        raise ValidationError(_("Only PDF files can be uploaded; this file is not a PDF."), code="not_pdf")


def validate_uploaded_pdf(value) -> None:
    """Model-field validator: checks a file as it arrives, through any form (the app's or the Django
    admin's). A file already in storage was checked when it came, and is not read again."""
    if getattr(value, "_committed", True):
        return
    validate_pdf_upload(value)


def private_file_response(field_file, download_name: str, *, as_attachment: bool = False) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=as_attachment, filename=download_name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response
