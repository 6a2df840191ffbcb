"""Issued documents are served only as the bytes that were issued: checked against the stored SHA-256."""

import hashlib
import logging

from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class DocumentMismatch(Exception):
    """The stored bytes are not the ones issued (swapped, damaged or restored wrongly): never served."""


def verified(content: bytes, expected_sha256: str, *, document: str) -> bytes:
    actual = hashlib.sha256(content).hexdigest()
    if not expected_sha256 or actual != expected_sha256:
        logger.error(
            "%s does not match its stored SHA-256 (stored %s, found %s): not served",
            document,
            expected_sha256 or "(none)",
            actual,
        )
        raise DocumentMismatch(
            _(
                "%(document)s does not match the document that was issued, so it is not shown. "
                "The error is logged; ask the operator to restore the file from the backup."
            )
            % {"document": document}
        )
    return content


def verified_file(field_file, expected_sha256: str, *, document: str) -> bytes:
    with field_file.open("rb") as handle:
        return verified(handle.read(), expected_sha256, document=document)
