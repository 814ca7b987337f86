from __future__ import annotations

import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped

from .base import Base, DictizeMixin, make_uuid, text_column, utcnow

# Kinds of generated documents (DOMAIN.md, "Documents").
ACTE_ADHESION = "acte_adhesion"
AVENANT = "avenant"
CONVENTION = "convention"
KINDS = (ACTE_ADHESION, AVENANT, CONVENTION)
LANGS = ("fr", "en")

document_table = sa.Table(
    "dinamis_relay_document",
    Base.metadata,
    text_column("id", primary_key=True, default=make_uuid),
    text_column("kind", nullable=False),
    # The document's own official number (the adhesion number for the acte).
    text_column("number", nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    text_column("lang", nullable=False, default="fr"),
    text_column(
        "adhesion_id",
        sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
        nullable=False,
    ),
    text_column("organization_id", nullable=False, index=True),
    # Where the PDF bytes live, relative to the documents storage.
    text_column("storage_key", nullable=False),
    # SHA-256 of the PDF file (verifies an uploaded copy) and of the canonical content
    # printed in the PDF as its fingerprint ("empreinte").
    text_column("sha256", nullable=False, index=True),
    text_column("content_sha256", nullable=False, index=True),
    sa.Column("content", JSONB, nullable=False, default=dict),
    sa.Column("size", sa.Integer, nullable=False),
    text_column("created_by"),
    sa.Column("created", sa.DateTime, nullable=False, default=utcnow),
    # The only columns ever written after issue: a newer version supersedes this one.
    sa.Column("is_current", sa.Boolean, nullable=False, default=True),
    text_column("superseded_by"),
    sa.Column("superseded_at", sa.DateTime),
    sa.UniqueConstraint(
        "adhesion_id", "kind", "lang", "version", name="dinamis_relay_document_version_uq"
    ),
    sa.Index(
        "dinamis_relay_document_current_uq",
        "adhesion_id",
        "kind",
        "lang",
        unique=True,
        postgresql_where=sa.text("is_current"),
    ),
)


class Document(Base, DictizeMixin):
    """A generated PDF (Acte d'adhésion, avenant, convention), immutable once issued.

    Regenerating adds a new version and marks the old one superseded; the old file stays
    stored and verifiable.
    """

    __table__ = document_table

    id: Mapped[str]
    kind: Mapped[str]
    number: Mapped[str]
    version: Mapped[int]
    lang: Mapped[str]
    adhesion_id: Mapped[str]
    organization_id: Mapped[str]
    storage_key: Mapped[str]
    sha256: Mapped[str]
    content_sha256: Mapped[str]
    content: Mapped[dict[str, Any]]
    size: Mapped[int]
    created_by: Mapped[str | None]
    created: Mapped[datetime.datetime]
    is_current: Mapped[bool]
    superseded_by: Mapped[str | None]
    superseded_at: Mapped[datetime.datetime | None]

    def dictize(self) -> dict[str, Any]:
        data = super().dictize()
        # The storage location is an implementation detail; clients use the download URL.
        data.pop("storage_key", None)
        return data
