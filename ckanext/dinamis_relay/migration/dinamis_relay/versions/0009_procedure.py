"""The real procedure's additions (issue 15): registered adhesions and imagery quotas.

Revision ID: 0009_procedure
Revises: 0007_outbox
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_procedure"
down_revision = "0007_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dinamis_relay_registration",
        sa.Column(
            "adhesion_id",
            sa.UnicodeText,
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("number_external", sa.Boolean, nullable=False),
        sa.Column("accepted_on", sa.Date, nullable=False),
        sa.Column("registered_by", sa.UnicodeText),
        sa.Column("registered_at", sa.DateTime, nullable=False),
        sa.Column("note", sa.UnicodeText),
    )
    op.create_table(
        "dinamis_relay_quota_override",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("sensor", sa.UnicodeText, primary_key=True),
        sa.Column("km2", sa.Integer, nullable=False),
        sa.Column("set_by", sa.UnicodeText),
        sa.Column("set_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "dinamis_relay_quota_counter",
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("sensor", sa.UnicodeText, primary_key=True),
        sa.Column("period", sa.UnicodeText, primary_key=True),
        sa.Column("consumed_km2", sa.Float, nullable=False),
    )
    op.create_index(
        "dinamis_relay_quota_counter_period_idx",
        "dinamis_relay_quota_counter",
        ["period", "sensor"],
    )
    op.create_table(
        "dinamis_relay_quota_use",
        sa.Column(
            "request_id",
            sa.UnicodeText,
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("sensor", sa.UnicodeText, nullable=False),
        sa.Column("period", sa.UnicodeText, nullable=False),
        sa.Column("km2", sa.Float, nullable=False),
        sa.Column("consumed_at", sa.DateTime, nullable=False),
        sa.Column("restored_at", sa.DateTime),
    )


def downgrade():
    op.drop_table("dinamis_relay_quota_use")
    op.drop_index("dinamis_relay_quota_counter_period_idx", "dinamis_relay_quota_counter")
    op.drop_table("dinamis_relay_quota_counter")
    op.drop_table("dinamis_relay_quota_override")
    op.drop_table("dinamis_relay_registration")
