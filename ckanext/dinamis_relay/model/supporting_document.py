"""Supporting documents ("pièces justificatives") attached to an adhesion application.

The file itself lives in CKAN's upload storage (documents/supporting.py, through
ckan.lib.uploader); this row says which adhesion it supports, what it is, and who added it.
"""

from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, make_uuid, text_column, utcnow

# What a supporting document is; the form offers these (documents/supporting.py labels them).
DELIBERATION = "deliberation"
MANDATE = "mandate"
OTHER = "other"
KINDS = (DELIBERATION, MANDATE, OTHER)


class SupportingDocument(Base, DictizeMixin):
    __table__ = sa.Table(
        "dinamis_relay_supporting_document",
        Base.metadata,
        text_column("id", primary_key=True, default=make_uuid),
        text_column(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
        ),
        text_column("organization_id", nullable=False),
        text_column("kind", nullable=False),
        # The name the file had on the uploader's computer (cleaned), shown and downloaded.
        text_column("name", nullable=False),
        # The uploader's file name in the storage folder (unique, never shown).
        text_column("storage_name", nullable=False, unique=True),
        text_column("mimetype", nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        text_column("sha256", nullable=False),
        text_column("uploaded_by"),
        sa.Column("uploaded_at", sa.DateTime, nullable=False, default=utcnow),
        sa.Index("dinamis_relay_supporting_document_adhesion_idx", "adhesion_id", "uploaded_at"),
    )

    id: Mapped[str]
    adhesion_id: Mapped[str]
    organization_id: Mapped[str]
    kind: Mapped[str]
    name: Mapped[str]
    storage_name: Mapped[str]
    mimetype: Mapped[str]
    size: Mapped[int]
    sha256: Mapped[str]
    uploaded_by: Mapped[str | None]
    uploaded_at: Mapped[datetime.datetime]

    @classmethod
    def for_adhesion(cls, session: Any, adhesion_id: str) -> list[SupportingDocument]:
        """The adhesion's supporting documents, oldest first (bounded by the per-adhesion
        maximum the create action enforces)."""
        return list(
            session.scalars(
                sa.select(cls)
                .where(cls.adhesion_id == adhesion_id)
                .order_by(cls.uploaded_at, cls.id)
            )
        )

    @classmethod
    def count_for(cls, session: Any, adhesion_id: str) -> int:
        return int(
            session.scalar(
                sa.select(sa.func.count()).select_from(cls).where(cls.adhesion_id == adhesion_id)
            )
            or 0
        )
