"""The outbox: background work (emails, documents) written with the transition that calls for
it; staff mail preferences (immediate emails or a daily digest).

Revision ID: 0007_outbox
Revises: 0006_account_list
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007_outbox"
down_revision = "0006_account_list"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dinamis_relay_outbox",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("queue", sa.UnicodeText, nullable=False),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("delivered", JSONB, nullable=False),
        sa.Column("job_id", sa.UnicodeText),
        sa.Column("last_error", sa.UnicodeText),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
    )
    op.create_index(
        "dinamis_relay_outbox_pending_idx",
        "dinamis_relay_outbox",
        ["next_attempt_at"],
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_index("dinamis_relay_outbox_state_idx", "dinamis_relay_outbox", ["state", "created"])
    op.create_table(
        "dinamis_relay_mail_preference",
        sa.Column("user_id", sa.UnicodeText, primary_key=True),
        sa.Column("staff_emails", sa.UnicodeText, nullable=False),
        sa.Column("sysadmin_copies", sa.Boolean, nullable=False),
        sa.Column("last_digest_at", sa.DateTime),
        sa.Column("modified", sa.DateTime, nullable=False),
    )


def downgrade():
    op.drop_table("dinamis_relay_mail_preference")
    op.drop_index("dinamis_relay_outbox_state_idx", "dinamis_relay_outbox")
    op.drop_index("dinamis_relay_outbox_pending_idx", "dinamis_relay_outbox")
    op.drop_table("dinamis_relay_outbox")
