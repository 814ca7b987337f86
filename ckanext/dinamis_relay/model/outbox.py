from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, text_column, utcnow

PENDING = "pending"
DONE = "done"
DEAD = "dead"
STATES = (PENDING, DONE, DEAD)


class OutboxMessage(Base, DictizeMixin):
    """Background work a transition calls for (an email, documents to issue).

    The row is written in the transaction of the transition, so the work exists exactly when
    the transition does; it is handed to the job queue after commit and marked done by the
    worker. A row still pending after a Redis or SMTP outage is queued again by the sweep;
    one that failed too often is kept as dead, for a person to look at.
    """

    __table__ = sa.Table(
        "dinamis_relay_outbox",
        Base.metadata,
        # Chosen by the writer, so the rows of a transaction can be queued right after its
        # commit without reading them back.
        text_column("id", primary_key=True),
        text_column("kind", nullable=False),
        sa.Column("payload", JSONB, nullable=False, default=dict),
        # The job queue it goes to (without CKAN's site prefix).
        text_column("queue", nullable=False),
        text_column("state", nullable=False, default=PENDING),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        # Addresses already sent to, so a retry after a partial failure sends each once.
        sa.Column("delivered", JSONB, nullable=False, default=list),
        # The RQ job it was last handed to: the sweep queues again only rows whose job is gone.
        text_column("job_id"),
        text_column("last_error"),
        sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False, default=utcnow),
        sa.Column("done_at", sa.DateTime),
        # The sweep and `outbox status` read pending rows by due time, and count by state.
        sa.Index(
            "dinamis_relay_outbox_pending_idx",
            "next_attempt_at",
            postgresql_where=sa.text("state = 'pending'"),
        ),
        sa.Index("dinamis_relay_outbox_state_idx", "state", "created"),
    )

    id: Mapped[str]
    kind: Mapped[str]
    payload: Mapped[dict[str, Any]]
    queue: Mapped[str]
    state: Mapped[str]
    attempts: Mapped[int]
    delivered: Mapped[list[str]]
    job_id: Mapped[str | None]
    last_error: Mapped[str | None]
    created: Mapped[datetime.datetime]
    next_attempt_at: Mapped[datetime.datetime]
    done_at: Mapped[datetime.datetime | None]


IMMEDIATE = "immediate"
DIGEST = "digest"
STAFF_EMAILS = (IMMEDIATE, DIGEST)


class MailPreference(Base, DictizeMixin):
    """How a staff member (super-referent, instructor, sysadmin) hears about the work that
    waits for them: an email per notice, or one daily digest. A person without a row has the
    site's default (`ckanext.dinamis_relay.email.staff_default`)."""

    __table__ = sa.Table(
        "dinamis_relay_mail_preference",
        Base.metadata,
        text_column("user_id", primary_key=True),
        text_column("staff_emails", nullable=False),
        # Sysadmins who are not staff of the relay or DINAMIS receive the staff notices only
        # when they ask for them.
        sa.Column("sysadmin_copies", sa.Boolean, nullable=False, default=False),
        sa.Column("last_digest_at", sa.DateTime),
        sa.Column("modified", sa.DateTime, nullable=False, default=utcnow),
    )

    user_id: Mapped[str]
    staff_emails: Mapped[str]
    sysadmin_copies: Mapped[bool]
    last_digest_at: Mapped[datetime.datetime | None]
    modified: Mapped[datetime.datetime]
