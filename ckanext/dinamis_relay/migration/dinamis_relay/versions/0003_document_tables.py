"""Generated documents (Acte d'adhésion, avenant, convention).

Revision ID: 0003_document
Revises: 0002_account
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003_document"
down_revision = "0002_account"
branch_labels = None
depends_on = None


def _text(name: str, *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.UnicodeText, *args, **kwargs)


def upgrade():
    op.create_table(
        "dinamis_relay_document",
        _text("id", primary_key=True),
        _text("kind", nullable=False),
        _text("number", nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        _text("lang", nullable=False, server_default="fr"),
        _text(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("organization_id", nullable=False),
        _text("storage_key", nullable=False),
        _text("sha256", nullable=False),
        _text("content_sha256", nullable=False),
        sa.Column("content", JSONB, nullable=False, server_default="{}"),
        sa.Column("size", sa.Integer, nullable=False),
        _text("created_by"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
        _text("superseded_by"),
        sa.Column("superseded_at", sa.DateTime),
        sa.UniqueConstraint(
            "adhesion_id", "kind", "lang", "version", name="dinamis_relay_document_version_uq"
        ),
    )
    op.create_index(
        "dinamis_relay_document_current_uq",
        "dinamis_relay_document",
        ["adhesion_id", "kind", "lang"],
        unique=True,
        postgresql_where=sa.text("is_current"),
    )
    op.create_index("ix_dinamis_relay_document_number", "dinamis_relay_document", ["number"])
    op.create_index(
        "ix_dinamis_relay_document_organization_id", "dinamis_relay_document", ["organization_id"]
    )
    op.create_index("ix_dinamis_relay_document_sha256", "dinamis_relay_document", ["sha256"])
    op.create_index(
        "ix_dinamis_relay_document_content_sha256", "dinamis_relay_document", ["content_sha256"]
    )


def downgrade():
    op.drop_table("dinamis_relay_document")
