from __future__ import annotations

import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, utcnow


class AuditEvent(Base, DictizeMixin):  # type: ignore[misc,valid-type]
    """Append-only journal of every transition of adhesions, accounts and requests.

    Rows are only ever inserted; `organization_id` lets an entity's whole history be read with
    one indexed query.
    """

    __tablename__ = "dinamis_relay_audit_event"
    __table_args__ = (
        sa.Index("dinamis_relay_audit_object_idx", "object_type", "object_id", "id"),
        sa.Index("dinamis_relay_audit_org_idx", "organization_id", "id"),
        sa.Index("dinamis_relay_audit_created_idx", "created"),
    )

    id: Mapped[int] = sa.Column(sa.BigInteger, primary_key=True, autoincrement=True)
    object_type: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    object_id: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    organization_id: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    action: Mapped[str] = sa.Column(sa.UnicodeText, nullable=False)
    from_state: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    to_state: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    # The legal representative has no CKAN account: then user_id is empty and actor_label
    # carries their name.
    user_id: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    actor_label: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    comment: Mapped[Optional[str]] = sa.Column(sa.UnicodeText)
    data: Mapped[dict[str, Any]] = sa.Column(JSONB, nullable=False, default=dict)
    created: Mapped[datetime.datetime] = sa.Column(sa.DateTime, nullable=False, default=utcnow)
