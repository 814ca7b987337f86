"""What a document says: the adhesion's fields gathered into one canonical record.

The record is stored with the document and printed in it; its SHA-256 is the document's
fingerprint ("empreinte"). A PDF cannot contain the hash of its own bytes, so the file's
SHA-256 is recorded separately to verify an uploaded copy.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ..model import Acceptance, Adhesion, EligibilityCheck
from ..model.adhesion import ENTITY_FIELDS

VERSIONS_OPTION = "ckanext.dinamis_relay.documents.versions"


def _iso(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _user_label(user_id: str | None) -> dict[str, str | None]:
    user = model.User.get(user_id) if user_id else None
    if user is None:
        return {"name": None, "email": None}
    return {"name": user.fullname or user.name, "email": user.email}


def template_version(kind: str) -> str | None:
    """Version date of the template of `kind`, from `kind:YYYY-MM-DD` config entries."""
    for entry in tk.config.get(VERSIONS_OPTION) or []:
        name, _, version = entry.partition(":")
        if name == kind and version:
            return version
    return None


def relay_info() -> dict[str, str]:
    label = tk.config.get("ckanext.dinamis_relay.relay_label") or ""
    return {
        "label": label,
        "legal_name": tk.config.get("ckanext.dinamis_relay.documents.relay_legal_name") or label,
        "representative": tk.config.get("ckanext.dinamis_relay.documents.relay_representative")
        or "",
        "subtitle": tk.config.get("ckanext.dinamis_relay.documents.platform_subtitle") or "",
    }


def gather(
    adhesion: Adhesion,
    *,
    kind: str,
    number: str,
    version: int,
    lang: str,
    issued_at: datetime.datetime,
    logo_sha256: str | None,
    convention_number: str | None,
) -> dict[str, Any]:
    """The canonical record of one document (JSON-serializable, stable key order)."""
    session = model.Session
    org = model.Group.get(adhesion.organization_id)
    acceptances = session.scalars(
        sa.select(Acceptance)
        .where(Acceptance.adhesion_id == adhesion.id)
        .order_by(Acceptance.accepted_at, Acceptance.text_kind, Acceptance.text_code)
    ).all()
    check = session.scalars(
        sa.select(EligibilityCheck)
        .where(EligibilityCheck.adhesion_id == adhesion.id)
        .order_by(EligibilityCheck.checked_at.desc())
        .limit(1)
    ).first()
    referent = _user_label(adhesion.referent_user_id)
    return {
        "kind": kind,
        "number": number,
        "version": version,
        "lang": lang,
        "issued_at": _iso(issued_at),
        "template_version": template_version(kind),
        "adhesion_id": adhesion.id,
        "adhesion_number": adhesion.number,
        "organization": {
            "id": adhesion.organization_id,
            "name": org.name if org else None,
            "title": org.title if org else None,
        },
        "entity": {
            **{name: getattr(adhesion, name) for name in ENTITY_FIELDS},
            "email_domains": list(adhesion.email_domains or []),
        },
        "logo_sha256": logo_sha256,
        "legal_rep": {
            "name": adhesion.legal_rep_name,
            "title": adhesion.legal_rep_title,
            "email": adhesion.legal_rep_email,
        },
        "referent": {
            **referent,
            "title": adhesion.referent_title,
            "phone": adhesion.referent_phone,
        },
        "mode": adhesion.mode,
        "relay": relay_info() if adhesion.mode == "relay" else None,
        "convention_number": convention_number,
        "amendment_number": adhesion.amendment_number,
        "acceptances": [
            {
                "text_kind": a.text_kind,
                "text_code": a.text_code,
                "text_version": a.text_version,
                "accepted_by_name": a.accepted_by_name,
                "accepted_by_email": a.accepted_by_email,
                "accepted_at": _iso(a.accepted_at),
            }
            for a in acceptances
        ],
        "legal_accepted_at": _iso(adhesion.legal_accepted_at),
        "submission": {
            "submitted_at": _iso(adhesion.submitted_at),
            "submitted_by_name": _user_label(adhesion.submitted_by)["name"],
        },
        "eligibility": (
            {
                "eligible": check.eligible,
                "note": check.note,
                "checked_at": _iso(check.checked_at),
                "checked_by_name": _user_label(check.checked_by)["name"],
            }
            if check
            else None
        ),
        "decision": {
            "state": adhesion.state,
            "decided_at": _iso(adhesion.decided_at),
            "decided_by_name": _user_label(adhesion.decided_by)["name"],
            "dinamis_reference": adhesion.dinamis_reference,
        },
        "valid_from": _iso(adhesion.valid_from),
        "valid_until": _iso(adhesion.valid_until),
    }


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def fingerprint(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical record: printed on the document as its fingerprint."""
    return hashlib.sha256(canonical_json(content)).hexdigest()
