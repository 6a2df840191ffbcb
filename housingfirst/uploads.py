"""Private uploads (plans, consents, signed agreements): random names, PDF only, size-limited,
served only through views that check who may see them."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def random_upload_name(folder: str, filename: str) -> str:
    """The original file name may hold a CPR number or a citizen's name, so it is not kept."""
    suffix = PurePosixPath(filename).suffix.lower() or ".pdf"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


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
    # Trust the bytes, not the name or the browser's content type.
    if b"%PDF-" not in head[:1024]:
        raise ValidationError(_("Only PDF files can be uploaded; this file is not a PDF."), code="not_pdf")


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
