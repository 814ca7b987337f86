"""Adhesions, eligibility checks, acceptances, audit events and number sequences.

Revision ID: 0001_adhesion
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_adhesion"
down_revision = None
branch_labels = None
depends_on = None


def _text(name: str, *args, **kwargs) -> sa.Column:
    return sa.Column(name, sa.UnicodeText, *args, **kwargs)


def upgrade():
    op.create_table(
        "dinamis_relay_adhesion",
        _text("id", primary_key=True),
        _text("organization_id", nullable=False),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
        _text("previous_id"),
        _text("number", unique=True),
        _text("mode", nullable=False, server_default="classic"),
        _text("state", nullable=False, server_default="draft"),
        *[
            _text(c)
            for c in (
                "legal_name",
                "acronym",
                "siret",
                "entity_type",
                "eligibility_category",
                "eligibility_justification",
                "address",
                "postcode",
                "city",
                "department",
                "website",
                "phone",
            )
        ],
        sa.Column("email_domains", JSONB, nullable=False, server_default="[]"),
        *[
            _text(c)
            for c in (
                "legal_rep_name",
                "legal_rep_title",
                "legal_rep_email",
                "referent_user_id",
                "referent_title",
                "referent_phone",
                "convention_number",
                "amendment_number",
                "legal_token_nonce",
            )
        ],
        sa.Column("legal_token_expires", sa.DateTime),
        sa.Column("legal_accepted_at", sa.DateTime),
        _text("decision_reason"),
        _text("dinamis_reference"),
        _text("decided_by"),
        sa.Column("decided_at", sa.DateTime),
        _text("submitted_by"),
        sa.Column("submitted_at", sa.DateTime),
        sa.Column("valid_from", sa.Date),
        sa.Column("valid_until", sa.Date),
        sa.Column("reminder_sent_at", sa.DateTime),
        _text("created_by"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
        sa.Column("modified", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_adhesion_current_org_uq",
        "dinamis_relay_adhesion",
        ["organization_id"],
        unique=True,
        postgresql_where=sa.text("is_current"),
    )
    op.create_index(
        "ix_dinamis_relay_adhesion_organization_id",
        "dinamis_relay_adhesion",
        ["organization_id"],
    )
    op.create_index(
        "ix_dinamis_relay_adhesion_referent_user_id",
        "dinamis_relay_adhesion",
        ["referent_user_id"],
    )
    op.create_index(
        "dinamis_relay_adhesion_state_idx", "dinamis_relay_adhesion", ["state", "modified"]
    )
    op.create_index(
        "dinamis_relay_adhesion_valid_until_idx", "dinamis_relay_adhesion", ["valid_until"]
    )

    op.create_table(
        "dinamis_relay_eligibility_check",
        _text("id", primary_key=True),
        _text(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("eligible", sa.Boolean, nullable=False),
        _text("note"),
        _text("checked_by", nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "ix_dinamis_relay_eligibility_check_adhesion_id",
        "dinamis_relay_eligibility_check",
        ["adhesion_id"],
    )

    op.create_table(
        "dinamis_relay_acceptance",
        _text("id", primary_key=True),
        _text(
            "adhesion_id",
            sa.ForeignKey("dinamis_relay_adhesion.id", ondelete="CASCADE"),
            nullable=False,
        ),
        _text("text_kind", nullable=False),
        _text("text_code", nullable=False),
        _text("text_version", nullable=False),
        _text("accepted_by_name", nullable=False),
        _text("accepted_by_email", nullable=False),
        sa.Column("accepted_at", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "ix_dinamis_relay_acceptance_adhesion_id", "dinamis_relay_acceptance", ["adhesion_id"]
    )

    op.create_table(
        "dinamis_relay_audit_event",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _text("object_type", nullable=False),
        _text("object_id", nullable=False),
        _text("organization_id"),
        _text("action", nullable=False),
        _text("from_state"),
        _text("to_state"),
        _text("user_id"),
        _text("actor_label"),
        _text("comment"),
        sa.Column("data", JSONB, nullable=False, server_default="{}"),
        sa.Column("created", sa.DateTime, nullable=False, server_default=sa.func.now()),
    )
    op.create_index(
        "dinamis_relay_audit_object_idx",
        "dinamis_relay_audit_event",
        ["object_type", "object_id", "id"],
    )
    op.create_index(
        "dinamis_relay_audit_org_idx", "dinamis_relay_audit_event", ["organization_id", "id"]
    )
    op.create_index("dinamis_relay_audit_created_idx", "dinamis_relay_audit_event", ["created"])

    op.create_table(
        "dinamis_relay_number_sequence",
        _text("kind", primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("last_value", sa.Integer, nullable=False),
    )


def downgrade():
    op.drop_table("dinamis_relay_number_sequence")
    op.drop_table("dinamis_relay_audit_event")
    op.drop_table("dinamis_relay_acceptance")
    op.drop_table("dinamis_relay_eligibility_check")
    op.drop_table("dinamis_relay_adhesion")
