"""Issuing documents: number, render, store, record; a new version supersedes the old one."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ..model import Adhesion, Document, Registration
from ..model.adhesion import ACCEPTED, EXPIRED, PENDING_INSTRUCTION, SUSPENDED, TERMINATED
from ..model.base import make_uuid, utcnow
from ..model.document import ACTE_ADHESION, AVENANT, CONVENTION, KINDS, LANGS
from ..procedure import numbers
from . import content, logo, pdf, storage

log = logging.getLogger(__name__)

DEFAULT_LANG_OPTION = "ckanext.dinamis_relay.documents.default_lang"
# Which documents an adhesion calls for, by state reached (DOMAIN.md, "Documents"):
# the relay amendment once the legal representative has accepted it; at acceptance the
# Acte d'adhésion and, for relay mode, the partnership convention (and the amendment if it
# was not issued yet).
DUE_AT_STATE: dict[str, dict[str, tuple[str, ...]]] = {
    PENDING_INSTRUCTION: {"classic": (), "relay": (AVENANT,)},
    ACCEPTED: {"classic": (ACTE_ADHESION,), "relay": (ACTE_ADHESION, CONVENTION, AVENANT)},
}
# States of an adhesion that was accepted at some point (its Acte can be reissued).
WAS_ACCEPTED = (ACCEPTED, SUSPENDED, TERMINATED, EXPIRED)
FILE_TITLES = {
    ACTE_ADHESION: "Acte-adhesion",
    AVENANT: "Avenant-convention-partenariat",
    CONVENTION: "Convention-partenariat",
}


class DocumentError(Exception):
    """The document cannot be issued (the message says why)."""


def default_lang() -> str:
    lang = tk.config.get(DEFAULT_LANG_OPTION) or "fr"
    return lang if lang in LANGS else "fr"


def due_kinds(adhesion: Adhesion) -> tuple[str, ...]:
    return DUE_AT_STATE.get(adhesion.state, {}).get(adhesion.mode, ())


def can_issue(adhesion: Adhesion, kind: str) -> str | None:
    """Why `kind` cannot be issued for this adhesion (a code of REASONS), or None."""
    if model.Session.get(Registration, adhesion.id) is not None:
        # Accepted outside the platform: its acte was issued by DINAMIS, not here.
        return "registered"
    if kind == ACTE_ADHESION and (
        adhesion.state not in WAS_ACCEPTED or not adhesion.number or not adhesion.decided_at
    ):
        return "not_accepted"
    if kind in (AVENANT, CONVENTION) and adhesion.mode != "relay":
        return "not_relay"
    if kind in (AVENANT, CONVENTION) and adhesion.legal_accepted_at is None:
        return "no_legal_acceptance"
    return None


# Reasons in plain words, for logs and DocumentError (actions translate the codes).
REASONS = {
    "registered": "the adhesion was accepted outside the platform, which issued its documents",
    "not_accepted": "the adhesion is not accepted (no number, no decision)",
    "not_relay": "the amendment and the convention exist only in relay mode",
    "no_legal_acceptance": "the legal representative has not accepted the amendment yet",
}


def current(adhesion_id: str, kind: str, lang: str) -> Document | None:
    return model.Session.scalars(
        sa.select(Document).where(
            Document.adhesion_id == adhesion_id,
            Document.kind == kind,
            Document.lang == lang,
            Document.is_current.is_(True),
        )
    ).first()


def _latest_number(adhesion_id: str, kind: str) -> str | None:
    """The number a kind already carries for this adhesion (any language, any version)."""
    return model.Session.scalars(
        sa.select(Document.number)
        .where(Document.adhesion_id == adhesion_id, Document.kind == kind)
        .order_by(Document.created.desc())
        .limit(1)
    ).first()


def _number_for(adhesion: Adhesion, kind: str) -> str:
    if kind == ACTE_ADHESION:
        return adhesion.number or ""
    recorded = adhesion.amendment_number if kind == AVENANT else adhesion.convention_number
    return (
        recorded
        or _latest_number(adhesion.id, kind)
        or numbers.next_number("amendment" if kind == AVENANT else "convention")
    )


def _lock(adhesion_id: str, kind: str, lang: str) -> None:
    # Two workers issuing the same document queue up here instead of clashing on the
    # version number; the lock ends with the transaction.
    key = f"dinamis_relay_document:{adhesion_id}:{kind}:{lang}"
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def verify_url() -> str:
    configured = tk.config.get("ckanext.dinamis_relay.documents.verify_url")
    if configured:
        return configured
    try:
        return tk.url_for("dinamis_relay.verify", _external=True)
    except Exception:  # no application context (plain script)
        return tk.config.get("ckan.site_url", "").rstrip("/") + "/dinamis/verify"


def file_name(doc: Document | dict[str, Any]) -> str:
    """Download name, e.g. Acte-adhesion-DINAMIS-2026-0042.pdf (…-v2-en.pdf for others)."""
    if isinstance(doc, Document):
        kind, number, version, lang = doc.kind, doc.number, doc.version, doc.lang
    else:
        kind, number, version, lang = doc["kind"], doc["number"], doc["version"], doc["lang"]
    safe_number = "".join(c if c.isalnum() or c in "-_" else "-" for c in number)
    suffix = f"-v{version}" if version > 1 else ""
    lang_suffix = "" if lang == "fr" else f"-{lang}"
    return f"{FILE_TITLES[kind]}-{safe_number}{suffix}{lang_suffix}.pdf"


def issue(
    adhesion_id: str,
    kind: str,
    *,
    lang: str | None = None,
    user_id: str | None = None,
    if_missing: bool = False,
) -> Document | None:
    """Issue a new version of `kind` for the adhesion, superseding the current one.

    With `if_missing`, do nothing (and return None) when a current version exists. Commits.
    The file is stored before the row is committed and removed if the commit fails, so the
    table never points to a missing file.
    """
    lang = lang or default_lang()
    if kind not in KINDS or lang not in LANGS:
        raise DocumentError(f"Unknown document kind or language: {kind}/{lang}")
    session = model.Session
    adhesion = session.get(Adhesion, adhesion_id)
    if adhesion is None:
        raise DocumentError(f"Adhesion {adhesion_id} not found")
    reason = can_issue(adhesion, kind)
    if reason:
        raise DocumentError(REASONS[reason])

    _lock(adhesion_id, kind, lang)
    previous = current(adhesion_id, kind, lang)
    if previous is not None and if_missing:
        session.rollback()  # releases the lock
        return None
    version = (
        session.scalar(
            sa.select(sa.func.max(Document.version)).where(
                Document.adhesion_id == adhesion_id, Document.kind == kind, Document.lang == lang
            )
        )
        or 0
    ) + 1
    number = _number_for(adhesion, kind)
    convention_number = (
        number
        if kind == CONVENTION
        else adhesion.convention_number or _latest_number(adhesion_id, CONVENTION)
    )
    org = model.Group.get(adhesion.organization_id)
    logo_png = logo.organization_logo(
        org.image_url if org else None, org.name if org else adhesion.organization_id
    )
    doc_id = make_uuid()
    issued_at = utcnow()
    record = content.gather(
        adhesion,
        kind=kind,
        number=number,
        version=version,
        lang=lang,
        issued_at=issued_at,
        logo_sha256=hashlib.sha256(logo_png).hexdigest() if logo_png else None,
        convention_number=convention_number,
    )
    fingerprint = content.fingerprint(record)
    data = pdf.render_pdf(
        kind,
        lang,
        {
            "doc": record,
            "fingerprint": fingerprint,
            "verify_url": verify_url(),
            "footer": tk.config.get("ckanext.dinamis_relay.documents.footer") or "",
            "platform": content.relay_info(),
        },
        logo_png,
    )
    key = storage.make_key(doc_id, issued_at)
    storage.save(key, data)
    try:
        doc = Document(
            id=doc_id,
            kind=kind,
            number=number,
            version=version,
            lang=lang,
            adhesion_id=adhesion_id,
            organization_id=adhesion.organization_id,
            storage_key=key,
            sha256=hashlib.sha256(data).hexdigest(),
            content_sha256=fingerprint,
            content=record,
            size=len(data),
            created_by=user_id,
            created=issued_at,
            is_current=True,
        )
        if previous is not None:
            previous.is_current = False
            previous.superseded_by = doc_id
            previous.superseded_at = issued_at
            session.flush()  # frees the "one current" index before the new row goes in
        session.add(doc)
        session.commit()
    except Exception:
        session.rollback()
        storage.remove(key)
        raise
    log.info("Issued %s %s v%s (%s) for adhesion %s", kind, number, version, lang, adhesion_id)
    return doc


def issue_due(
    adhesion_id: str, user_id: str | None = None, only: tuple[str, ...] | None = None
) -> list[Document]:
    """Issue the documents the adhesion's state calls for that do not exist yet (of the
    kinds in `only`, when given)."""
    adhesion = model.Session.get(Adhesion, adhesion_id)
    if adhesion is None:
        log.warning("Documents: adhesion %s vanished before its job ran", adhesion_id)
        return []
    lang = default_lang()
    issued = []
    for kind in due_kinds(adhesion):
        if only is not None and kind not in only:
            continue
        reason = can_issue(adhesion, kind)
        if reason == "registered":
            continue
        if reason:
            log.error(
                "Documents: %s of adhesion %s not issued: %s", kind, adhesion_id, REASONS[reason]
            )
            continue
        doc = issue(adhesion_id, kind, lang=lang, user_id=user_id, if_missing=True)
        if doc is not None:
            issued.append(doc)
    return issued
