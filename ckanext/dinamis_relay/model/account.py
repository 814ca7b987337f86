from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, LockableMixin, make_uuid, text_column, utcnow

# Account states (DOMAIN.md, "Individual accounts" lifecycle).
REQUESTED = "requested"
ACTIVE = "active"
SUSPENDED = "suspended"
REFUSED = "refused"
EXPIRED = "expired"
CLOSED = "closed"
STATES = (REQUESTED, ACTIVE, SUSPENDED, REFUSED, EXPIRED, CLOSED)
# States that end an account: a person may hold a new account for the entity afterwards.
FINAL_STATES = (REFUSED, CLOSED)

PROFILE_FIELDS = ("job_title", "department", "phone", "intended_use")

account_table = sa.Table(
    "dinamis_relay_account",
    Base.metadata,
    text_column("id", primary_key=True, default=make_uuid),
    text_column("user_id", nullable=False),
    text_column("organization_id", nullable=False),
    # The adhesion the account was requested (or created) under; access itself is checked
    # against the organization's current adhesion.
    text_column("adhesion_id", sa.ForeignKey("dinamis_relay_adhesion.id")),
    text_column("state", nullable=False, default=REQUESTED),
    *[text_column(name) for name in PROFILE_FIELDS],
    text_column("terms_version"),
    sa.Column("terms_accepted_at", sa.DateTime),
    # Computed when the account is requested or created, shown to the validator.
    sa.Column("email_domain_mismatch", sa.Boolean, nullable=False, default=False),
    # True when activation created the CKAN membership: only then does closing remove it.
    sa.Column("membership_created", sa.Boolean, nullable=False, default=False),
    sa.Column("valid_until", sa.Date),
    sa.Column("reminder_sent_at", sa.DateTime),
    text_column("refusal_reason"),
    text_column("created_by"),
    text_column("validated_by"),
    sa.Column("validated_at", sa.DateTime),
    sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
    sa.Column("modified", sa.DateTime, nullable=False, default=utcnow, onupdate=utcnow),
    # One live account per person and entity; refused and closed ones stay as history.
    sa.Index(
        "dinamis_relay_account_live_uq",
        "user_id",
        "organization_id",
        unique=True,
        postgresql_where=sa.text("state NOT IN ('refused', 'closed')"),
    ),
    sa.Index("dinamis_relay_account_user_idx", "user_id"),
    sa.Index("dinamis_relay_account_org_state_idx", "organization_id", "state"),
    sa.Index("dinamis_relay_account_state_created_idx", "state", "created"),
    sa.Index("dinamis_relay_account_valid_until_idx", "valid_until"),
    # The dashboard's monthly series of validations (migration 0005).
    sa.Index("dinamis_relay_account_validated_idx", "validated_at"),
)
# account_list's order, newest first (migration 0006), with the entity and the person its
# filters read: a page is chosen from the index alone, without sorting the table.
sa.Index(
    "dinamis_relay_account_list_idx",
    account_table.c.created.desc(),
    account_table.c.id,
    postgresql_include=["organization_id", "user_id"],
)


class Account(Base, DictizeMixin, LockableMixin):
    """A person's individual DINAMIS account with one entity (CKAN organization)."""

    __table__ = account_table

    id: Mapped[str]
    user_id: Mapped[str]
    organization_id: Mapped[str]
    adhesion_id: Mapped[str | None]
    state: Mapped[str]
    job_title: Mapped[str | None]
    department: Mapped[str | None]
    phone: Mapped[str | None]
    intended_use: Mapped[str | None]
    terms_version: Mapped[str | None]
    terms_accepted_at: Mapped[datetime.datetime | None]
    email_domain_mismatch: Mapped[bool]
    membership_created: Mapped[bool]
    valid_until: Mapped[datetime.date | None]
    reminder_sent_at: Mapped[datetime.datetime | None]
    refusal_reason: Mapped[str | None]
    created_by: Mapped[str | None]
    validated_by: Mapped[str | None]
    validated_at: Mapped[datetime.datetime | None]
    created: Mapped[datetime.datetime]
    modified: Mapped[datetime.datetime]
