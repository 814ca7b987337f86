"""Personal data (issue 14): pseudonyms of erased people, archived imagery threads,
download events that may lose their user (retention, erasure) and still count, and the
indexes a person's export and erasure read the journal and the threads by.

Revision ID: 0008_personal_data
Revises: 0009_procedure
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_personal_data"
down_revision = "0009_procedure"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dinamis_relay_pseudonym",
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_key", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("erased_at", sa.DateTime),
        sa.Column("reason", sa.UnicodeText),
    )
    op.create_table(
        "dinamis_relay_thread_archive",
        sa.Column(
            "request_id",
            sa.UnicodeText,
            sa.ForeignKey("dinamis_relay_imagery_request.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("first_message_at", sa.DateTime),
        sa.Column("last_message_at", sa.DateTime),
        sa.Column("archived_at", sa.DateTime, nullable=False),
    )
    op.alter_column("dinamis_relay_download_event", "user_id", nullable=True)
    op.create_index("dinamis_relay_audit_user_idx", "dinamis_relay_audit_event", ["user_id"])
    op.create_index(
        "dinamis_relay_imagery_comment_user_idx", "dinamis_relay_imagery_comment", ["user_id"]
    )


def downgrade():
    op.drop_index("dinamis_relay_imagery_comment_user_idx", "dinamis_relay_imagery_comment")
    op.drop_index("dinamis_relay_audit_user_idx", "dinamis_relay_audit_event")
    # Events that lost their user cannot get it back; an empty id keeps them counted.
    op.execute("UPDATE dinamis_relay_download_event SET user_id = '' WHERE user_id IS NULL")
    op.alter_column("dinamis_relay_download_event", "user_id", nullable=False)
    op.drop_table("dinamis_relay_thread_archive")
    op.drop_table("dinamis_relay_pseudonym")
