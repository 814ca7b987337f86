from __future__ import annotations

import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from .audit import AuditEvent
from .base import Base, DictizeMixin, text_column, utcnow
from .imagery import ImageryRequestComment

# What the plugin writes in place of a person's CKAN user id once their data is
# pseudonymised: never a CKAN id (those are UUIDs), the same for every row of that person.
PSEUDONYM_PREFIX = "pseudonym:"


class Pseudonym(Base, DictizeMixin):
    """The stable number of a person whose data was pseudonymised ("utilisateur supprimé
    n° 42").

    Keyed by an HMAC of the CKAN user id under the site's secret: the same person always gets
    the same number (erasing twice is harmless), yet the table alone does not say who it was.
    """

    __table__ = sa.Table(
        "dinamis_relay_pseudonym",
        Base.metadata,
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        text_column("user_key", nullable=False, unique=True),
        sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
        # Set when every piece of the person's data was erased (not only an ended account).
        sa.Column("erased_at", sa.DateTime),
        # user_delete, sysadmin, deleted_user (caught up by purge-expired) or retention.
        text_column("reason"),
    )

    number: Mapped[int]
    user_key: Mapped[str]
    created: Mapped[datetime.datetime]
    erased_at: Mapped[datetime.datetime | None]
    reason: Mapped[str | None]

    @property
    def key(self) -> str:
        return f"{PSEUDONYM_PREFIX}{self.number}"


class ThreadArchive(Base, DictizeMixin):
    """What remains of a finished imagery request's thread after its retention period: how
    many messages there were and when, without their authors or text."""

    __table__ = sa.Table(
        "dinamis_relay_thread_archive",
        Base.metadata,
        text_column(
            "request_id",
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("first_message_at", sa.DateTime),
        sa.Column("last_message_at", sa.DateTime),
        sa.Column("archived_at", sa.DateTime, nullable=False, default=utcnow),
    )

    request_id: Mapped[str]
    messages: Mapped[int]
    first_message_at: Mapped[datetime.datetime | None]
    last_message_at: Mapped[datetime.datetime | None]
    archived_at: Mapped[datetime.datetime]


# A person's export and erasure find their audit events and messages by user id (migration
# 0008): without these, each scans the whole journal and every thread.
sa.Index("dinamis_relay_audit_user_idx", AuditEvent.__table__.c.user_id)
sa.Index("dinamis_relay_imagery_comment_user_idx", ImageryRequestComment.__table__.c.user_id)
