"""Files of the supporting documents ("pièces justificatives") of an application.

They go through CKAN's uploader API (`ckan.lib.uploader.get_uploader`) with their own
storage folder, as CKAN does for organization images and resources: a folder of
`ckan.storage_path` by default, or the CKAN 2.12 file storage a site names for
`ckan.files.default_storages.dinamis_relay_supporting_documents` (or an IUploader plugin).
Their types are CKAN's own upload setting for that type,
`ckan.upload.dinamis_relay_supporting_documents.mimetypes`, declared by the plugin.
Before the uploader sees a file, `check` refuses what does not fit the declared limits
with translated messages naming the field, so nothing is stored for a refused file.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import unicodedata
from typing import IO, Any

import ckan.plugins.toolkit as tk

UPLOAD_TO = "dinamis_relay_supporting_documents"
FIELD = "upload"
MIMETYPES_OPTION = f"ckan.upload.{UPLOAD_TO}.mimetypes"
MAX_SIZE_OPTION = "ckanext.dinamis_relay.supporting_documents.max_size_mb"
MAX_COUNT_OPTION = "ckanext.dinamis_relay.supporting_documents.max_per_adhesion"
MB = 1 << 20
# The file name extensions each accepted type may carry (what people's software writes).
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
}
# Short names of the types, for the form's help text and the error messages.
SHORT_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
}
MAX_NAME = 200


def kind_labels() -> dict[str, str]:
    """What a supporting document is, in the reader's language (the form's choices)."""
    return {
        "deliberation": tk._("Deliberation (délibération) of the entity's assembly"),
        "mandate": tk._("Mandate or delegation of signature"),
        "other": tk._("Other supporting document"),
    }


def allowed_mimetypes() -> list[str]:
    return [str(m) for m in tk.config.get(MIMETYPES_OPTION) or []]


def max_size_mb() -> int:
    return int(tk.config.get(MAX_SIZE_OPTION) or 10)


def max_per_adhesion() -> int:
    return int(tk.config.get(MAX_COUNT_OPTION) or 20)


def allowed_names() -> str:
    """ "PDF, PNG, JPEG, ODT, DOCX": what the form says it accepts."""
    return ", ".join(SHORT_NAMES.get(m, m) for m in allowed_mimetypes())


def accept_attribute() -> str:
    """The file input's `accept`: the extensions of the accepted types."""
    return ",".join(ext for m in allowed_mimetypes() for ext in EXTENSIONS.get(m, ()))


@dataclasses.dataclass
class Checked:
    """A file that passed the checks: its cleaned name, type, size and fingerprint."""

    upload: Any
    name: str
    mimetype: str
    size: int
    sha256: str


def _refuse(message: str) -> tk.ValidationError:
    return tk.ValidationError({FIELD: [message]})


def clean_name(filename: str) -> str:
    """The file's own name without folders or control characters, at most MAX_NAME."""
    name = os.path.basename(filename.replace("\\", "/"))
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_NAME:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME - len(ext)] + ext
    return name


def _stream(upload: Any) -> IO[bytes] | None:
    stream = getattr(upload, "stream", None)
    return stream if stream is not None and hasattr(stream, "read") else None


def check(upload: Any) -> Checked:
    """The posted file, or a ValidationError on `upload` saying what is wrong."""
    stream = _stream(upload)
    filename = getattr(upload, "filename", None)
    if stream is None or not filename:
        raise _refuse(tk._("Choose the file to attach"))
    name = clean_name(str(filename))
    if not name:
        raise _refuse(tk._("Choose the file to attach"))
    limit = max_size_mb() * MB
    digest = hashlib.sha256()
    size = 0
    head = b""
    stream.seek(0)
    while True:
        chunk = stream.read(MB)
        if not chunk:
            break
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        size += len(chunk)
        if size > limit:
            raise _refuse(
                tk._("The file is too large (at most {size} MB)").format(size=max_size_mb())
            )
        digest.update(chunk)
    stream.seek(0)
    if size == 0:
        raise _refuse(tk._("The file is empty"))
    allowed = allowed_mimetypes()
    wrong_type = tk._("This type of file is not accepted; send one of: {types}").format(
        types=allowed_names()
    )
    try:
        import magic

        sniffed = str(magic.from_buffer(head, mime=True))
    except Exception:  # no libmagic: CKAN's uploader would fail the same way
        sniffed = ""
    if sniffed not in allowed:
        raise _refuse(wrong_type)
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS.get(sniffed, ()):
        raise _refuse(
            tk._("The file's name ends in “{extension}” but it is a {type} file").format(
                extension=extension or "—", type=SHORT_NAMES.get(sniffed, sniffed)
            )
        )
    return Checked(upload, name, sniffed, size, digest.hexdigest())


def _file_storage(checked: Checked) -> Any:
    """The upload as the werkzeug FileStorage CKAN's uploader expects, with the type
    declared from the checked content (API clients often declare application/octet-stream)."""
    from werkzeug.datastructures import FileStorage

    return FileStorage(
        stream=_stream(checked.upload),
        filename=checked.name,
        content_type=checked.mimetype,
    )


def store(checked: Checked) -> str:
    """Hand the checked file to CKAN's uploader; returns the name it is stored under."""
    from ckan.lib import uploader

    upload = uploader.get_uploader(UPLOAD_TO)
    data: dict[str, Any] = {"url": "", FIELD: _file_storage(checked)}
    try:
        upload.update_data_dict(data, "url", FIELD, "clear_upload")
        if not data.get("url") or not getattr(upload, "filename", None):
            raise _refuse(tk._("File uploads are not configured on this site"))
        upload.upload(max_size_mb())
    except tk.ValidationError as error:
        if error.error_dict.get(FIELD) == [tk._("File uploads are not configured on this site")]:
            raise
        # CKAN's own messages are English and name MIME types: say it in the reader's words.
        raise _refuse(
            tk._("This type of file is not accepted; send one of: {types}").format(
                types=allowed_names()
            )
        ) from error
    return str(upload.filename)


def remove(storage_name: str) -> None:
    """Delete a stored file (its row is being deleted in the same request)."""
    from ckan.lib import uploader

    upload = uploader.get_uploader(UPLOAD_TO, storage_name)
    data: dict[str, Any] = {"url": storage_name, "clear_upload": True}
    upload.update_data_dict(data, "url", FIELD, "clear_upload")
    upload.upload(max_size_mb())


def local_path(storage_name: str) -> str | None:
    """The file on disk when CKAN's default uploader keeps it in `ckan.storage_path`."""
    from ckan.lib import uploader

    upload = uploader.get_uploader(UPLOAD_TO, storage_name)
    root = getattr(upload, "storage_path", None)
    if not root:
        return None
    root = os.path.realpath(root)
    path = os.path.realpath(os.path.join(root, storage_name))
    # Names come from the database, but a bad one must never reach outside the folder.
    if not path.startswith(root + os.sep) or not os.path.isfile(path):
        return None
    return path


def read(storage_name: str) -> bytes | None:
    """The file's bytes from whichever storage holds it, or None when it is missing."""
    path = local_path(storage_name)
    if path is not None:
        with open(path, "rb") as src:
            return src.read()
    from ckan.lib import uploader

    upload = uploader.get_uploader(UPLOAD_TO, storage_name)
    storage = getattr(upload, "storage", None)
    if storage is None:
        return None
    try:
        from ckan.lib import files

        return bytes(storage.content(files.FileData(storage.prepare_location(storage_name))))
    except Exception:
        return None
