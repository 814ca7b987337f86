"""The account list's order with the entity in the index, for deep pages at regional scale.

account_list picks a page on the account table joined to the current adhesion (the
super-referent sees relay-mode entities only). With the entity in the (created DESC, id)
index, PostgreSQL walks the index alone in the list's order and looks the adhesion up per
entity, instead of reading and sorting every visible account: the last of 2,000 pages of
50,000 accounts takes about 25 ms instead of 80. The index replaces migration 0005's
dinamis_relay_account_created_idx, which it covers.

Revision ID: 0006_account_list
Revises: 0005_dashboard
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_account_list"
down_revision = "0005_dashboard"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "dinamis_relay_account_list_idx",
        "dinamis_relay_account",
        [sa.text("created DESC"), "id"],
        postgresql_include=["organization_id"],
    )
    op.drop_index("dinamis_relay_account_created_idx", "dinamis_relay_account")


def downgrade():
    op.create_index(
        "dinamis_relay_account_created_idx",
        "dinamis_relay_account",
        [sa.text("created DESC"), "id"],
    )
    op.drop_index("dinamis_relay_account_list_idx", "dinamis_relay_account")
