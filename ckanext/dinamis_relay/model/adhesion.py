from __future__ import annotations

import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, make_uuid, utcnow

# Adhesion states, in the order of the lifecycle (DOMAIN.md).
DRAFT = "draft"
PENDING_LEGAL = "pending_legal_validation"
PENDING_INSTRUCTION = "pending_instruction"
RETURNED = "returned"
ACCEPTED = "accepted"
REJECTED = "rejected"
SUSPENDED = "suspended"
TERMINATED = "terminated"
EXPIRED = "expired"
STATES = (
    DRAFT, PENDING_LEGAL, PENDING_INSTRUCTION, RETURNED, ACCEPTED, REJECTED, SUSPENDED,
    TERMINATED, EXPIRED,
)
MODES = ("classic", "relay")


class Adhesion(Base, DictizeMixin):  # type: ignore[misc,valid-type]
    """One application of an organization (entity) to DINAMIS.

    An organization has at most one current adhesion (`is_current`); renewing or applying
    again after a refusal creates a new row, so past applications and their numbers stay.
    """

    __tablename__ = "dinamis_relay_adhesion"
    __table_args__ = (
        sa.Index(
            "dinamis_relay_adhesion_current_org_uq", "organization_id", unique=True,
            postgresql_where=sa.text("is_current"),
        ),
        sa.Index("dinamis_relay_adhesion_state_idx", "state", "modified"),
        sa.Index("dinamis_relay_adhesion_valid_until_idx", "valid_until"),
    )

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=make_uuid)
    organization_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, index=True)
    is_current: Mapped[bool] = sa.Column(sa.Boolean, nullable=False, default=True)
    previous_id: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    number: Mapped[Optional[str]] = sa.Column(sa.UnicodeText, unique=True)
    mode: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default="classic")
    state: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False, default=DRAFT)

    # Entity
    legal_name: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    acronym: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    siret: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    entity_type: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    eligibility_category: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    eligibility_justification: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    address: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    postcode: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    city: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    department: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    website: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    phone: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    email_domains: Mapped[list[str]] = sa.Column(JSONB, nullable=False, default=list)

    # People
    legal_rep_name: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    legal_rep_title: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    legal_rep_email: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    referent_user_id: Mapped[Optional[str]] = sa.Column(sa.UnicodeText, index=True)
    referent_title: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    referent_phone: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)

    # Relay mode
    convention_number: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    amendment_number: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)

    # Legal representative's single-use link: the nonce inside the signed token.
    legal_token_nonce: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    legal_token_expires: Mapped[Optional[datetime.datetime]] = sa.Column(sa.DateTime)
    legal_accepted_at: Mapped[Optional[datetime.datetime]] = sa.Column(sa.DateTime)

    # Decision
    decision_reason: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    dinamis_reference: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    decided_by: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    decided_at: Mapped[Optional[datetime.datetime]] = sa.Column(sa.DateTime)
    submitted_by: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    submitted_at: Mapped[Optional[datetime.datetime]] = sa.Column(sa.DateTime)
    valid_from: Mapped[Optional[datetime.date]] = sa.Column(sa.Date)
    valid_until: Mapped[Optional[datetime.date]] = sa.Column(sa.Date)
    reminder_sent_at: Mapped[Optional[datetime.datetime]] = sa.Column(sa.DateTime)

    created_by: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    created: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=utcnow)
    modified: Mapped[datetime.datetime] = sa.Column(
        sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    def dictize(self) -> dict[str, Any]:
        data = super().dictize()
        # The nonce is a secret: it must never leave the server.
        data.pop("legal_token_nonce", None)
        return data


class EligibilityCheck(Base, DictizeMixin):  # type: ignore[misc,valid-type]
    """A super-referent's check (with DINAMIS) that a relay-mode entity is eligible."""

    __tablename__ = "dinamis_relay_eligibility_check"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=make_uuid)
    adhesion_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
        nullable=False, index=True,
    )
    eligible: Mapped[bool] = sa.Column(sa.Boolean, nullable=False)
    note: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    checked_by: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    checked_at: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=utcnow)


class Acceptance(Base, DictizeMixin):  # type: ignore[misc,valid-type]
    """The legal representative's acceptance of one versioned text (charter, licence, amendment)."""

    __tablename__ = "dinamis_relay_acceptance"

    id: Mapped[str] = sa.Column(sa.UnicodeText, primary_key=True, default=make_uuid)
    adhesion_id: Mapped[str] = sa.Column(
        sa.UnicodeText, sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
        nullable=False, index=True,
    )
    text_kind: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)  # charter|licence|amendment
    text_code: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    text_version: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    accepted_by_name: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    accepted_by_email: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    accepted_at: Mapped[datetime.datetime] = sa.Column(
        sa.DateTime, nullable=False, default=utcnow
    )
