"""Generated documents: download (for those allowed to see them) and public verification."""

from __future__ import annotations

import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from flask import request, send_file
from flask.typing import ResponseReturnValue

from ..documents import storage
from . import dinamis_relay

log = logging.getLogger(__name__)


@dinamis_relay.route("/document/<id>/download")
def document_download(id: str) -> ResponseReturnValue:
    """The PDF itself, as an attachment named after its kind and number."""
    context: Any = {"dinamis_relay_with_storage_key": True}
    try:
        doc = tk.get_action("dinamis_relay_document_show")(context, {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Document not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this document"))
    except tk.ValidationError:
        return tk.abort(404, tk._("Document not found"))
    try:
        data = storage.read(doc["storage_key"])
    except storage.StorageError:
        log.exception("File of document %s cannot be read", id)
        return tk.abort(404, tk._("The file of this document is missing; ask for a new version"))
    response = send_file(
        io.BytesIO(data),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=doc["file_name"],
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@dinamis_relay.route("/verify", methods=["GET", "POST"])
def verify() -> str:
    """Public page: check a document by number and fingerprint (GET) or by its file (POST)."""
    data_dict: dict[str, Any] = {}
    if request.method == "POST":
        data_dict["upload"] = request.files.get("upload") or ""
    else:
        for key in ("number", "fingerprint"):
            if request.args.get(key):
                data_dict[key] = request.args[key]
    result = None
    errors: dict[str, list[str]] = {}
    if data_dict:
        try:
            result = tk.get_action("dinamis_relay_document_verify")({}, data_dict)
        except tk.ValidationError as err:
            errors = err.error_dict
    return tk.render(
        "dinamis_relay/document/verify.html",
        {
            "result": result,
            "errors": errors,
            "number": request.args.get("number", ""),
            "fingerprint": request.args.get("fingerprint", ""),
            "method": request.method,
        },
    )
