"""Files made on the task queue for one user: reports, lists, statements, the citizen's access export.

No request renders a document: a view records what is wanted with `request_export` and redirects to
the export's page, which polls until a worker has made the file. Each app declares its kinds in
`<app>/exports.py` (imported at start-up):

    from housingfirst import exports

    @exports.maker("fidelity_report")
    def fidelity_report(params: dict, user) -> exports.Made:
        ...  # check again what `user` may see: rights can change between the request and the work
        return exports.Made(filename="troskab.pdf", content=pdf_bytes, content_type="application/pdf")

A maker that raises is retried (see `housingfirst.tasks.retried_task`); a `ValidationError`'s message
is shown to the user as it is, anything else as a general failure (the details are logged and shown
to administrators on the task page).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from housingfirst.models import Export
from housingfirst.orphans import atomic_with_files, written
from housingfirst.pdf import sha256_of

logger = logging.getLogger(__name__)

# Sent when a user downloads a finished export (`export`, `user`); the citizens app logs the access.
export_downloaded = Signal()


@dataclass(frozen=True)
class Made:
    filename: str
    content: bytes
    content_type: str
    # Whose personal data the file holds; every download is logged against each of them.
    citizen_ids: list[int] = field(default_factory=list)


Maker = Callable[[dict, object], Made]
_makers: dict[str, Maker] = {}


def maker(kind: str) -> Callable[[Maker], Maker]:
    def register(function: Maker) -> Maker:
        if kind in _makers and _makers[kind] is not function:
            raise ImproperlyConfigured(f"Two export makers are called {kind!r}.")
        _makers[kind] = function
        return function

    return register


def is_registered(kind: str) -> bool:
    return kind in _makers


@transaction.atomic
def request_export(*, kind: str, params: dict, user, title: str) -> Export:
    """Record the wish and queue the work; returns the export, whose page shows its progress."""
    from housingfirst.tasks import make_export

    if kind not in _makers:
        raise ImproperlyConfigured(f"No export maker is called {kind!r}.")
    export = Export.objects.create(
        kind=kind,
        title=str(title)[:200],
        params=params,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        requested_by=user,
    )
    # Inside the transaction: with the database backend the task commits with the export row.
    make_export.enqueue(str(export.pk))
    return export


def user_message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return _("The file could not be made because of an error (%(error)s). The administrators can see it.") % {
        "error": type(error).__name__
    }


def make(*, export_id: str) -> Export | None:
    """Make the file of one export (the task's work). Safe to run twice: a finished export is left alone."""
    with transaction.atomic():
        export = Export.objects.select_for_update().select_related("requested_by").filter(pk=export_id).first()
        if export is None or export.status == Export.Status.DONE:
            return export  # pruned meanwhile, or made by an earlier run
        export.status = Export.Status.RUNNING
        export.attempts += 1
        export.started_at = timezone.now()
        export.error = ""
        export.save(update_fields=["status", "attempts", "started_at", "error"])
    try:
        with translation.override(export.language):
            made = _makers[export.kind](export.params, export.requested_by)
    except Exception as error:
        Export.objects.filter(pk=export.pk).update(status=Export.Status.WAITING, error=user_message(error))
        raise
    _store(export, made)
    return export


def _store(export: Export, made: Made) -> None:
    suffix = PurePath(made.filename).suffix or ".bin"
    with atomic_with_files():
        export.file.save(f"export{suffix}", ContentFile(made.content), save=False)
        written(export.file)  # storage is not transactional: leave no file without its row
        updated = (
            Export.objects.filter(pk=export.pk)
            .exclude(status=Export.Status.DONE)
            .update(
                status=Export.Status.DONE,
                file=export.file.name,
                filename=made.filename[:200],
                content_type=made.content_type,
                size=len(made.content),
                sha256=sha256_of(made.content),
                citizen_ids=sorted(set(made.citizen_ids)),
                finished_at=timezone.now(),
                error="",
            )
        )
    if not updated:
        export.file.delete(save=False)  # another run finished first; its file is the one kept


def mark_failed(export_id: str, *, error: Exception) -> None:
    """The last attempt failed: the page stops waiting and says why."""
    Export.objects.filter(pk=export_id).exclude(status=Export.Status.DONE).update(
        status=Export.Status.FAILED, error=user_message(error), finished_at=timezone.now()
    )


@transaction.atomic
def retry(*, export: Export) -> Export:
    """The owner asks again for a failed export."""
    from housingfirst.tasks import make_export

    export = Export.objects.select_for_update().get(pk=export.pk)
    if export.status != Export.Status.FAILED:
        raise ValidationError(_("Only a file that could not be made can be tried again."))
    export.status = Export.Status.WAITING
    export.error = ""
    export.finished_at = None
    export.save(update_fields=["status", "error", "finished_at"])
    make_export.enqueue(str(export.pk))
    return export


class ExportIntegrityError(Exception):
    """The stored file is not the one that was made."""


def read_checked(export: Export) -> bytes:
    """The file's bytes, only if they still have the SHA-256 they were made with."""
    with export.file.open("rb") as handle:
        content = handle.read()
    if sha256_of(content) != export.sha256:
        logger.error("Export %s (%s) does not match its stored SHA-256; download refused", export.pk, export.kind)
        raise ExportIntegrityError(export.pk)
    return content


def prune(*, dry_run: bool = False, now=None) -> list[Export]:
    """Delete the exports, and their files, finished more than EXPORT_KEEP_DAYS ago (run daily)."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    # Also what was asked for long ago and never made (no worker ran): the wish is stale by now.
    old = list(Export.objects.filter(Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, requested_at__lt=cutoff)))
    if not dry_run:
        for export in old:
            if export.file:
                export.file.delete(save=False)
            export.delete()
    return old
