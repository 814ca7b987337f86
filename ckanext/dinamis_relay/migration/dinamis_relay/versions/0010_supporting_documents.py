"""Supporting documents attached to adhesion applications (issue 13 item 7).

Revision ID: 0010_supporting_documents
Revises: 0008_personal_data
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_supporting_documents"
down_revision = "0008_personal_data"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dinamis_relay_supporting_document",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column(
            "adhesion_id",
            sa.UnicodeText,
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("storage_name", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("mimetype", sa.UnicodeText, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sha256", sa.UnicodeText, nullable=False),
        sa.Column("uploaded_by", sa.UnicodeText),
        sa.Column("uploaded_at", sa.DateTime, nullable=False),
    )
    op.create_index(
        "dinamis_relay_supporting_document_adhesion_idx",
        "dinamis_relay_supporting_document",
        ["adhesion_id", "uploaded_at"],
    )


def downgrade():
    op.drop_index(
        "dinamis_relay_supporting_document_adhesion_idx",
        table_name="dinamis_relay_supporting_document",
    )
    op.drop_table("dinamis_relay_supporting_document")
