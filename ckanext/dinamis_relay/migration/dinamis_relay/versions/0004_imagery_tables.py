"""Downloads of DINAMIS resources and new imagery requests.

Revision ID: 0004_imagery
Revises: 0003_document
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_imagery"
down_revision = "0003_document"
branch_labels = None
depends_on = None


def _text(name: str, *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.UnicodeText, *args, **kwargs)


def upgrade():
    op.create_table(
        "dinamis_relay_download_event",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _text("user_id", nullable=False),
        _text("organization_id"),
        _text("dataset_id", nullable=False),
        _text("resource_id", nullable=False),
        _text("licence"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_download_created_idx", "dinamis_relay_download_event", ["created"]
    )
    op.create_index(
        "dinamis_relay_download_org_idx", "dinamis_relay_download_event", ["organization_id", "id"]
    )
    op.create_index(
        "dinamis_relay_download_user_idx", "dinamis_relay_download_event", ["user_id", "id"]
    )
    op.create_index(
        "dinamis_relay_download_dataset_idx", "dinamis_relay_download_event", ["dataset_id", "id"]
    )

    op.create_table(
        "dinamis_relay_imagery_request",
        _text("id", primary_key=True),
        _text("number", unique=True),
        _text("user_id", nullable=False),
        _text("organization_id", nullable=False),
        _text("title", nullable=False),
        sa.Column("area", JSONB, nullable=False),
        sa.Column("area_km2", sa.Float, nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        _text("sensor", nullable=False),
        sa.Column("stereo", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("max_cloud_cover", sa.Integer, nullable=False),
        sa.Column("max_viewing_angle", sa.Integer, nullable=False),
        _text("acquisition_mode", nullable=False),
        _text("intended_use", nullable=False),
        _text("justification"),
        _text("state", nullable=False, server_default="draft"),
        _text("reviewer", nullable=False, server_default="relay"),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("forwarded_at", sa.DateTime),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_imagery_user_idx", "dinamis_relay_imagery_request", ["user_id", "created"]
    )
    op.create_index(
        "dinamis_relay_imagery_org_idx",
        "dinamis_relay_imagery_request",
        ["organization_id", "created"],
    )
    op.create_index(
        "dinamis_relay_imagery_state_idx", "dinamis_relay_imagery_request", ["state", "modified"]
    )

    op.create_table(
        "dinamis_relay_imagery_comment",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _text(
            "request_id",
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("user_id", nullable=False),
        _text("body", nullable=False),
        sa.Column("internal", sa.Boolean, nullable=False, server_default=sa.false()),
        _text("transition"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_imagery_comment_request_idx",
        "dinamis_relay_imagery_comment",
        ["request_id", "id"],
    )


def downgrade():
    op.drop_table("dinamis_relay_imagery_comment")
    op.drop_table("dinamis_relay_imagery_request")
    op.drop_table("dinamis_relay_download_event")
