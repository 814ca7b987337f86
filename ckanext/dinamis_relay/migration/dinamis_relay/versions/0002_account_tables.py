"""Individual DINAMIS accounts.

Revision ID: 0002_account
Revises: 0001_adhesion
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_account"
down_revision = "0001_adhesion"
branch_labels = None
depends_on = None


def _text(name: str, *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.UnicodeText, *args, **kwargs)


def upgrade():
    op.create_table(
        "dinamis_relay_account",
        _text("id", primary_key=True),
        _text("user_id", nullable=False),
        _text("organization_id", nullable=False),
        _text("adhesion_id", sa.ForeignKey("dinamis_relay_adhesion.id")),
        _text("state", nullable=False, server_default="requested"),
        _text("job_title"),
        _text("department"),
        _text("phone"),
        _text("intended_use"),
        _text("terms_version"),
        sa.Column("terms_accepted_at", sa.DateTime),
        sa.Column("email_domain_mismatch", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("membership_created", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("valid_until", sa.Date),
        sa.Column("reminder_sent_at", sa.DateTime),
        _text("refusal_reason"),
        _text("created_by"),
        _text("validated_by"),
        sa.Column("validated_at", sa.DateTime),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_account_live_uq",
        "dinamis_relay_account",
        ["user_id", "organization_id"],
        unique=True,
        postgresql_where=sa.text("state NOT IN ('refused', 'closed')"),
    )
    op.create_index("dinamis_relay_account_user_idx", "dinamis_relay_account", ["user_id"])
    op.create_index(
        "dinamis_relay_account_org_state_idx",
        "dinamis_relay_account",
        ["organization_id", "state"],
    )
    op.create_index(
        "dinamis_relay_account_state_created_idx", "dinamis_relay_account", ["state", "created"]
    )
    op.create_index(
        "dinamis_relay_account_valid_until_idx", "dinamis_relay_account", ["valid_until"]
    )


def downgrade():
    op.drop_table("dinamis_relay_account")
