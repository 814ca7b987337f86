"""Generated documents: show, list, generate (new version) and public verification."""

from __future__ import annotations

import hashlib
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.types import Context, DataDict

from ...documents import issue
from ...model import Adhesion, Document
from ..schema import document as schema
from ..schema import validate

# Largest file accepted for verification: generated documents weigh well under 1 MB.
MAX_VERIFY_UPLOAD = 20 * 1024 * 1024


def _download_url(doc_id: str) -> str | None:
    try:
        return tk.url_for("dinamis_relay.document_download", id=doc_id, _external=True)
    except Exception:  # no application context (CLI without request)
        return None


def document_dict(doc: Document, context: Context) -> dict[str, Any]:
    data = doc.dictize()
    data["file_name"] = issue.file_name(doc)
    data["download_url"] = _download_url(doc.id)
    data["entity_name"] = (doc.content.get("entity") or {}).get("legal_name")
    # Only the download view asks for the storage key, through this context flag that API
    # callers cannot set.
    if context.get("dinamis_relay_with_storage_key"):
        data["storage_key"] = doc.storage_key
    return data


def find_document(context: Context, data_dict: DataDict) -> Document | None:
    """The document named by `id`, or the current one of `adhesion_id` + `kind` (+ `lang`)."""
    session = context.get("session") or model.Session
    if data_dict.get("id"):
        return session.get(Document, data_dict["id"])
    if data_dict.get("adhesion_id") and data_dict.get("kind"):
        return session.scalars(
            sa.select(Document).where(
                Document.adhesion_id == data_dict["adhesion_id"],
                Document.kind == data_dict["kind"],
                Document.lang == (data_dict.get("lang") or issue.default_lang()),
                Document.is_current.is_(True),
            )
        ).first()
    return None


@tk.side_effect_free
@validate(schema.document_show)
def dinamis_relay_document_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A document's metadata and download address.

    :param id: the document id, or
    :param adhesion_id: with `kind` (acte_adhesion, avenant, convention) and optionally
        `lang` (fr, en; default the configured language): the current version.
    """
    if not data_dict.get("id") and not (data_dict.get("adhesion_id") and data_dict.get("kind")):
        raise tk.ValidationError({"id": [tk._("Give id, or adhesion_id and kind")]})
    tk.check_access("dinamis_relay_document_show", context, data_dict)
    doc = find_document(context, data_dict)
    if doc is None:
        raise tk.ObjectNotFound(tk._("Document not found"))
    return document_dict(doc, context)


@tk.side_effect_free
@validate(schema.document_list)
def dinamis_relay_document_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Documents of an adhesion, of an organization, or (staff only) all, newest first.

    :param adhesion_id: or
    :param organization_id: (id or name); with neither, every document (staff only)
    :param all_versions: include superseded versions (default false)
    :param limit: at most this many (default 20, at most ``list_max_limit``)
    :param offset: skip this many
    :returns: ``{"count", "results"}``
    """
    tk.check_access("dinamis_relay_document_list", context, data_dict)
    query = sa.select(Document)
    if data_dict.get("adhesion_id"):
        query = query.where(Document.adhesion_id == data_dict["adhesion_id"])
    elif data_dict.get("organization_id"):
        group = model.Group.get(data_dict["organization_id"])
        query = query.where(Document.organization_id == (group.id if group else ""))
    if not data_dict.get("all_versions"):
        query = query.where(Document.is_current.is_(True))
    session = context.get("session") or model.Session
    count = session.execute(
        query.with_only_columns(sa.func.count(), maintain_column_froms=True)
    ).scalar_one()
    docs = session.scalars(
        query.order_by(Document.created.desc(), Document.id)
        .limit(data_dict["limit"])
        .offset(data_dict["offset"])
    ).all()
    return {"count": count, "results": [document_dict(doc, context) for doc in docs]}


@validate(schema.document_generate)
def dinamis_relay_document_generate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Issue a new version of a document now; the current one is superseded.

    Always commits: the file is stored together with its row.

    :param adhesion_id:
    :param kind: acte_adhesion, avenant or convention
    :param lang: fr or en (default the configured language)
    """
    tk.check_access("dinamis_relay_document_generate", context, data_dict)
    session = context.get("session") or model.Session
    adhesion = session.get(Adhesion, data_dict["adhesion_id"])
    if adhesion is None:
        raise tk.ObjectNotFound(tk._("Adhesion not found"))
    reason = issue.can_issue(adhesion, data_dict["kind"])
    if reason:
        raise tk.ValidationError({"kind": [_reason_message(reason)]})
    user = model.User.get(context.get("user") or "")
    try:
        doc = issue.issue(
            adhesion.id,
            data_dict["kind"],
            lang=data_dict.get("lang"),
            user_id=user.id if user else None,
        )
    except issue.DocumentError as err:
        raise tk.ValidationError({"kind": [str(err)]}) from err
    assert doc is not None
    return document_dict(doc, context)


def _reason_message(reason: str) -> str:
    """issue.can_issue() codes, in the caller's language."""
    messages = {
        "registered": tk._(
            "This adhesion was accepted outside the platform: its documents were issued there"
        ),
        "not_accepted": tk._("The Acte d'adhésion is issued once the adhesion is accepted"),
        "not_relay": tk._("The amendment and the convention exist only in relay mode"),
        "no_legal_acceptance": tk._("The legal representative has not accepted the amendment yet"),
    }
    return messages.get(reason, reason)


def _read_upload(upload: Any) -> bytes:
    stream = getattr(upload, "stream", None) or upload
    if not hasattr(stream, "read"):
        raise tk.ValidationError({"upload": [tk._("Upload a PDF file")]})
    data = stream.read(MAX_VERIFY_UPLOAD + 1)
    if not data:
        raise tk.ValidationError({"upload": [tk._("The file is empty")]})
    if len(data) > MAX_VERIFY_UPLOAD:
        raise tk.ValidationError({"upload": [tk._("The file is too large to be a document")]})
    return data


def _public_dict(doc: Document, session: Any) -> dict[str, Any]:
    """What anyone holding a copy may learn: no personal data."""
    current = doc
    if not doc.is_current:
        current = (
            session.scalars(
                sa.select(Document).where(
                    Document.adhesion_id == doc.adhesion_id,
                    Document.kind == doc.kind,
                    Document.lang == doc.lang,
                    Document.is_current.is_(True),
                )
            ).first()
            or doc
        )
    return {
        "kind": doc.kind,
        "number": doc.number,
        "version": doc.version,
        "lang": doc.lang,
        "created": doc.created.isoformat(),
        "entity_name": (doc.content.get("entity") or {}).get("legal_name"),
        "is_current": doc.is_current,
        "superseded_at": doc.superseded_at.isoformat() if doc.superseded_at else None,
        "current_version": current.version,
        "current_created": current.created.isoformat(),
        "fingerprint": doc.content_sha256,
        "sha256": doc.sha256,
    }


@tk.side_effect_free
@validate(schema.document_verify)
def dinamis_relay_document_verify(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Check a copy of a document: public, for anyone who holds one.

    Either `number` and `fingerprint` (the SHA-256 printed on the document, or the file's
    SHA-256), or `upload` (the PDF file), or `sha256` (of the file).
    Returns `valid` (true when the copy matches an issued document), `match` ("fingerprint" or
    "file") and `document` (number, kind, version, entity name, date, whether it is still the
    current version).
    """
    tk.check_access("dinamis_relay_document_verify", context, data_dict)
    session = context.get("session") or model.Session
    query = None
    match = None
    if data_dict.get("upload") not in (None, ""):
        file_hash = hashlib.sha256(_read_upload(data_dict["upload"])).hexdigest()
        query, match = sa.select(Document).where(Document.sha256 == file_hash), "file"
    elif data_dict.get("sha256"):
        query = sa.select(Document).where(Document.sha256 == data_dict["sha256"])
        match = "file"
    elif data_dict.get("number") and data_dict.get("fingerprint"):
        fingerprint = data_dict["fingerprint"]
        query = sa.select(Document).where(
            Document.number == data_dict["number"],
            sa.or_(Document.content_sha256 == fingerprint, Document.sha256 == fingerprint),
        )
        match = "fingerprint"
    else:
        missing = tk._("Give the number and the fingerprint, or upload the file")
        errors = {key: [missing] for key in ("number", "fingerprint") if not data_dict.get(key)}
        raise tk.ValidationError(errors or {"upload": [missing]})
    doc = session.scalars(query.order_by(Document.created.desc()).limit(1)).first()
    if doc is None:
        return {"valid": False, "match": None, "document": None}
    return {"valid": True, "match": match, "document": _public_dict(doc, session)}
