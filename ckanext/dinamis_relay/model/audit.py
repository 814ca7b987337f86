from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, text_column, utcnow


class AuditEvent(Base, DictizeMixin):
    """Append-only journal of every transition of adhesions, accounts and requests.

    Rows are only ever inserted; `organization_id` lets an entity's whole history be read with
    one indexed query.
    """

    __table__ = sa.Table(
        "dinamis_relay_audit_event",
        Base.metadata,
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        text_column("object_type", nullable=False),
        text_column("object_id", nullable=False),
        text_column("organization_id"),
        text_column("action", nullable=False),
        text_column("from_state"),
        text_column("to_state"),
        # The legal representative has no CKAN account: user_id stays empty and actor_label
        # carries their name.
        text_column("user_id"),
        text_column("actor_label"),
        text_column("comment"),
        sa.Column("data", JSONB, nullable=False, default=dict),
        sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
        sa.Index("dinamis_relay_audit_object_idx", "object_type", "object_id", "id"),
        sa.Index("dinamis_relay_audit_org_idx", "organization_id", "id"),
        sa.Index("dinamis_relay_audit_created_idx", "created"),
    )

    id: Mapped[int]
    object_type: Mapped[str]
    object_id: Mapped[str]
    organization_id: Mapped[str | None]
    action: Mapped[str]
    from_state: Mapped[str | None]
    to_state: Mapped[str | None]
    user_id: Mapped[str | None]
    actor_label: Mapped[str | None]
    comment: Mapped[str | None]
    data: Mapped[dict[str, Any]]
    created: Mapped[datetime.datetime]
