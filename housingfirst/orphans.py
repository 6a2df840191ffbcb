"""Files written inside a transaction are removed again when it rolls back.

The database rolls back; the storage does not. An issued agreement's PDF holds a full CPR number, so a
crash between writing it and committing its row must not leave it on disk with no row pointing to it.
A service that writes files runs in `atomic_with_files()` and registers each file it writes with
`written()`; when the block ends with an exception the registered files are deleted. What a crash of
the whole process leaves behind (nothing runs then) is found by `manage.py cleanup_orphan_documents`.
"""

import contextlib
import logging
from contextvars import ContextVar

from django.core.files.storage import default_storage
from django.db import models, transaction

logger = logging.getLogger(__name__)

# The files written in the innermost open atomic_with_files() block, as (storage, name).
_written: ContextVar[list | None] = ContextVar("files_written_in_transaction", default=None)


@contextlib.contextmanager
def atomic_with_files(using=None, *, durable=False):
    """transaction.atomic() that also undoes the files registered with `written()` inside it.

    Nested blocks hand their files to the enclosing block when they succeed, so a rollback further out
    removes them too. Usable as a decorator, like transaction.atomic."""
    outer = _written.get()
    files: list = []
    token = _written.set(files)
    try:
        with transaction.atomic(using=using, durable=durable):
            yield
    except BaseException:
        _written.reset(token)
        _delete(files)
        raise
    _written.reset(token)
    if outer is not None:
        outer.extend(files)


def written(*field_files) -> None:
    """Register files just written (FieldFile objects) with the enclosing atomic_with_files() block."""
    files = _written.get()
    if files is None:
        return
    for field_file in field_files:
        if field_file and field_file.name:
            files.append((field_file.storage, field_file.name))


def uncommitted_files(instance) -> list:
    """The FieldFiles of `instance` that its next save() writes to storage (new uploads)."""
    pending = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            field_file = getattr(instance, field.attname)
            if field_file and not field_file._committed:
                pending.append(field_file)
    return pending


def save_with_files(instance, **kwargs):
    """instance.save(), registering the uploads the save writes, so a later rollback removes them."""
    pending = uncommitted_files(instance)
    instance.save(**kwargs)
    written(*pending)
    return instance


def _delete(files) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete %s after a rollback; cleanup_orphan_documents will list it", name)
        else:
            logger.info("Deleted %s: its transaction rolled back", name)


def referenced_names() -> set[str]:
    """Every file name a row points to, in every model with a file field (history tables included)."""
    from django.apps import apps
    from simple_history.manager import HistoryManager

    names: set[str] = set()
    for model in apps.get_models():
        columns = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        # simple_history keeps a file field as plain text in the history table; an old version's file
        # is still the document that version showed.
        history = getattr(model, "history", None)
        tables = [model._default_manager]
        if isinstance(history, HistoryManager):
            tables.append(history.model._default_manager)
        for manager in tables if columns else []:
            for column in columns:
                names.update(
                    manager.exclude(**{column: ""})
                    .exclude(**{f"{column}__isnull": True})
                    .values_list(column, flat=True)
                    .iterator()
                )
    return names


def stored_names(storage=default_storage, folder: str = ""):
    """Every file name under `folder` in `storage`, recursively."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}/{name}" if folder else name
    for directory in directories:
        yield from stored_names(storage, f"{folder}/{directory}" if folder else directory)


def orphans(*, older_than, storage=default_storage) -> list[tuple[str, object, int]]:
    """Files in storage that no row points to, last changed before `older_than` (an aware datetime):
    (name, modified time, size), oldest first. Newer files may belong to a transaction still open."""
    # Listed before the names are read, so a file whose row commits in between counts as referenced.
    candidates = [name for name in stored_names(storage) if storage.get_modified_time(name) < older_than]
    referenced = referenced_names()
    found = [
        (name, storage.get_modified_time(name), storage.size(name)) for name in candidates if name not in referenced
    ]
    return sorted(found, key=lambda row: row[1])
