from __future__ import annotations

import datetime
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, LockableMixin, make_uuid, text_column, utcnow

# Adhesion states (DOMAIN.md, "Adhesion" lifecycle).
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
    DRAFT,
    PENDING_LEGAL,
    PENDING_INSTRUCTION,
    RETURNED,
    ACCEPTED,
    REJECTED,
    SUSPENDED,
    TERMINATED,
    EXPIRED,
)
MODES = ("classic", "relay")

ENTITY_TYPES = (
    "commune",
    "epci_cc",
    "epci_ca",
    "epci_cu",
    "metropole",
    "departement",
    "region",
    "service_etat",
    "etablissement_public",
    "gip",
    "syndicat_mixte",
    "universite",
    "organisme_recherche",
    "association",
    "entreprise",
    "autre",
)

ELIGIBILITY_CATEGORIES = (
    "public_body",
    "research_teaching",
    "association_public_interest",
    "company_public_actor_or_rd",
)

# Categories for which the applicant must explain why the entity is eligible.
JUSTIFIED_CATEGORIES = ("company_public_actor_or_rd",)

DECISIONS = ("accept", "reject", "return")
LEGAL_DECISIONS = ("accept", "decline")

ENTITY_FIELDS = (
    "legal_name",
    "acronym",
    "siret",
    "entity_type",
    "eligibility_category",
    "eligibility_justification",
    "address",
    "postcode",
    "city",
    "department",
    "website",
    "phone",
)
PEOPLE_FIELDS = (
    "legal_rep_name",
    "legal_rep_title",
    "legal_rep_email",
    "referent_user_id",
    "referent_title",
    "referent_phone",
)

adhesion_table = sa.Table(
    "dinamis_relay_adhesion",
    Base.metadata,
    text_column("id", primary_key=True, default=make_uuid),
    text_column("organization_id", nullable=False, index=True),
    # An organization has at most one current adhesion (partial unique index below).
    sa.Column("is_current", sa.Boolean, nullable=False, default=True),
    text_column("previous_id"),
    text_column("number", unique=True),
    text_column("mode", nullable=False, default="classic"),
    text_column("state", nullable=False, default=DRAFT),
    *[text_column(name) for name in ENTITY_FIELDS],
    sa.Column("email_domains", JSONB, nullable=False, default=list),
    *[text_column(name) for name in PEOPLE_FIELDS],
    text_column("convention_number"),
    text_column("amendment_number"),
    # Secret nonce inside the legal representative's signed link; cleared once used.
    text_column("legal_token_nonce"),
    sa.Column("legal_token_expires", sa.DateTime),
    sa.Column("legal_accepted_at", sa.DateTime),
    text_column("decision_reason"),
    text_column("dinamis_reference"),
    text_column("decided_by"),
    sa.Column("decided_at", sa.DateTime),
    text_column("submitted_by"),
    sa.Column("submitted_at", sa.DateTime),
    sa.Column("valid_from", sa.Date),
    sa.Column("valid_until", sa.Date),
    sa.Column("reminder_sent_at", sa.DateTime),
    text_column("created_by"),
    sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow),
    sa.Index(
        "dinamis_relay_adhesion_current_org_uq",
        "organization_id",
        unique=True,
        postgresql_where=sa.text("is_current"),
    ),
    sa.Index("ix_dinamis_relay_adhesion_referent_user_id", "referent_user_id"),
    sa.Index("dinamis_relay_adhesion_state_idx", "state", "modified"),
    sa.Index("dinamis_relay_adhesion_valid_until_idx", "valid_until"),
)


class Adhesion(Base, DictizeMixin, LockableMixin):
    """One application of an organization (entity) to DINAMIS.

    Renewing, or applying again after a refusal, creates a new row (`previous_id`), so past
    applications and their numbers stay.
    """

    __table__ = adhesion_table

    id: Mapped[str]
    organization_id: Mapped[str]
    is_current: Mapped[bool]
    previous_id: Mapped[str | None]
    number: Mapped[str | None]
    mode: Mapped[str]
    state: Mapped[str]
    legal_name: Mapped[str | None]
    acronym: Mapped[str | None]
    siret: Mapped[str | None]
    entity_type: Mapped[str | None]
    eligibility_category: Mapped[str | None]
    eligibility_justification: Mapped[str | None]
    address: Mapped[str | None]
    postcode: Mapped[str | None]
    city: Mapped[str | None]
    department: Mapped[str | None]
    website: Mapped[str | None]
    phone: Mapped[str | None]
    email_domains: Mapped[list[str]]
    legal_rep_name: Mapped[str | None]
    legal_rep_title: Mapped[str | None]
    legal_rep_email: Mapped[str | None]
    referent_user_id: Mapped[str | None]
    referent_title: Mapped[str | None]
    referent_phone: Mapped[str | None]
    convention_number: Mapped[str | None]
    amendment_number: Mapped[str | None]
    legal_token_nonce: Mapped[str | None]
    legal_token_expires: Mapped[datetime.datetime | None]
    legal_accepted_at: Mapped[datetime.datetime | None]
    decision_reason: Mapped[str | None]
    dinamis_reference: Mapped[str | None]
    decided_by: Mapped[str | None]
    decided_at: Mapped[datetime.datetime | None]
    submitted_by: Mapped[str | None]
    submitted_at: Mapped[datetime.datetime | None]
    valid_from: Mapped[datetime.date | None]
    valid_until: Mapped[datetime.date | None]
    reminder_sent_at: Mapped[datetime.datetime | None]
    created_by: Mapped[str | None]
    created: Mapped[datetime.datetime]
    modified: Mapped[datetime.datetime]

    @classmethod
    def current_for(
        cls, organization_id: str, session: Any = None, lock: bool = False
    ) -> Adhesion | None:
        """The current adhesion of an organization (by id), locked if asked."""
        query = sa.select(cls).where(
            cls.organization_id == organization_id, cls.is_current.is_(True)
        )
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (session or model.Session).execute(query).scalar_one_or_none()

    @classmethod
    def current_mode(cls, organization_id: str) -> str | None:
        """The mode of the organization's current adhesion, without loading the row."""
        return model.Session.execute(
            sa.select(cls.mode).where(
                cls.organization_id == organization_id, cls.is_current.is_(True)
            )
        ).scalar()

    def within_validity(self, today: datetime.date | None = None) -> bool:
        """Accepted and not past its `valid_until`, whether or not the expiry cron ran."""
        today = today or datetime.date.today()
        return self.state == ACCEPTED and (self.valid_until is None or self.valid_until >= today)

    def dictize(self) -> dict[str, Any]:
        data = super().dictize()
        # The nonce is a secret: it never leaves the server.
        data.pop("legal_token_nonce", None)
        return data


class EligibilityCheck(Base, DictizeMixin):
    """A super-referent's check (with DINAMIS) that a relay-mode entity is eligible."""

    __table__ = sa.Table(
        "dinamis_relay_eligibility_check",
        Base.metadata,
        text_column("id", primary_key=True, default=make_uuid),
        text_column(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("eligible", sa.Boolean, nullable=False),
        text_column("note"),
        text_column("checked_by", nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False, default=utcnow),
    )

    id: Mapped[str]
    adhesion_id: Mapped[str]
    eligible: Mapped[bool]
    note: Mapped[str | None]
    checked_by: Mapped[str]
    checked_at: Mapped[datetime.datetime]


class Acceptance(Base, DictizeMixin):
    """The legal representative's acceptance of one versioned text."""

    __table__ = sa.Table(
        "dinamis_relay_acceptance",
        Base.metadata,
        text_column("id", primary_key=True, default=make_uuid),
        text_column(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        text_column("text_kind", nullable=False),  # charter | licence | amendment
        text_column("text_code", nullable=False),
        text_column("text_version", nullable=False),
        text_column("accepted_by_name", nullable=False),
        text_column("accepted_by_email", nullable=False),
        sa.Column("accepted_at", sa.DateTime, nullable=False, default=utcnow),
    )

    id: Mapped[str]
    adhesion_id: Mapped[str]
    text_kind: Mapped[str]
    text_code: Mapped[str]
    text_version: Mapped[str]
    accepted_by_name: Mapped[str]
    accepted_by_email: Mapped[str]
    accepted_at: Mapped[datetime.datetime]
