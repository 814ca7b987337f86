"""Where the PDFs live: a CKAN 2.12 file storage when one is configured, else a folder under
`ckan.storage_path` (the storage CKAN's own uploader writes to, available on 2.11 too).

Issued files are never overwritten: a key is written once, and a new version gets a new key.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
from typing import Any

import ckan.plugins.toolkit as tk

STORAGE_OPTION = "ckanext.dinamis_relay.documents.storage"
LOCAL_FOLDER = os.path.join("dinamis_relay", "documents")


class StorageError(Exception):
    """The documents storage is missing, misconfigured or refused the file."""


def make_key(document_id: str, created: datetime.datetime) -> str:
    return f"{created:%Y}/{document_id}.pdf"


def _files_storage() -> Any | None:
    """The CKAN 2.12 file storage named in the config, or None (option empty or CKAN 2.11)."""
    name = tk.config.get(STORAGE_OPTION)
    if not name:
        return None
    try:
        from ckan.lib import files
    except ImportError as err:  # CKAN 2.11 has no files API
        raise StorageError(f"{STORAGE_OPTION} needs CKAN 2.12 or later") from err
    try:
        return files.get_storage(name)
    except files.exc.UnknownStorageError as err:
        raise StorageError(f"Unknown file storage {name!r} in {STORAGE_OPTION}") from err


def local_root() -> str:
    base = tk.config.get("ckan.storage_path")
    if not base:
        raise StorageError("ckan.storage_path is not configured: documents cannot be stored")
    return os.path.join(os.path.realpath(base), LOCAL_FOLDER)


def _local_path(key: str) -> str:
    root = local_root()
    path = os.path.realpath(os.path.join(root, key))
    # Keys come from the database, but a bad one must never reach outside the folder.
    if not path.startswith(root + os.sep):
        raise StorageError(f"Invalid document key {key!r}")
    return path


def save(key: str, data: bytes) -> None:
    """Store `data` under `key`; refuses to replace an existing file."""
    storage = _files_storage()
    if storage is not None:
        from ckan.lib import files

        location = storage.prepare_location(key)
        if storage.exists(files.FileData(location)):
            raise StorageError(f"Document {key!r} already exists")
        storage.upload(location, files.make_upload(data))
        return
    path = _local_path(key)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o444)
        # link() fails if the target exists: an issued file is never replaced.
        os.link(tmp, path)
    except FileExistsError as err:
        raise StorageError(f"Document {key!r} already exists") from err
    finally:
        os.unlink(tmp)


def read(key: str) -> bytes:
    storage = _files_storage()
    if storage is not None:
        from ckan.lib import files

        try:
            return storage.content(files.FileData(storage.prepare_location(key)))
        except files.exc.MissingFileError as err:
            raise StorageError(f"Document file {key!r} is missing") from err
    try:
        with open(_local_path(key), "rb") as src:
            return src.read()
    except FileNotFoundError as err:
        raise StorageError(f"Document file {key!r} is missing") from err


def remove(key: str) -> None:
    """Only for a file whose database row was never committed (failed issue)."""
    storage = _files_storage()
    if storage is not None:
        from ckan.lib import files

        storage.remove(files.FileData(storage.prepare_location(key)))
        return
    with contextlib.suppress(FileNotFoundError):
        os.unlink(_local_path(key))
