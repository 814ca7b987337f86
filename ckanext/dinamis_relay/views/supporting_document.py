"""Supporting documents of an application: add (form on the adhesion page), delete, download.

The actions decide who may and when; the download reads the file through
documents.supporting once dinamis_relay_supporting_document_show has authorised it.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import ckan.plugins.toolkit as tk
from flask import send_file
from flask.typing import ResponseReturnValue

from ..documents import supporting
from . import adhesion as adhesion_views
from . import dinamis_relay

log = logging.getLogger(__name__)


def field_labels() -> dict[str, str]:
    return {
        "upload": tk._("File"),
        "kind": tk._("Type of document"),
        "state": tk._("State"),
        "adhesion_id": tk._("Application"),
    }


def listing(adhesion: dict[str, Any]) -> dict[str, Any] | None:
    """The supporting documents for the adhesion page, or None for those who may not see
    them."""
    try:
        return tk.get_action("dinamis_relay_supporting_document_list")(
            adhesion_views._context(), {"adhesion_id": adhesion["id"]}
        )
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return None


def form_vars() -> dict[str, Any]:
    """What the add form says it accepts."""
    return {
        "kinds": supporting.kind_labels(),
        "types": supporting.allowed_names(),
        "accept": supporting.accept_attribute(),
        "max_size_mb": supporting.max_size_mb(),
    }


@dinamis_relay.route("/adhesion/<id>/supporting-documents", methods=["POST"])
def supporting_document_add(id: str) -> ResponseReturnValue:
    adhesion = adhesion_views._adhesion(id)
    data = {
        "adhesion_id": adhesion["id"],
        "kind": tk.request.form.get("kind") or "other",
        "upload": tk.request.files.get("upload"),
    }
    if data["upload"] is None:
        data.pop("upload")
    try:
        added = tk.get_action("dinamis_relay_supporting_document_create")(
            adhesion_views._context(), data
        )
    except tk.NotAuthorized as error:
        return tk.abort(403, adhesion_views._error_message(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Adhesion not found"))
    except tk.ValidationError as error:
        return adhesion_views._render_read(
            adhesion,
            adhesion_views._flat_errors(error),
            400,
            form="supporting_document",
            labels=field_labels(),
        )
    tk.h.flash_success(tk._("“{name}” is attached to the application.").format(name=added["name"]))
    return tk.redirect_to(
        tk.url_for("dinamis_relay.adhesion_read", id=adhesion["id"]) + "#supporting-documents"
    )


@dinamis_relay.route("/supporting-document/<id>/delete", methods=["POST"])
def supporting_document_delete(id: str) -> ResponseReturnValue:
    context = adhesion_views._context()
    try:
        document = tk.get_action("dinamis_relay_supporting_document_show")(
            dict(context), {"id": id}
        )
        tk.get_action("dinamis_relay_supporting_document_delete")(dict(context), {"id": id})
    except tk.NotAuthorized as error:
        return tk.abort(403, adhesion_views._error_message(error))
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Supporting document not found"))
    except tk.ValidationError as error:
        tk.h.flash_error(adhesion_views._error_message(error))
    else:
        tk.h.flash_success(tk._("“{name}” is removed.").format(name=document["name"]))
        return tk.redirect_to(
            tk.url_for("dinamis_relay.adhesion_read", id=document["adhesion_id"])
            + "#supporting-documents"
        )
    return tk.redirect_to(
        tk.url_for("dinamis_relay.adhesion_read", id=document["adhesion_id"])
        + "#supporting-documents"
    )


@dinamis_relay.route("/supporting-document/<id>/download")
def supporting_document_download(id: str) -> ResponseReturnValue:
    context: Any = {**adhesion_views._context(), "dinamis_relay_with_storage_name": True}
    try:
        document = tk.get_action("dinamis_relay_supporting_document_show")(context, {"id": id})
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, tk._("Supporting document not found"))
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Not authorized to see this document"))
    data = supporting.read(document["storage_name"])
    if data is None:
        log.error("File of supporting document %s is missing", id)
        return tk.abort(404, tk._("The file of this document is missing"))
    response = send_file(
        io.BytesIO(data),
        mimetype=document["mimetype"],
        as_attachment=True,
        download_name=document["name"],
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
