"""Everything the plugin holds about one person (right of access and portability).

One query per kind of data of the register, whatever the volume; each kind's rows as the
plugin stores them, except where a row also holds other people's data (adhesions,
documents): there only what concerns the person.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ..model import (
    Acceptance,
    Account,
    Adhesion,
    AuditEvent,
    Document,
    DownloadEvent,
    EligibilityCheck,
    ImageryRequest,
    ImageryRequestComment,
    MailPreference,
    OutboxMessage,
    QuotaOverride,
    Registration,
    SupportingDocument,
)
from ..model.base import utcnow
from . import pseudonyms

# Roles in which an adhesion names a person, and the fields that are theirs in each.
ADHESION_ROLES: dict[str, tuple[str, ...]] = {
    "referent_user_id": ("referent_title", "referent_phone"),
    "created_by": (),
    "submitted_by": ("submitted_at",),
    "decided_by": ("decided_at", "decision_reason"),
}
LEGAL_REP_FIELDS = ("legal_rep_name", "legal_rep_title", "legal_rep_email", "legal_accepted_at")
DOCUMENT_FIELDS = (
    "id",
    "kind",
    "number",
    "version",
    "lang",
    "adhesion_id",
    "organization_id",
    "is_current",
    "created",
)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


def _email_is(column: Any, email: str) -> Any:
    return sa.func.lower(column) == email if email else sa.false()


def _names_person(user_id: str, email: str) -> Any:
    return sa.or_(
        *[getattr(Adhesion, column) == user_id for column in ADHESION_ROLES],
        _email_is(Adhesion.legal_rep_email, email),
    )


def _rows(session: Any, statement: Any) -> list[dict[str, Any]]:
    return [row.dictize() for row in session.execute(statement).scalars()]


def _adhesions(session: Any, user_id: str, email: str) -> list[dict[str, Any]]:
    result = []
    for adhesion in session.execute(
        sa.select(Adhesion).where(_names_person(user_id, email)).order_by(Adhesion.created)
    ).scalars():
        item: dict[str, Any] = {
            "id": adhesion.id,
            "number": adhesion.number,
            "organization_id": adhesion.organization_id,
            "mode": adhesion.mode,
            "state": adhesion.state,
            "roles": [],
        }
        for column, fields in ADHESION_ROLES.items():
            if getattr(adhesion, column) == user_id:
                item["roles"].append(column)
                item.update({field: _iso(getattr(adhesion, field)) for field in fields})
        if email and (adhesion.legal_rep_email or "").lower() == email:
            item["roles"].append("legal_representative")
            item.update({field: _iso(getattr(adhesion, field)) for field in LEGAL_REP_FIELDS})
        result.append(item)
    return result


def _documents(session: Any, user_id: str, email: str) -> list[dict[str, Any]]:
    naming = sa.select(Adhesion.id).where(_names_person(user_id, email))
    statement = (
        sa.select(*[getattr(Document, field) for field in DOCUMENT_FIELDS])
        .where(
            sa.or_(
                Document.created_by == user_id,
                Document.adhesion_id.in_(naming.scalar_subquery()),
            )
        )
        .order_by(Document.created)
    )
    return [
        {field: _iso(value) for field, value in zip(DOCUMENT_FIELDS, row, strict=True)}
        for row in session.execute(statement).all()
    ]


Query = Callable[[Any, str, str], list[dict[str, Any]]]

# One entry per kind of the register (a test checks they match).
QUERIES: dict[str, Query] = {
    "accounts": lambda s, uid, email: _rows(
        s, sa.select(Account).where(Account.user_id == uid).order_by(Account.created)
    ),
    "adhesions": _adhesions,
    "acceptances": lambda s, uid, email: _rows(
        s,
        sa.select(Acceptance)
        .where(_email_is(Acceptance.accepted_by_email, email))
        .order_by(Acceptance.accepted_at),
    ),
    "eligibility_checks": lambda s, uid, email: _rows(
        s,
        sa.select(EligibilityCheck)
        .where(EligibilityCheck.checked_by == uid)
        .order_by(EligibilityCheck.checked_at),
    ),
    "imagery_requests": lambda s, uid, email: _rows(
        s,
        sa.select(ImageryRequest)
        .where(ImageryRequest.user_id == uid)
        .order_by(ImageryRequest.created),
    ),
    "comments": lambda s, uid, email: _rows(
        s,
        sa.select(ImageryRequestComment)
        .where(ImageryRequestComment.user_id == uid)
        .order_by(ImageryRequestComment.id),
    ),
    "downloads": lambda s, uid, email: _rows(
        s, sa.select(DownloadEvent).where(DownloadEvent.user_id == uid).order_by(DownloadEvent.id)
    ),
    # As actor, and as subject: the history of the person's own accounts.
    "audit_events": lambda s, uid, email: _rows(
        s,
        sa.select(AuditEvent)
        .where(
            sa.or_(
                AuditEvent.user_id == uid,
                sa.and_(
                    AuditEvent.object_type == "account",
                    AuditEvent.object_id.in_(
                        sa.select(Account.id).where(Account.user_id == uid).scalar_subquery()
                    ),
                ),
            )
        )
        .order_by(AuditEvent.id),
    ),
    "documents": _documents,
    # Emails sent to the person (the addresses already served are kept for retries).
    "outbox": lambda s, uid, email: _rows(
        s,
        sa.select(OutboxMessage)
        .where(OutboxMessage.delivered.contains([email]) if email else sa.false())
        .order_by(OutboxMessage.created),
    ),
    "mail_preferences": lambda s, uid, email: _rows(
        s, sa.select(MailPreference).where(MailPreference.user_id == uid)
    ),
    "registrations": lambda s, uid, email: _rows(
        s,
        sa.select(Registration)
        .where(Registration.registered_by == uid)
        .order_by(Registration.registered_at),
    ),
    "supporting_documents": lambda s, uid, email: _rows(
        s,
        sa.select(SupportingDocument)
        .where(SupportingDocument.uploaded_by == uid)
        .order_by(SupportingDocument.uploaded_at),
    ),
    "quota_overrides": lambda s, uid, email: _rows(
        s,
        sa.select(QuotaOverride).where(QuotaOverride.set_by == uid).order_by(QuotaOverride.set_at),
    ),
}


def export(session: Any, user: Any) -> dict[str, Any]:
    """The person's data as JSON-ready dicts, keyed by the register's kinds."""
    from .register import KINDS

    email = (user.email or "").strip().lower()
    pseudonym = pseudonyms.find(session, user.id)
    result: dict[str, Any] = {
        "generated": utcnow().isoformat(),
        "user": {
            "id": user.id,
            "name": user.name,
            "fullname": user.fullname,
            "email": user.email,
            "state": user.state,
        },
        "pseudonym": {
            "number": pseudonym.number,
            "erased_at": _iso(pseudonym.erased_at),
        }
        if pseudonym is not None
        else None,
    }
    for kind in KINDS:
        result[kind.key] = QUERIES[kind.key](session, user.id, email)
    return result
