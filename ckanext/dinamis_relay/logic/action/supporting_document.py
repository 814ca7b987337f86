"""Supporting documents of an application ("pièces justificatives": délibération, mandat…).

Added and deleted by those who edit the application while it is a draft or returned, so that
"Merci de joindre la délibération" after a return can be answered; seen by whoever sees the
adhesion, instructors included. Each addition and deletion is an audit event of the adhesion.
The files go through CKAN's uploader (documents/supporting.py).
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ...access.roles import context_roles
from ...documents import supporting
from ...lifecycle import audit
from ...lifecycle.adhesion import ADHESION
from ...model import Adhesion, SupportingDocument
from ..schema import supporting_document as schema
from ..schema import validate

log = logging.getLogger(__name__)

ADDED = "supporting_document_add"
DELETED = "supporting_document_delete"


def _download_url(document_id: str) -> str | None:
    try:
        return tk.url_for("dinamis_relay.supporting_document_download", id=document_id)
    except Exception:  # no application context (CLI)
        return None


def _user_name(user_id: str | None) -> str | None:
    user = model.User.get(user_id) if user_id else None
    return (user.fullname or user.name) if user is not None else None


def document_dict(document: SupportingDocument, context: Context) -> dict[str, Any]:
    data = document.dictize()
    # The storage name is the uploader's business; only the download view asks for it,
    # through a context flag API callers cannot set.
    storage_name = data.pop("storage_name")
    if context.get("dinamis_relay_with_storage_name"):
        data["storage_name"] = storage_name
    data["kind_label"] = supporting.kind_labels().get(document.kind, document.kind)
    data["uploaded_by_name"] = _user_name(document.uploaded_by)
    data["download_url"] = _download_url(document.id)
    return data


def _editable_or_refuse(adhesion: Adhesion) -> None:
    if ADHESION.rule("update", adhesion.state) is None:
        model.Session.rollback()
        raise tk.ValidationError(
            {
                "state": [
                    tk._(
                        "Supporting documents are added or removed while the application is "
                        "a draft or returned for changes"
                    )
                ]
            }
        )


def _locked_adhesion(adhesion_id: str) -> Adhesion:
    adhesion = Adhesion.locked(model.Session, adhesion_id)
    if adhesion is None:
        model.Session.rollback()
        raise tk.ObjectNotFound(tk._("Adhesion not found"))
    return adhesion


@validate(schema.supporting_document_create)
def dinamis_relay_supporting_document_create(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Attach a supporting document to an application (draft or returned).

    :param adhesion_id:
    :param kind: deliberation, mandate or other (default)
    :param upload: the file (multipart), of a type of
        ``supporting_documents.mimetypes`` (PDF, PNG, JPEG, ODT, DOCX by default) and at
        most ``supporting_documents.max_size_mb``
    :returns: the document: id, kind, name, mimetype, size, sha256, uploaded_by,
        uploaded_at, download_url
    """
    tk.check_access("dinamis_relay_supporting_document_create", context, data_dict)
    session = model.Session
    adhesion = _locked_adhesion(data_dict["adhesion_id"])
    _editable_or_refuse(adhesion)
    if SupportingDocument.count_for(session, adhesion.id) >= supporting.max_per_adhesion():
        session.rollback()
        raise tk.ValidationError(
            {
                supporting.FIELD: [
                    tk._("This application already carries {n} supporting documents").format(
                        n=supporting.max_per_adhesion()
                    )
                ]
            }
        )
    try:
        checked = supporting.check(data_dict.get("upload"))
        storage_name = supporting.store(checked)
    except tk.ValidationError:
        session.rollback()
        raise
    roles = context_roles(context)
    try:
        document = SupportingDocument(
            adhesion_id=adhesion.id,
            organization_id=adhesion.organization_id,
            kind=data_dict["kind"],
            name=checked.name,
            storage_name=storage_name,
            mimetype=checked.mimetype,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=roles.user_id,
        )
        session.add(document)
        session.flush()
        _record(
            adhesion,
            ADDED,
            roles.user_id,
            document,
            size=document.size,
            sha256=document.sha256,
        )
        if not context.get("defer_commit"):
            session.commit()
    except Exception:
        # The row never committed: its file must not stay behind.
        session.rollback()
        supporting.remove(storage_name)
        raise
    return document_dict(document, context)


def _record(
    adhesion: Adhesion,
    action: str,
    user_id: str | None,
    document: SupportingDocument,
    **details: Any,
) -> None:
    """The adhesion's audit event of an addition or removal: the state does not change, the
    document is named (its name stays in the history once the file is gone)."""
    audit.record(
        object_type="adhesion",
        object_id=adhesion.id,
        organization_id=adhesion.organization_id,
        action=action,
        from_state=adhesion.state,
        to_state=adhesion.state,
        user_id=user_id,
        comment=document.name,
        data={"document_id": document.id, "kind": document.kind, "name": document.name, **details},
    )


@tk.side_effect_free
@validate(schema.supporting_document_list)
def dinamis_relay_supporting_document_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The supporting documents of an application, oldest first.

    :param adhesion_id:
    :returns: ``{"count", "results", "editable"}``; ``editable`` says whether the caller may
        add or delete documents now (an editor, while the application is a draft or returned)
    """
    tk.check_access("dinamis_relay_supporting_document_list", context, data_dict)
    adhesion = model.Session.get(Adhesion, data_dict["adhesion_id"])
    if adhesion is None:
        raise tk.ObjectNotFound(tk._("Adhesion not found"))
    documents = SupportingDocument.for_adhesion(model.Session, adhesion.id)
    roles = context_roles(context)
    return {
        "count": len(documents),
        "results": [document_dict(document, context) for document in documents],
        "editable": ADHESION.may_act(roles, adhesion, "update"),
        "max": supporting.max_per_adhesion(),
    }


@tk.side_effect_free
@validate(schema.supporting_document_by_id)
def dinamis_relay_supporting_document_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One supporting document (what the download view checks before sending the file).

    :param id:
    """
    tk.check_access("dinamis_relay_supporting_document_show", context, data_dict)
    document = model.Session.get(SupportingDocument, data_dict["id"])
    if document is None:
        raise tk.ObjectNotFound(tk._("Supporting document not found"))
    return document_dict(document, context)


@validate(schema.supporting_document_by_id)
def dinamis_relay_supporting_document_delete(
    context: Context, data_dict: DataDict
) -> dict[str, Any]:
    """Remove a supporting document from an application (draft or returned); the file is
    deleted once the removal is committed. The adhesion's history keeps its name.

    :param id:
    """
    tk.check_access("dinamis_relay_supporting_document_delete", context, data_dict)
    session = model.Session
    document = session.get(SupportingDocument, data_dict["id"])
    if document is None:
        raise tk.ObjectNotFound(tk._("Supporting document not found"))
    adhesion = _locked_adhesion(document.adhesion_id)
    _editable_or_refuse(adhesion)
    roles = context_roles(context)
    storage_name = document.storage_name
    result = document_dict(document, context)
    session.delete(document)
    _record(adhesion, DELETED, roles.user_id, document)
    if context.get("defer_commit"):
        return result
    session.commit()
    try:
        supporting.remove(storage_name)
    except Exception:  # the row is gone; a file left behind is only disk space
        log.exception("Could not remove the file of supporting document %s", document.id)
    return result
